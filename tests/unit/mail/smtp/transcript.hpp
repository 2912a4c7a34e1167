// Golden transcript runner for mail/smtp: a small script (.in) drives a Session against the
// FakeBackend; the result is a readable transcript compared with the checked-in .ref.
#pragma once

#include <string>
#include <string_view>

namespace atrium::smtp::testing {

// Script lines (blank lines and lines starting with '#' are ignored):
//   option <key>=<value> ...   SessionOptions before the first client line: mode=mx|submission|
//                              submissions|lmtp, hostname, max_message_size, max_recipients,
//                              max_errors, tls_available, tls_active, tls_description,
//                              auth_without_tls_allowed, pipelining (booleans yes/no)
//   backend user <mailbox>... | full <mailbox>... | domain <domain>... |
//           login <authcid> <password> <principal> | owns <principal> <address or <>>... |
//           deliver <mailbox or *> <delivered|mailbox_full|unknown_user|rejected|temporary_failure> |
//           sender <accepted|not_owned|rejected|temporary_failure> | auth_temporary
//   C: <text>    one client line: the text (escapes \r \n \t \0 \\ \xHH) plus CRLF, fed alone
//   P: <text>    like C:, but consecutive P: lines are fed together (one pipelined packet)
//   R: <text>    raw bytes (escapes, no CRLF added), fed alone
//   timeout      records Session::current_timeout()
// Output: "C: ..." per client line as written, "S: ..." per reply line, "-- ..." per request.
// Throws std::runtime_error on a malformed script.
std::string run_transcript(std::string_view script);

}  // namespace atrium::smtp::testing
