// The one table of SMTP reply codes and texts, and the reply formatter.
#include "mail/smtp/reply.hpp"

#include <array>
#include <cstddef>

namespace atrium::smtp {
namespace {

using enum ReplyId;

// In enumerator order (checked at compile time below). Enhanced codes per RFC 3463 and the
// RFCs that define each reply; texts follow Postfix where clients or people are used to them.
constexpr std::array reply_table = {
    ReplySpec{greeting, 220, "", "{} ESMTP Atrium"},
    ReplySpec{greeting_lmtp, 220, "", "{} LMTP Atrium"},
    ReplySpec{ehlo_first_line, 250, "", "{}"},
    ReplySpec{helo, 250, "", "{}"},
    ReplySpec{ok, 250, "2.0.0", "OK"},
    ReplySpec{sender_ok, 250, "2.1.0", "Sender OK"},
    ReplySpec{recipient_ok, 250, "2.1.5", "Recipient OK"},
    ReplySpec{message_accepted, 250, "2.0.0", "Message accepted for delivery"},
    ReplySpec{lmtp_delivered, 250, "2.1.5", "Delivered"},
    ReplySpec{chunk_received, 250, "2.0.0", "{} octets received"},
    ReplySpec{vrfy_cannot_verify, 252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"},
    ReplySpec{help, 214, "2.0.0", "Commands: {}"},
    ReplySpec{closing, 221, "2.0.0", "{} closing connection"},
    ReplySpec{ready_for_tls, 220, "2.0.0", "Ready to start TLS"},
    ReplySpec{auth_succeeded, 235, "2.7.0", "Authentication successful"},
    ReplySpec{auth_challenge, 334, "", "{}"},
    ReplySpec{start_mail_input, 354, "", "End data with <CR><LF>.<CR><LF>"},
    ReplySpec{too_many_errors, 421, "4.7.0", "{} Too many errors, closing connection"},
    ReplySpec{tls_not_available, 454, "4.7.0", "TLS not available due to temporary reason"},
    ReplySpec{auth_temporary_failure, 454, "4.7.0", "Temporary authentication failure"},
    ReplySpec{mailbox_full, 452, "4.2.2", "Mailbox full"},
    ReplySpec{too_many_recipients, 452, "4.5.3", "Too many recipients"},
    ReplySpec{temporary_failure, 451, "4.3.0", "Temporary failure, please try again later"},
    ReplySpec{unrecognized_command, 500, "5.5.1", "Command unrecognized"},
    ReplySpec{line_too_long, 500, "5.5.2", "Line too long"},
    ReplySpec{bare_lf_in_command, 500, "5.5.2", "Bare LF received; lines must end with CRLF"},
    ReplySpec{invalid_character, 500, "5.5.2", "Invalid character in command"},
    ReplySpec{missing_argument, 501, "5.5.4", "Missing argument"},
    ReplySpec{unexpected_argument, 501, "5.5.4", "Syntax error (no arguments allowed)"},
    ReplySpec{bad_domain, 501, "5.5.4", "Invalid domain name"},
    ReplySpec{bad_sender_syntax, 501, "5.1.7", "Bad sender address syntax"},
    ReplySpec{bad_recipient_syntax, 501, "5.1.3", "Bad recipient address syntax"},
    ReplySpec{sender_too_long, 501, "5.1.7", "Sender address too long"},
    ReplySpec{recipient_too_long, 501, "5.1.3", "Recipient address too long"},
    ReplySpec{bad_parameter_value, 501, "5.5.4", "Invalid parameter value"},
    ReplySpec{duplicate_parameter, 501, "5.5.4", "Duplicate parameter"},
    ReplySpec{bad_chunk_size, 501, "5.5.4", "Invalid BDAT command"},
    ReplySpec{unknown_parameter, 555, "5.5.4", "Unsupported parameter"},
    ReplySpec{body_type_unsupported, 555, "5.5.4", "BODY=BINARYMIME not supported"},
    ReplySpec{need_hello, 503, "5.5.1", "Send hello first"},
    ReplySpec{nested_mail, 503, "5.5.1", "Sender already specified"},
    ReplySpec{need_mail, 503, "5.5.1", "Need MAIL command"},
    ReplySpec{no_valid_recipients, 554, "5.5.1", "No valid recipients"},
    ReplySpec{data_in_bdat_transaction, 503, "5.5.1", "DATA not allowed in a BDAT transaction"},
    ReplySpec{bad_sequence, 503, "5.5.1", "Bad sequence of commands"},
    ReplySpec{tls_already_active, 503, "5.5.1", "TLS already active"},
    ReplySpec{auth_not_enabled, 503, "5.5.1", "Authentication not enabled"},
    ReplySpec{already_authenticated, 503, "5.5.1", "Already authenticated"},
    ReplySpec{auth_in_transaction, 503, "5.5.1", "AUTH not permitted during a mail transaction"},
    ReplySpec{must_starttls, 530, "5.7.0", "Must issue a STARTTLS command first"},
    ReplySpec{auth_required, 530, "5.7.0", "Authentication required"},
    ReplySpec{auth_mechanism_unknown, 504, "5.5.4", "Unrecognized authentication type"},
    ReplySpec{auth_cancelled, 501, "5.0.0", "Authentication cancelled"},
    ReplySpec{auth_malformed, 501, "5.5.2", "Cannot decode response"},
    ReplySpec{auth_invalid, 535, "5.7.8", "Authentication credentials invalid"},
    ReplySpec{pipelining_violation, 554, "5.5.0", "Protocol error: command pipelined after {}"},
    ReplySpec{message_too_big, 552, "5.3.4", "Message size exceeds fixed maximum message size"},
    ReplySpec{non_ascii_address, 553, "5.6.7", "Non-ASCII address requires SMTPUTF8"},
    ReplySpec{relay_denied, 554, "5.7.1", "Relay access denied"},
    ReplySpec{unknown_user, 550, "5.1.1", "User unknown"},
    ReplySpec{recipient_rejected, 550, "5.7.1", "Recipient address rejected"},
    ReplySpec{sender_not_owned, 553, "5.7.1", "Sender address not owned by authenticated user"},
    ReplySpec{sender_rejected, 550, "5.7.1", "Sender address rejected"},
    ReplySpec{bare_line_ending, 550, "5.6.0", "Message contains bare CR or LF; lines must end with CRLF"},
    ReplySpec{nul_in_message, 550, "5.6.0", "Message contains NUL octets"},
    ReplySpec{message_line_too_long, 550, "5.6.0", "Message contains a line longer than 998 octets"},
    ReplySpec{dmarc_rejected, 550, "5.7.1", "Message rejected by the sender domain's DMARC policy"},
    ReplySpec{message_rejected, 554, "5.7.0", "Message rejected"},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < reply_table.size(); ++i) {
    if (static_cast<std::size_t>(reply_table[i].id) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "reply_table must list every ReplyId in enumerator order");
static_assert(reply_table.back().id == message_rejected, "reply_table must end with the last ReplyId");

}  // namespace

const ReplySpec& reply_spec(ReplyId id) { return reply_table.at(static_cast<std::size_t>(id)); }

void append_reply(std::string& out, const Reply& reply) {
  const std::size_t n = reply.lines.empty() ? 1 : reply.lines.size();
  for (std::size_t i = 0; i < n; ++i) {
    out += fmt::format("{:03d}", reply.code);
    out += i + 1 < n ? '-' : ' ';
    if (!reply.enhanced.empty()) {
      out += reply.enhanced;
      out += ' ';
    }
    if (!reply.lines.empty()) out += reply.lines[i];
    out += "\r\n";
  }
}

std::string format_reply(const Reply& reply) {
  std::string out;
  append_reply(out, reply);
  return out;
}

}  // namespace atrium::smtp
