// APPEND (RFC 9051 section 6.3.12) with MULTIAPPEND (RFC 3502), BINARY literal8 (RFC 3516) and
// UTF8 (RFC 6855). Message content is not copied: it stays a view into the framed bytes.
#include "core/text/ascii.hpp"
#include "mail/imap/parse_detail.hpp"

namespace atrium::imap::detail {
namespace {

using enum ParseErrorKind;

// append-opts SP append-data, after the SP that precedes it.
AppendMessage parse_message(Reader& r) {
  AppendMessage m;
  if (r.next_is('(')) {
    m.flags = r.flag_list();
    r.sp();
  }
  if (r.next_is('"')) {
    m.internal_date = r.date_time();
    r.sp();
  }
  if (r.take_keyword("UTF8")) {
    // "UTF8" SP "(" literal8 ")"
    r.sp();
    r.expect('(', bad_argument);
    const Reader::LiteralData d = r.literal_data();
    if (r.ok() && !d.binary) r.fail(bad_literal);
    r.expect(')', bad_argument);
    m.data = AppendData::utf8;
    m.content = d.content;
    return m;
  }
  const Reader::LiteralData d = r.literal_data();
  m.data = d.binary ? AppendData::literal8 : AppendData::literal;
  m.content = d.content;
  return m;
}

}  // namespace

Append parse_append(Reader& r) {
  Append a;
  r.sp();
  a.mailbox = r.mailbox();
  do {
    r.sp();
    a.messages.push_back(parse_message(r));
  } while (r.ok() && r.more_after_space());
  return a;
}

}  // namespace atrium::imap::detail
