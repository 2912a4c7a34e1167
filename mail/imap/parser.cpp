// parse_command: tag, command name, UID prefix, the commands without elaborate arguments, and
// dispatch to the per-concern parsers (parse_search.cpp, parse_fetch.cpp, parse_mailbox.cpp,
// parse_append.cpp).
#include "mail/imap/parser.hpp"

#include "core/text/ascii.hpp"
#include "mail/imap/parse_detail.hpp"

#include <array>

namespace atrium::imap {
namespace {

using enum ParseErrorKind;
using detail::Reader;

// RFC 2971 section 3.3.
constexpr std::size_t max_id_pairs = 30;
constexpr std::size_t max_id_field = 30;
constexpr std::size_t max_id_value = 1024;

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=';
}

// base64 of RFC 9051 section 9 (groups of four, "=" padding only at the end), or "=".
bool is_initial_response(std::string_view s) {
  if (s == "=") return true;
  if (s.empty() || s.size() % 4 != 0) return false;
  const std::size_t pad = s.find('=');
  if (pad == std::string_view::npos) return true;
  if (pad < s.size() - 2) return false;
  return s.find_first_not_of('=', pad) == std::string_view::npos;
}

bool is_right_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

template <class T>
T mailbox_only(Reader& r) {
  r.sp();
  T t{r.mailbox()};
  return t;
}

Id parse_id(Reader& r) {
  Id id;
  r.sp();
  if (r.take_keyword("NIL")) return id;
  std::vector<Id::Field> fields;
  r.expect('(', bad_argument);
  // RFC 2971 wants at least one pair, but "()" is harmless and some clients send it.
  if (!r.take(')')) {
    do {
      std::string field = r.string();
      r.sp();
      std::optional<std::string> value = r.nstring();
      if (field.size() > max_id_field || (value && value->size() > max_id_value)) r.fail(too_many_items);
      fields.emplace_back(std::move(field), std::move(value));
      if (fields.size() > max_id_pairs) r.fail(too_many_items);
    } while (r.ok() && r.take(' '));
    r.expect(')', bad_argument);
  }
  id.fields = std::move(fields);
  return id;
}

Authenticate parse_authenticate(Reader& r) {
  Authenticate a;
  r.sp();
  a.mechanism = detail::ascii_upper(r.atom());
  if (r.more_after_space()) {
    r.take(' ');
    const std::string_view ir = r.take_while(is_base64_char);
    if (!is_initial_response(ir)) {
      r.fail(bad_argument);
    } else {
      a.initial_response = std::string(ir);
    }
  }
  return a;
}

Enable parse_enable(Reader& r) {
  Enable e;
  do {
    r.sp();
    e.capabilities.push_back(detail::ascii_upper(r.atom()));
  } while (r.ok() && r.more_after_space());
  return e;
}

SetQuota parse_setquota(Reader& r) {
  SetQuota q;
  r.sp();
  q.root = r.astring();
  r.sp();
  r.expect('(', bad_argument);
  if (!r.take(')')) {
    do {
      QuotaLimit limit;
      limit.resource = detail::ascii_upper(r.atom());
      r.sp();
      limit.limit = r.number64();
      q.limits.push_back(std::move(limit));
    } while (r.ok() && r.take(' '));
    r.expect(')', bad_argument);
  }
  return q;
}

SetAcl parse_setacl(Reader& r) {
  SetAcl a;
  r.sp();
  a.mailbox = r.mailbox();
  r.sp();
  a.identifier = r.astring();
  r.sp();
  std::string rights = r.astring();
  std::string_view v = rights;
  if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
    a.change = v.front() == '+' ? RightsChange::add : RightsChange::remove;
    v.remove_prefix(1);
  }
  for (char c : v) {
    if (!is_right_char(c)) r.fail(bad_argument);
  }
  a.rights = std::string(v);
  return a;
}

template <class T>
T mailbox_and_identifier(Reader& r) {
  T t;
  r.sp();
  t.mailbox = r.mailbox();
  r.sp();
  t.identifier = r.astring();
  return t;
}

template <class T>
T set_and_mailbox(Reader& r, bool uid) {
  T t;
  t.uid = uid;
  r.sp();
  t.set = r.sequence_set();
  r.sp();
  t.mailbox = r.mailbox();
  return t;
}

CommandBody parse_body(Reader& r, CommandName name, bool uid) {
  switch (name) {
    case CommandName::capability: return Capability{};
    case CommandName::noop: return Noop{};
    case CommandName::logout: return Logout{};
    case CommandName::id: return parse_id(r);
    case CommandName::starttls: return Starttls{};
    case CommandName::authenticate: return parse_authenticate(r);
    case CommandName::login: {
      Login l;
      r.sp();
      l.user = r.astring();
      r.sp();
      l.password = r.astring();
      return l;
    }
    case CommandName::enable: return parse_enable(r);
    case CommandName::select: {
      Select s = mailbox_only<Select>(r);
      s.params = detail::parse_select_params(r);
      return s;
    }
    case CommandName::examine: {
      Examine e = mailbox_only<Examine>(r);
      e.params = detail::parse_select_params(r);
      return e;
    }
    case CommandName::create: return detail::parse_create(r);
    case CommandName::delete_: return mailbox_only<Delete>(r);
    case CommandName::rename: {
      Rename n;
      r.sp();
      n.from = r.mailbox();
      r.sp();
      n.to = r.mailbox();
      return n;
    }
    case CommandName::subscribe: return mailbox_only<Subscribe>(r);
    case CommandName::unsubscribe: return mailbox_only<Unsubscribe>(r);
    case CommandName::list: return detail::parse_list(r);
    case CommandName::lsub: return detail::parse_lsub(r);
    case CommandName::namespace_: return Namespace{};
    case CommandName::status: return detail::parse_status(r);
    case CommandName::append: return detail::parse_append(r);
    case CommandName::idle: return Idle{};
    case CommandName::compress: {
      r.sp();
      if (!text::iequals(r.atom(), "DEFLATE")) r.fail(bad_argument);
      return Compress{};
    }
    case CommandName::getquota: {
      GetQuota g;
      r.sp();
      g.root = r.astring();
      return g;
    }
    case CommandName::getquotaroot: return mailbox_only<GetQuotaRoot>(r);
    case CommandName::setquota: return parse_setquota(r);
    case CommandName::setacl: return parse_setacl(r);
    case CommandName::deleteacl: return mailbox_and_identifier<DeleteAcl>(r);
    case CommandName::getacl: return mailbox_only<GetAcl>(r);
    case CommandName::listrights: return mailbox_and_identifier<ListRights>(r);
    case CommandName::myrights: return mailbox_only<MyRights>(r);
    case CommandName::check: return Check{};
    case CommandName::close: return Close{};
    case CommandName::unselect: return Unselect{};
    case CommandName::expunge: {
      Expunge e;
      if (uid) {
        r.sp();
        e.uids = r.sequence_set();
      }
      return e;
    }
    case CommandName::search: return detail::parse_search(r, uid);
    case CommandName::fetch: return detail::parse_fetch(r, uid);
    case CommandName::store: return detail::parse_store(r, uid);
    case CommandName::copy: return set_and_mailbox<Copy>(r, uid);
    case CommandName::move: return set_and_mailbox<Move>(r, uid);
    case CommandName::sort: return detail::parse_sort(r, uid);
    case CommandName::thread: return detail::parse_thread(r, uid);
  }
  r.fail(unknown_command);
  return Noop{};
}

bool has_uid_form(CommandName name) {
  switch (name) {
    case CommandName::copy:
    case CommandName::move:
    case CommandName::fetch:
    case CommandName::store:
    case CommandName::search:
    case CommandName::expunge:
    case CommandName::sort:
    case CommandName::thread: return true;
    default: return false;
  }
}

constexpr std::array<std::string_view, static_cast<std::size_t>(too_many_items) + 1> error_texts = {
    "Missing or invalid tag",
    "Missing command",
    "Unknown command",
    "Invalid character in command",
    "Expected a single space between arguments",
    "Unexpected extra arguments",
    "Missing arguments",
    "Invalid arguments",
    "Invalid quoted string",
    "Invalid literal",
    "Invalid number",
    "Invalid sequence set",
    "Invalid mailbox name",
    "Invalid date",
    "Invalid flag",
    "Invalid search criteria",
    "Search criteria nested too deeply",
    "Invalid fetch attribute",
    "Invalid body section",
    "Invalid or conflicting command modifiers",
    "Invalid LIST option",
    "Invalid STATUS item",
    "Too many or too long items",
};

}  // namespace

namespace detail {

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace detail

ParseResult parse_command(std::string_view bytes, const ParserOptions& options) {
  Reader r(bytes, options);
  ParseError error;
  const std::string_view tag = r.take_while(detail::is_tag_char);
  if (tag.empty() || (!r.at_end() && !r.next_is(' '))) {
    error.kind = missing_tag;
    return error;
  }
  error.tag = std::string(tag);
  if (r.at_end()) {
    error.kind = missing_command;
    error.offset = r.offset();
    return error;
  }
  r.sp();
  std::string_view word = r.take_while(detail::is_atom_char);
  if (text::iequals(word, "UID")) {
    error.uid = true;
    r.sp();
    word = r.take_while(detail::is_atom_char);
  }
  const std::optional<CommandName> name = command_from_name(word);
  if (!r.ok() || !name || (error.uid && !has_uid_form(*name))) {
    if (r.ok()) {
      if (!word.empty()) {
        r.fail(unknown_command);
      } else {
        r.fail(r.at_end() ? missing_command : r.next_is(' ') ? expected_space : bad_argument);
      }
    }
    error.kind = *r.error();
    error.offset = r.error_offset();
    return error;
  }
  error.command = name;
  CommandBody body = parse_body(r, *name, error.uid);
  r.finish();
  if (!r.ok()) {
    error.kind = *r.error();
    error.offset = r.error_offset();
    return error;
  }
  return Command{std::string(tag), std::move(body)};
}

std::string_view parse_error_text(ParseErrorKind kind) { return error_texts.at(static_cast<std::size_t>(kind)); }

std::string_view ParseError::text() const { return parse_error_text(kind); }

std::optional<SequenceSet> parse_sequence_set(std::string_view text) {
  const ParserOptions options;
  Reader r(text, options);
  SequenceSet set = r.sequence_set();
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return set;
}

}  // namespace atrium::imap
