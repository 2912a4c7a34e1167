// ENVELOPE assembly.
#include "mail/mime/envelope.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/rfc2047.hpp"

namespace atrium::mail::mime {
namespace {

void append_addresses(std::vector<Address>& to, std::vector<Address> more) {
  for (auto& a : more) {
    if (to.size() >= max_addresses) return;
    to.push_back(std::move(a));
  }
}

void write_addresses(std::string& out, const std::vector<Address>& list, ImapCharset cs) {
  if (list.empty()) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  for (const Address& a : list) {
    switch (a.kind) {
      case Address::Kind::group_start:
        out.append("(NIL NIL ");
        append_imap_nstring(out, a.mailbox, cs);
        out.append(" NIL)");
        break;
      case Address::Kind::group_end:
        out.append("(NIL NIL NIL NIL)");
        break;
      case Address::Kind::mailbox:
        out.push_back('(');
        if (a.name) {
          append_imap_string(out, collapse_white_space(*a.name), cs);
        } else {
          out.append("NIL");
        }
        out.push_back(' ');
        append_imap_nstring(out, a.route, cs);
        out.push_back(' ');
        append_imap_string(out, a.mailbox.value_or("MISSING_MAILBOX"), cs);
        out.push_back(' ');
        append_imap_string(out, a.domain.value_or("MISSING_DOMAIN"), cs);
        out.push_back(')');
        break;
    }
  }
  out.push_back(')');
}

}  // namespace

EnvelopeFields read_envelope_fields(const HeaderBlock& header) {
  EnvelopeFields f;
  for (const HeaderField& h : header.fields) {
    const std::string_view n = h.name;
    if (text::iequals(n, "Date")) {
      f.date = h.value;
    } else if (text::iequals(n, "Subject")) {
      f.subject = h.value;
    } else if (text::iequals(n, "In-Reply-To")) {
      f.in_reply_to = h.value;
    } else if (text::iequals(n, "Message-ID")) {
      f.message_id = h.value;
    } else if (text::iequals(n, "From")) {
      append_addresses(f.from, parse_address_list(h.value));
    } else if (text::iequals(n, "Sender")) {
      append_addresses(f.sender, parse_address_list(h.value));
    } else if (text::iequals(n, "Reply-To")) {
      append_addresses(f.reply_to, parse_address_list(h.value));
    } else if (text::iequals(n, "To")) {
      append_addresses(f.to, parse_address_list(h.value));
    } else if (text::iequals(n, "Cc")) {
      append_addresses(f.cc, parse_address_list(h.value));
    } else if (text::iequals(n, "Bcc")) {
      append_addresses(f.bcc, parse_address_list(h.value));
    }
  }
  return f;
}

std::string format_envelope(const EnvelopeFields& f, const EnvelopeOptions& options) {
  const ImapCharset cs = options.charset;
  std::string out;
  out.push_back('(');
  append_imap_nstring(out, f.date, cs);
  out.push_back(' ');
  if (f.subject) {
    append_imap_string(out, collapse_white_space(*f.subject), cs);
  } else {
    out.append("NIL");
  }
  out.push_back(' ');
  write_addresses(out, f.from, cs);
  out.push_back(' ');
  write_addresses(out, f.sender.empty() ? f.from : f.sender, cs);
  out.push_back(' ');
  write_addresses(out, f.reply_to.empty() ? f.from : f.reply_to, cs);
  out.push_back(' ');
  write_addresses(out, f.to, cs);
  out.push_back(' ');
  write_addresses(out, f.cc, cs);
  out.push_back(' ');
  write_addresses(out, f.bcc, cs);
  out.push_back(' ');
  append_imap_nstring(out, f.in_reply_to, cs);
  out.push_back(' ');
  append_imap_nstring(out, f.message_id, cs);
  out.push_back(')');
  return out;
}

std::string imap_envelope(std::string_view message, const Message& parsed, std::size_t part,
                          const EnvelopeOptions& options) {
  if (part >= parsed.parts.size()) return format_envelope({}, options);
  const HeaderBlock header = read_headers(parsed.parts[part].header_in(message));
  return format_envelope(read_envelope_fields(header), options);
}

}  // namespace atrium::mail::mime
