// POP3 replies as types: every status line the server sends is a ReplyId whose indicator, RFC
// 2449 response code and text live in ONE table (reply.cpp). Multi-line bodies (CAPA, LIST,
// UIDL) are formatted here too; message content is the MessageEncoder's job.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace atrium::pop3 {

// One status line: "+OK text" or "-ERR [CODE] text".
struct Reply {
  bool positive = true;
  std::string code;  // RFC 2449 extended response code without brackets, e.g. "IN-USE"; may be empty
  std::string text;
};

enum class ReplyId {
  // +OK
  greeting,            // {host} Atrium POP3 server ready
  ok,                  // (no text)
  capabilities,        // Capability list follows
  mechanisms,          // SASL mechanisms follow (AUTH without an argument)
  user_accepted,       // Send your password
  logged_in,           // Maildrop has {} messages ({} octets)
  stat,                // {count} {octets}
  scan_listing,        // {n} {octets}
  list_follows,        // {} messages ({} octets)
  unique_id,           // {n} {unique-id}
  uidl_follows,        // Unique-ID listing follows
  retr,                // {} octets
  top,                 // Top of message follows
  deleted,             // Message {} deleted
  maildrop_reset,      // Maildrop has {} messages ({} octets)
  begin_tls,           // Begin TLS negotiation
  signing_off,         // {host} Atrium POP3 server signing off
  signing_off_update,  // {host} Atrium POP3 server signing off ({} messages left)
  // -ERR: syntax
  unknown_command,
  line_too_long,
  invalid_character,
  missing_argument,
  unexpected_argument,
  bad_number,
  too_many_errors,
  // -ERR: state
  not_logged_in,          // a TRANSACTION command in AUTHORIZATION
  already_logged_in,      // an AUTHORIZATION command in TRANSACTION
  pass_without_user,
  tls_already_active,
  tls_not_available,
  // -ERR: messages
  no_such_message,
  message_deleted,        // Message {} already deleted
  message_gone,           // Message {} no longer exists
  message_unavailable,    // [SYS/TEMP]
  // -ERR: authentication
  cleartext_refused,      // [AUTH] no passwords without TLS here
  auth_failed,            // [AUTH]
  auth_temporary_failure, // [SYS/TEMP]
  auth_mechanism_unknown,
  auth_cancelled,
  auth_malformed,
  // -ERR: maildrop
  in_use,                 // [IN-USE]
  maildrop_missing,       // [SYS/PERM]
  maildrop_unavailable,   // [SYS/TEMP]
  commit_failed,          // [SYS/TEMP] some deleted messages not removed
  shutting_down,          // [SYS/TEMP]
};

// The indicator, response code and text template of one ReplyId.
struct ReplySpec {
  ReplyId id;
  bool positive;
  std::string_view code;
  std::string_view text;
};

// The table entry for `id`. Every enumerator has one (the unit test walks them all).
const ReplySpec& reply_spec(ReplyId id);

// The reply for `id` with `args` substituted for the `{}` of its text. The number of arguments
// must match the template's placeholders (a mismatch throws fmt::format_error: a bug).
template <class... Args>
Reply make_reply(ReplyId id, const Args&... args) {
  const ReplySpec& spec = reply_spec(id);
  Reply reply{.positive = spec.positive, .code = std::string(spec.code), .text = {}};
  if constexpr (sizeof...(Args) == 0) {
    reply.text = spec.text;
  } else {
    reply.text = fmt::format(fmt::runtime(spec.text), args...);
  }
  return reply;
}

// Wire form: "+OK" or "-ERR", then " [CODE]" when there is a code, then " text" when there is
// text, then CRLF. Appends to `out`.
void append_reply(std::string& out, const Reply& reply);
std::string format_reply(const Reply& reply);

// A multi-line body: each line dot-stuffed (RFC 1939 section 3) and CRLF-terminated, then the
// ".CRLF" terminator. Appends to `out`.
void append_multiline(std::string& out, const std::vector<std::string>& lines);

}  // namespace atrium::pop3
