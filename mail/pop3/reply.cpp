// The one table of POP3 status lines and the reply formatter.
#include "mail/pop3/reply.hpp"

#include <array>
#include <cstddef>

namespace atrium::pop3 {
namespace {

using enum ReplyId;

// In enumerator order (checked at compile time below). Codes per RFC 2449 section 8 (IN-USE,
// LOGIN-DELAY), RFC 3206 (SYS/TEMP, SYS/PERM, AUTH); texts follow RFC 1939's examples where it
// has them.
constexpr std::array reply_table = {
    ReplySpec{greeting, true, "", "{} Atrium POP3 server ready"},
    ReplySpec{ok, true, "", ""},
    ReplySpec{capabilities, true, "", "Capability list follows"},
    ReplySpec{mechanisms, true, "", "SASL mechanisms follow"},
    ReplySpec{user_accepted, true, "", "Send your password"},
    ReplySpec{logged_in, true, "", "Maildrop has {} messages ({} octets)"},
    ReplySpec{stat, true, "", "{} {}"},
    ReplySpec{scan_listing, true, "", "{} {}"},
    ReplySpec{list_follows, true, "", "{} messages ({} octets)"},
    ReplySpec{unique_id, true, "", "{} {}"},
    ReplySpec{uidl_follows, true, "", "Unique-ID listing follows"},
    ReplySpec{retr, true, "", "{} octets"},
    ReplySpec{top, true, "", "Top of message follows"},
    ReplySpec{deleted, true, "", "Message {} deleted"},
    ReplySpec{maildrop_reset, true, "", "Maildrop has {} messages ({} octets)"},
    ReplySpec{begin_tls, true, "", "Begin TLS negotiation"},
    ReplySpec{signing_off, true, "", "{} Atrium POP3 server signing off"},
    ReplySpec{signing_off_update, true, "", "{} Atrium POP3 server signing off ({} messages left)"},
    ReplySpec{unknown_command, false, "", "Unknown command"},
    ReplySpec{line_too_long, false, "", "Line too long"},
    ReplySpec{invalid_character, false, "", "Invalid character in command"},
    ReplySpec{missing_argument, false, "", "Missing argument"},
    ReplySpec{unexpected_argument, false, "", "Too many arguments"},
    ReplySpec{bad_number, false, "", "Invalid number"},
    ReplySpec{too_many_errors, false, "", "Too many errors, closing connection"},
    ReplySpec{not_logged_in, false, "", "Not logged in"},
    ReplySpec{already_logged_in, false, "", "Already logged in"},
    ReplySpec{pass_without_user, false, "", "USER first"},
    ReplySpec{tls_already_active, false, "", "TLS already active"},
    ReplySpec{tls_not_available, false, "", "TLS not available"},
    ReplySpec{no_such_message, false, "", "No such message"},
    ReplySpec{message_deleted, false, "", "Message {} already deleted"},
    ReplySpec{message_gone, false, "", "Message {} no longer exists"},
    ReplySpec{message_unavailable, false, "SYS/TEMP", "Message cannot be read now, try again later"},
    ReplySpec{cleartext_refused, false, "AUTH", "Plaintext authentication disallowed without TLS; use STLS"},
    ReplySpec{auth_failed, false, "AUTH", "Authentication failed"},
    ReplySpec{auth_temporary_failure, false, "SYS/TEMP", "Temporary authentication failure, try again later"},
    ReplySpec{auth_mechanism_unknown, false, "", "Unsupported authentication mechanism"},
    ReplySpec{auth_cancelled, false, "", "Authentication cancelled"},
    ReplySpec{auth_malformed, false, "", "Malformed SASL response"},
    ReplySpec{in_use, false, "IN-USE", "Maildrop is locked by another POP3 session"},
    ReplySpec{maildrop_missing, false, "SYS/PERM", "No maildrop for this account"},
    ReplySpec{maildrop_unavailable, false, "SYS/TEMP", "Maildrop cannot be opened now, try again later"},
    ReplySpec{commit_failed, false, "SYS/TEMP", "Some deleted messages not removed"},
    ReplySpec{shutting_down, false, "SYS/TEMP", "Server shutting down"},
};

constexpr bool table_in_order() {
  for (std::size_t i = 0; i < reply_table.size(); ++i) {
    if (static_cast<std::size_t>(reply_table[i].id) != i) return false;
  }
  return reply_table.size() == static_cast<std::size_t>(shutting_down) + 1;
}
static_assert(table_in_order(), "reply_table must list every ReplyId in enumerator order");

}  // namespace

const ReplySpec& reply_spec(ReplyId id) { return reply_table.at(static_cast<std::size_t>(id)); }

void append_reply(std::string& out, const Reply& reply) {
  out += reply.positive ? "+OK" : "-ERR";
  if (!reply.code.empty()) {
    out += " [";
    out += reply.code;
    out += ']';
  }
  if (!reply.text.empty()) {
    out += ' ';
    out += reply.text;
  }
  out += "\r\n";
}

std::string format_reply(const Reply& reply) {
  std::string out;
  append_reply(out, reply);
  return out;
}

void append_multiline(std::string& out, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (line.starts_with('.')) out += '.';
    out += line;
    out += "\r\n";
  }
  out += ".\r\n";
}

}  // namespace atrium::pop3
