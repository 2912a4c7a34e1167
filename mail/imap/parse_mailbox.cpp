// Mailbox-level commands with options: SELECT/EXAMINE parameters (CONDSTORE, QRESYNC), CREATE
// (CREATE-SPECIAL-USE), LIST (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), LSUB and STATUS.
#include "core/text/ascii.hpp"
#include "mail/imap/parse_detail.hpp"

#include <algorithm>
#include <array>

namespace atrium::imap::detail {
namespace {

using enum ParseErrorKind;

// known-uids and the sets of seq-match-data name real messages: no "*" and no "$".
SequenceSet explicit_set(Reader& r) {
  SequenceSet s = r.sequence_set();
  if (r.ok() && (s.saved || s.has_star())) r.fail(bad_sequence_set);
  return s;
}

// "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
QresyncParams parse_qresync(Reader& r) {
  QresyncParams q;
  r.sp();
  r.expect('(', bad_modifier);
  q.uid_validity = r.nz_number(bad_modifier);
  r.sp();
  // Zero is outside RFC 7162's grammar but means "I know nothing", which is harmless.
  q.modseq = r.number64(bad_modifier);
  if (r.ok() && r.next_is(' ') && r.peek_at(1) != '(' && r.peek_at(1) != ')') {
    r.take(' ');
    q.known_uids = explicit_set(r);
  }
  if (r.ok() && r.next_is(' ') && r.peek_at(1) == '(') {
    r.take(' ');
    r.take('(');
    q.known_sequence_set = explicit_set(r);
    r.sp();
    q.known_uid_set = explicit_set(r);
    r.expect(')', bad_modifier);
  }
  r.expect(')', bad_modifier);
  return q;
}

// The special-use attributes of RFC 6154 section 2 in canonical case.
constexpr std::array<std::string_view, 7> special_uses = {"All", "Archive", "Drafts", "Flagged", "Junk", "Sent", "Trash"};

std::string parse_use_attr(Reader& r) {
  if (!r.take('\\')) {
    r.fail_here(bad_argument);
    return {};
  }
  const std::string_view name = r.atom();
  for (std::string_view u : special_uses) {
    if (text::iequals(name, u)) return backslashed(u);
  }
  return backslashed(name);
}

StatusItem parse_status_item(Reader& r) {
  struct Name {
    std::string_view name;
    StatusItem item;
  };
  static constexpr Name names[] = {
      {"MESSAGES", StatusItem::messages},     {"UIDNEXT", StatusItem::uid_next},
      {"UIDVALIDITY", StatusItem::uid_validity}, {"UNSEEN", StatusItem::unseen},
      {"DELETED", StatusItem::deleted},       {"SIZE", StatusItem::size},
      {"RECENT", StatusItem::recent},         {"HIGHESTMODSEQ", StatusItem::highest_modseq},
      {"APPENDLIMIT", StatusItem::append_limit}, {"MAILBOXID", StatusItem::mailbox_id},
      {"DELETED-STORAGE", StatusItem::deleted_storage},
  };
  const std::size_t start = r.offset();
  const std::string_view w = r.word();
  for (const Name& n : names) {
    if (text::iequals(w, n.name)) return n.item;
  }
  if (r.offset() == start) {
    r.fail_here(bad_status_item);
  } else {
    r.fail_at(bad_status_item, start);
  }
  return StatusItem::messages;
}

ListSelection parse_selection(Reader& r) {
  ListSelection s;
  r.take('(');
  if (r.take(')')) return s;
  do {
    const std::string_view w = r.word();
    if (text::iequals(w, "SUBSCRIBED")) s.subscribed = true;
    else if (text::iequals(w, "REMOTE")) s.remote = true;
    else if (text::iequals(w, "RECURSIVEMATCH")) s.recursive_match = true;
    else if (text::iequals(w, "SPECIAL-USE")) s.special_use = true;
    else r.fail_here(bad_list_option);  // RFC 5258 section 3: unknown options are BAD
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_list_option);
  // RFC 5258 section 3.1: RECURSIVEMATCH needs a base option to modify.
  if (r.ok() && s.recursive_match && !s.subscribed && !s.special_use) r.fail(bad_list_option);
  return s;
}

ListReturn parse_list_return(Reader& r) {
  ListReturn ret;
  r.sp();
  r.expect('(', bad_list_option);
  if (r.take(')')) return ret;
  do {
    const std::string_view w = r.word();
    if (text::iequals(w, "SUBSCRIBED")) {
      ret.subscribed = true;
    } else if (text::iequals(w, "CHILDREN")) {
      ret.children = true;
    } else if (text::iequals(w, "SPECIAL-USE")) {
      ret.special_use = true;
    } else if (text::iequals(w, "STATUS")) {
      if (ret.status) r.fail(bad_list_option);
      r.sp();
      ret.status = parse_status_items(r);
    } else {
      r.fail_here(bad_list_option);
    }
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_list_option);
  return ret;
}

}  // namespace

SelectParams parse_select_params(Reader& r) {
  SelectParams p;
  if (!r.more_after_space() || r.peek_at(1) != '(') return p;
  r.take(' ');
  r.take('(');
  // RFC 4466 wants at least one parameter; "()" is accepted as none.
  if (r.take(')')) return p;
  do {
    if (r.take_keyword("CONDSTORE")) {
      if (p.condstore) r.fail(bad_modifier);
      p.condstore = true;
    } else if (r.take_keyword("QRESYNC")) {
      if (p.qresync) r.fail(bad_modifier);
      p.qresync = parse_qresync(r);
    } else {
      r.fail_here(bad_modifier);
    }
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_modifier);
  return p;
}

Create parse_create(Reader& r) {
  Create c;
  r.sp();
  c.mailbox = r.mailbox();
  if (!r.more_after_space() || r.peek_at(1) != '(') return c;
  r.take(' ');
  r.take('(');
  bool seen_use = false;
  do {
    if (r.take_keyword("USE")) {
      if (seen_use) r.fail(bad_modifier);
      seen_use = true;
      r.sp();
      r.expect('(', bad_argument);
      if (!r.take(')')) {
        do {
          c.special_use.push_back(parse_use_attr(r));
        } while (r.ok() && r.take(' '));
        r.expect(')', bad_argument);
      }
    } else {
      r.fail_here(bad_modifier);
    }
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_modifier);
  return c;
}

List parse_list(Reader& r) {
  List l;
  r.sp();
  if (r.next_is('(')) {
    l.extended = true;
    l.selection = parse_selection(r);
    r.sp();
  }
  // The reference is a mailbox in the grammar but only a prefix for the patterns, so no INBOX
  // rewrite: "inbox" + "/x" must reach the executor as typed.
  l.reference = r.mailbox_name();
  r.sp();
  if (r.take('(')) {
    l.extended = true;
    do {
      l.patterns.push_back(r.list_pattern());
    } while (r.ok() && r.take(' '));
    r.expect(')', bad_argument);
  } else {
    l.patterns.push_back(r.list_pattern());
  }
  if (r.more_after_space()) {
    r.take(' ');
    if (r.take_keyword("RETURN")) {
      l.extended = true;
      l.returns = parse_list_return(r);
    } else {
      r.fail_here(unexpected_argument);
    }
  }
  return l;
}

Lsub parse_lsub(Reader& r) {
  Lsub l;
  r.sp();
  l.reference = r.mailbox_name();
  r.sp();
  l.pattern = r.list_pattern();
  return l;
}

std::vector<StatusItem> parse_status_items(Reader& r) {
  std::vector<StatusItem> items;
  r.expect('(', bad_status_item);
  do {
    const StatusItem item = parse_status_item(r);
    if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_status_item);
  return items;
}

Status parse_status(Reader& r) {
  Status s;
  r.sp();
  s.mailbox = r.mailbox();
  r.sp();
  s.items = parse_status_items(r);
  return s;
}

}  // namespace atrium::imap::detail
