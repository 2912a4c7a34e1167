// FETCH (RFC 9051 section 6.4.5, BINARY RFC 3516, CONDSTORE/QRESYNC modifiers RFC 7162,
// OBJECTID RFC 8474, SAVEDATE RFC 8514) and STORE (with UNCHANGEDSINCE).
#include "core/text/ascii.hpp"
#include "mail/imap/parse_detail.hpp"

namespace atrium::imap::detail {
namespace {

using enum ParseErrorKind;

// A header field name as RFC 5322 section 2.2 allows: printable US-ASCII except ":".
bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == ':') return false;
  }
  return true;
}

// "(" header-fld-name *(SP header-fld-name) ")"
std::vector<std::string> parse_header_list(Reader& r) {
  std::vector<std::string> fields;
  r.expect('(', bad_section);
  if (r.next_is(')')) r.fail(bad_section);  // the list is never empty
  do {
    std::string f = r.astring();
    if (r.ok() && !is_field_name(f)) r.fail(bad_section);
    fields.push_back(std::move(f));
  } while (r.ok() && r.take(' '));
  r.expect(')', bad_section);
  return fields;
}

// section-spec after "[" up to and including "]". `binary`: section-binary, part numbers only.
Section parse_section(Reader& r, bool binary) {
  Section s;
  if (r.take(']')) return s;
  bool text_follows = true;
  if (r.peek() >= '0' && r.peek() <= '9') {
    text_follows = false;
    while (r.ok()) {
      s.part.push_back(r.nz_number(bad_section));
      if (!r.next_is('.')) break;
      r.take('.');
      if (!(r.peek() >= '0' && r.peek() <= '9')) {
        text_follows = true;
        break;
      }
    }
  }
  if (text_follows && r.ok()) {
    const std::string_view w = r.word();
    if (binary) {
      r.fail(bad_section);
    } else if (text::iequals(w, "HEADER")) {
      s.text = SectionText::header;
    } else if (text::iequals(w, "TEXT")) {
      s.text = SectionText::text;
    } else if (text::iequals(w, "MIME") && !s.part.empty()) {
      s.text = SectionText::mime;
    } else if (text::iequals(w, "HEADER.FIELDS") || text::iequals(w, "HEADER.FIELDS.NOT")) {
      s.text = w.size() == 13 ? SectionText::header_fields : SectionText::header_fields_not;
      r.sp();
      s.fields = parse_header_list(r);
    } else {
      r.fail(bad_section);
    }
  }
  r.expect(']', bad_section);
  return s;
}

// "<" number64 "." nz-number64 ">"
std::optional<Partial> parse_partial(Reader& r) {
  if (!r.take('<')) return std::nullopt;
  Partial p;
  p.offset = r.number64(bad_section);
  r.expect('.', bad_section);
  p.length = r.nz_number64(bad_section);
  r.expect('>', bad_section);
  return p;
}

FetchAttribute simple(FetchItem item) { return FetchAttribute{.item = item}; }

FetchAttribute parse_attribute(Reader& r) {
  struct Name {
    std::string_view name;
    FetchItem item;
  };
  static constexpr Name simple_names[] = {
      {"ENVELOPE", FetchItem::envelope},         {"FLAGS", FetchItem::flags},
      {"INTERNALDATE", FetchItem::internal_date}, {"RFC822", FetchItem::rfc822},
      {"RFC822.HEADER", FetchItem::rfc822_header}, {"RFC822.SIZE", FetchItem::rfc822_size},
      {"RFC822.TEXT", FetchItem::rfc822_text},   {"BODYSTRUCTURE", FetchItem::body_structure},
      {"UID", FetchItem::uid},                   {"MODSEQ", FetchItem::modseq},
      {"EMAILID", FetchItem::email_id},          {"THREADID", FetchItem::thread_id},
      {"SAVEDATE", FetchItem::save_date},
  };
  const std::size_t start = r.offset();
  const std::string_view w = r.word();
  for (const Name& n : simple_names) {
    if (text::iequals(w, n.name)) return simple(n.item);
  }
  FetchAttribute a;
  if (text::iequals(w, "BODY") || text::iequals(w, "BODY.PEEK")) {
    a.peek = w.size() == 9;
    if (!r.take('[')) {
      if (!a.peek) return simple(FetchItem::body);
      r.fail_here(bad_fetch_attribute);
      return a;
    }
    a.item = FetchItem::body_section;
    a.section = parse_section(r, false);
    a.partial = parse_partial(r);
    return a;
  }
  if (text::iequals(w, "BINARY") || text::iequals(w, "BINARY.PEEK") || text::iequals(w, "BINARY.SIZE")) {
    const bool size = text::iequals(w, "BINARY.SIZE");
    a.item = size ? FetchItem::binary_size : FetchItem::binary;
    a.peek = text::iequals(w, "BINARY.PEEK");
    if (!r.take('[')) {
      r.fail_here(bad_fetch_attribute);
      return a;
    }
    a.section = parse_section(r, true);
    if (!size) a.partial = parse_partial(r);
    return a;
  }
  if (r.offset() == start) {
    r.fail_here(bad_fetch_attribute);
  } else {
    r.fail_at(bad_fetch_attribute, start);
  }
  return a;
}

// The macros of RFC 9051 section 6.4.5, in the order the RFC lists their items.
bool expand_macro(std::string_view w, std::vector<FetchAttribute>& attrs) {
  const bool all = text::iequals(w, "ALL");
  const bool fast = text::iequals(w, "FAST");
  const bool full = text::iequals(w, "FULL");
  if (!all && !fast && !full) return false;
  attrs = {simple(FetchItem::flags), simple(FetchItem::internal_date), simple(FetchItem::rfc822_size)};
  if (all || full) attrs.push_back(simple(FetchItem::envelope));
  if (full) attrs.push_back(simple(FetchItem::body));
  return true;
}

}  // namespace

Fetch parse_fetch(Reader& r, bool uid) {
  Fetch f;
  f.uid = uid;
  r.sp();
  f.set = r.sequence_set();
  r.sp();
  if (r.take('(')) {
    do {
      f.attrs.push_back(parse_attribute(r));
    } while (r.ok() && r.take(' '));
    r.expect(')', bad_fetch_attribute);
  } else if (expand_macro(r.peek_word(), f.attrs)) {
    r.word();
  } else {
    f.attrs.push_back(parse_attribute(r));
  }
  // fetch-modifiers (RFC 4466): SP "(" modifier *(SP modifier) ")"
  if (r.more_after_space() && r.peek_at(1) == '(') {
    r.take(' ');
    r.take('(');
    do {
      if (r.take_keyword("CHANGEDSINCE")) {
        if (f.changed_since) r.fail(bad_modifier);
        r.sp();
        // mod-sequence-value is non-zero in RFC 7162, but 0 ("everything") loses nothing and
        // some clients send it after a server reported HIGHESTMODSEQ 0.
        f.changed_since = r.number64(bad_modifier);
      } else if (r.take_keyword("VANISHED")) {
        if (f.vanished) r.fail(bad_modifier);
        f.vanished = true;
      } else {
        r.fail_here(bad_modifier);
      }
    } while (r.ok() && r.take(' '));
    r.expect(')', bad_modifier);
  }
  // RFC 7162 section 3.2.6: VANISHED only in UID FETCH and only with CHANGEDSINCE.
  if (r.ok() && f.vanished && (!uid || !f.changed_since)) r.fail(bad_modifier);
  return f;
}

Store parse_store(Reader& r, bool uid) {
  Store s;
  s.uid = uid;
  r.sp();
  s.set = r.sequence_set();
  r.sp();
  // store-modifiers (RFC 4466, RFC 7162): "(" UNCHANGEDSINCE n ")" SP
  if (r.take('(')) {
    do {
      if (r.take_keyword("UNCHANGEDSINCE")) {
        if (s.unchanged_since) r.fail(bad_modifier);
        r.sp();
        s.unchanged_since = r.number64(bad_modifier);
      } else {
        r.fail_here(bad_modifier);
      }
    } while (r.ok() && r.take(' '));
    r.expect(')', bad_modifier);
    r.sp();
  }
  if (r.take('+')) {
    s.action = StoreAction::add;
  } else if (r.take('-')) {
    s.action = StoreAction::remove;
  }
  const std::string_view w = r.word();
  if (text::iequals(w, "FLAGS.SILENT")) {
    s.silent = true;
  } else if (!text::iequals(w, "FLAGS")) {
    r.fail(bad_argument);
  }
  r.sp();
  if (r.next_is('(')) {
    s.flags = r.flag_list();
  } else {
    // The unparenthesised form: flag *(SP flag).
    s.flags.push_back(r.flag());
    while (r.ok() && r.more_after_space()) {
      r.take(' ');
      s.flags.push_back(r.flag());
    }
  }
  return s;
}

}  // namespace atrium::imap::detail
