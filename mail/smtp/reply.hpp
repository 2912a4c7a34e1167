// SMTP replies as types: every reply the server sends is a ReplyId whose code, enhanced status
// code (RFC 3463) and text live in ONE table (reply.cpp); format_reply turns a Reply into bytes.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

namespace atrium::smtp {

// One reply, possibly multi-line. `enhanced` is empty where RFC 2034 puts none (the 220
// greeting, 334 challenges, 354, the EHLO/LHLO response).
struct Reply {
  int code = 0;
  std::string enhanced;
  std::vector<std::string> lines;  // one entry per line; empty means one line with no text

  bool positive() const { return code < 400; }
};

// Every reply the server sends. Texts are in reply.cpp; `{}` in a text is filled by make_reply.
enum class ReplyId {
  // 2xx / 3xx
  greeting,              // 220 {host} ESMTP
  greeting_lmtp,         // 220 {host} LMTP
  ehlo_first_line,       // 250 {host} (EHLO/LHLO; capability lines follow)
  helo,                  // 250 {host}
  ok,                    // 250 2.0.0
  sender_ok,             // 250 2.1.0
  recipient_ok,          // 250 2.1.5
  message_accepted,      // 250 2.0.0
  lmtp_delivered,        // 250 2.1.5 (LMTP, per recipient; prefixed with the address)
  chunk_received,        // 250 2.0.0 {n} octets
  vrfy_cannot_verify,    // 252 2.5.0
  help,                  // 214 2.0.0 {verbs}
  closing,               // 221 2.0.0 {host}
  ready_for_tls,         // 220 2.0.0
  auth_succeeded,        // 235 2.7.0
  auth_challenge,        // 334 {base64}
  start_mail_input,      // 354
  // 4xx
  too_many_errors,       // 421 4.7.0 {host}
  tls_not_available,     // 454 4.7.0
  auth_temporary_failure,// 454 4.7.0
  mailbox_full,          // 452 4.2.2
  too_many_recipients,   // 452 4.5.3
  temporary_failure,     // 451 4.3.0
  // 5xx: syntax
  unrecognized_command,  // 500 5.5.1
  line_too_long,         // 500 5.5.2
  bare_lf_in_command,    // 500 5.5.2
  invalid_character,     // 500 5.5.2
  missing_argument,      // 501 5.5.4
  unexpected_argument,   // 501 5.5.4
  bad_domain,            // 501 5.5.4
  bad_sender_syntax,     // 501 5.1.7
  bad_recipient_syntax,  // 501 5.1.3
  sender_too_long,       // 501 5.1.7
  recipient_too_long,    // 501 5.1.3
  bad_parameter_value,   // 501 5.5.4
  duplicate_parameter,   // 501 5.5.4
  bad_chunk_size,        // 501 5.5.4
  unknown_parameter,     // 555 5.5.4
  body_type_unsupported, // 555 5.5.4
  // 5xx: sequence and policy
  need_hello,            // 503 5.5.1
  nested_mail,           // 503 5.5.1
  need_mail,             // 503 5.5.1
  no_valid_recipients,   // 554 5.5.1
  data_in_bdat_transaction,  // 503 5.5.1
  bad_sequence,          // 503 5.5.1
  tls_already_active,    // 503 5.5.1
  auth_not_enabled,      // 503 5.5.1
  already_authenticated, // 503 5.5.1
  auth_in_transaction,   // 503 5.5.1
  must_starttls,         // 530 5.7.0
  auth_required,         // 530 5.7.0
  auth_mechanism_unknown,// 504 5.5.4
  auth_cancelled,        // 501 5.0.0
  auth_malformed,        // 501 5.5.2
  auth_invalid,          // 535 5.7.8
  pipelining_violation,  // 554 5.5.0 {verb}
  message_too_big,       // 552 5.3.4
  non_ascii_address,     // 553 5.6.7
  relay_denied,          // 554 5.7.1
  unknown_user,          // 550 5.1.1
  recipient_rejected,    // 550 5.7.1
  sender_not_owned,      // 553 5.7.1
  sender_rejected,       // 550 5.7.1
  bare_line_ending,      // 550 5.6.0
  nul_in_message,        // 550 5.6.0
  message_line_too_long, // 550 5.6.0
  dmarc_rejected,        // 550 5.7.1
  message_rejected,      // 554 5.7.0
};

// The code, enhanced code and text template of one ReplyId.
struct ReplySpec {
  ReplyId id;
  int code;
  std::string_view enhanced;
  std::string_view text;
};

// The table entry for `id`. Every enumerator has one (the unit test walks them all).
const ReplySpec& reply_spec(ReplyId id);

// One-line reply for `id`, with `args` substituted for the `{}` of its text. The number of
// arguments must match the template's placeholders (a mismatch throws fmt::format_error: a bug).
template <class... Args>
Reply make_reply(ReplyId id, const Args&... args) {
  const ReplySpec& spec = reply_spec(id);
  Reply reply{.code = spec.code, .enhanced = std::string(spec.enhanced)};
  if constexpr (sizeof...(Args) == 0) {
    reply.lines.emplace_back(spec.text);
  } else {
    reply.lines.push_back(fmt::format(fmt::runtime(spec.text), args...));
  }
  return reply;
}

// Wire form: "ddd-" on every line but the last, "ddd " on the last, then the enhanced code and a
// space when there is one, the text and CRLF. Appends to `out`.
void append_reply(std::string& out, const Reply& reply);
std::string format_reply(const Reply& reply);

}  // namespace atrium::smtp
