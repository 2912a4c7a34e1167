// Golden transcript runner for mail/pop3: a small script (.in) drives a Session against the
// FakeBackend; the result is a readable transcript compared with the checked-in .ref.
#pragma once

#include <string>
#include <string_view>

namespace atrium::pop3::testing {

// Script lines (blank lines and lines starting with '#' are ignored):
//   option <key>=<value> ...   SessionOptions before the first client line: hostname,
//                              max_errors, tls_available, tls_active, cleartext (yes/no)
//   backend login <authcid> <password> <principal> <account>
//           message <principal> <key> <unique-id> <content, escapes as below>
//           in_use <principal> | missing <principal> | gone <key> | unreadable <key> |
//           auth_temporary | maildrop_temporary | commit_fails
//   C: <text>    one client line: the text (escapes \r \n \t \0 \\ \xHH) plus CRLF, fed alone
//   P: <text>    like C:, but consecutive P: lines are fed together (one pipelined packet)
//   R: <text>    raw bytes (escapes, no CRLF added), fed alone
// Output: "C: ..." per client line as written, "S: ..." per line sent, "-- ..." per request,
// and at the end "-- commits: ..." listing every Commit the backend saw.
// Throws std::runtime_error on a malformed script.
std::string run_transcript(std::string_view script);

}  // namespace atrium::pop3::testing
