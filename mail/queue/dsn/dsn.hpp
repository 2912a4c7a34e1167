// Delivery status notifications: the multipart/report message (RFC 3464, RFC 6522) that tells a
// sender what became of a message, with the RFC 3461 rules for when one is owed and the RFC 6533
// forms for internationalized mail. Pure: the queue gathers the facts, this writes the bytes, and
// local delivery files the result in the sender's INBOX.
#pragma once

#include "mail/queue/dsn/status.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::queue {

enum class DsnKind { failure, delay, success };

// RET= of the original MAIL command (RFC 3461 §4.3).
enum class DsnReturn { unspecified, full, headers };

// The Action field (RFC 3464 §2.3.3).
enum class DsnAction { failed, delayed, delivered, relayed, expanded };

std::string_view to_string(DsnAction a);

struct RecipientReport {
  std::string address;                   // the recipient as delivery tried it: Final-Recipient
  // ORCPT= as "addr-type;address" with the xtext already decoded ("rfc822;bob@example.com",
  // "utf-8;..."): Original-Recipient. A utf-8 address may still hold RFC 6533 "\x{...}" escapes.
  std::optional<std::string> orcpt;
  DsnAction action = DsnAction::failed;
  // "5.1.1" (see status.hpp). Not a status code: replaced by the action's class, X.0.0.
  std::string status;
  std::optional<std::string> remote_mta;   // the host whose reply is quoted: "mx.example.com"
  // The remote's SMTP reply, every line with its code ("550-5.1.1 ...\r\n550 5.1.1 ..."); lines
  // may end in CRLF or LF. Diagnostic-Code: smtp; with the lines joined by blanks.
  std::optional<std::string> diagnostic;
  // Our own words when there was no reply to quote ("no MX or address records for example.net"):
  // shown to the reader and, when `diagnostic` is absent, sent as Diagnostic-Code: X-Atrium; ...
  std::optional<std::string> explanation;
  std::optional<std::int64_t> last_attempt;      // seconds since the epoch: Last-Attempt-Date
  std::optional<std::int64_t> will_retry_until;  // Will-Retry-Until, written for delayed only
};

struct DsnInput {
  std::string reporting_host;  // our host name: Reporting-MTA, From and Message-ID domains
  std::string reverse_path;    // MAIL FROM of the original, without <>: the report's To
  std::optional<std::string> envid;  // ENVID=, xtext-decoded: Original-Envelope-Id
  DsnReturn ret = DsnReturn::unspecified;
  bool smtputf8 = false;       // the original arrived with SMTPUTF8 (RFC 6531)
  std::optional<std::int64_t> arrival;  // when the original was received: Arrival-Date
  std::string_view original;   // the original message (CRLF or LF), read during the call only
  DsnKind kind = DsnKind::failure;
  std::vector<RecipientReport> recipients;  // at least one for a meaningful report
  std::int64_t now = 0;        // the report's Date
  std::string message_id;      // a token unique to this report: Message-ID <token@reporting_host>
  // Without RET=, the whole original is returned in a failure report only up to this size.
  std::size_t full_return_limit = 256 * 1024;
};

// The complete report as an RFC 5322 message, every line ending in CRLF and at most 998 octets:
//   From: Mail Delivery System <MAILER-DAEMON@host>, To: <reverse path>, a Subject by kind
//   ("Undelivered Mail Returned to Sender", "Delayed Mail (still being retried)", "Successful
//   Mail Delivery Report"), Date, Message-ID, Auto-Submitted: auto-replied (RFC 3834 §5),
//   MIME-Version and Content-Type: multipart/report; report-type=delivery-status, then
//   1. text/plain: the explanation for a person, each recipient with its status and the reply;
//   2. message/delivery-status (RFC 3464 §2): Reporting-MTA, Original-Envelope-Id, Arrival-Date,
//      then per recipient Original-Recipient, Final-Recipient, Action, Status, Remote-MTA,
//      Diagnostic-Code, Last-Attempt-Date, Will-Retry-Until;
//   3. the original: message/rfc822 whole for a failure report with RET=FULL, or without RET when
//      it is at most full_return_limit; otherwise text/rfc822-headers with its header only.
//      Delay and success reports return the header only (the sender still has the message, and
//      RFC 3461 §4.3 ties RET to failure reports). The whole original is also not returned when
//      a body line exceeds 998 octets or holds NUL (it could not be carried unaltered). An empty
//      original leaves the part out.
// Internationalized mail (RFC 6533): when the original arrived with SMTPUTF8, its header holds
// 8-bit octets, or an address or other report field is non-ASCII UTF-8, the report uses
// report-type=global-delivery-status, message/global-delivery-status, message/global and
// message/global-headers; non-ASCII addresses are written as "utf-8; " utf-8-addr-unitext, and
// the text part is charset=utf-8. An 8-bit body under an ASCII header is plain 8BITMIME: the
// parts are marked Content-Transfer-Encoding: 8bit, the types stay as in RFC 3464.
// Untrusted strings (addresses, replies, the original) cannot break the structure: controls are
// dropped or escaped, invalid UTF-8 becomes '?', long values are folded, long original header
// lines are folded, line ends are made CRLF, and the boundary appears nowhere in the content.
std::string compose_dsn(const DsnInput& in);

// NOTIFY= of RCPT (RFC 3461 §4.1); absent when the client sent none.
struct NotifyRequest {
  bool never = false;
  bool success = false;
  bool failure = false;
  bool delay = false;
};

// What to do about delay notices for recipients that came without NOTIFY (RFC 3461 §4.1 leaves
// it to the MTA).
enum class DelayNoticeDefault { send, suppress };

// Whether a report of `kind` is owed for one recipient (RFC 3461 §4.1, RFC 3464):
//  - never for a null reverse-path ("" or "<>"): a bounce is not bounced (RFC 5321 §4.5.5);
//  - NOTIFY=NEVER: none;
//  - failure: when NOTIFY is absent or includes FAILURE;
//  - delay: when NOTIFY includes DELAY, or is absent and `delay_default` is send;
//  - success (delivered, relayed, expanded): only when NOTIFY includes SUCCESS.
bool should_send_dsn(DsnKind kind, std::string_view reverse_path, const std::optional<NotifyRequest>& notify,
                     DelayNoticeDefault delay_default);

}  // namespace atrium::mail::queue
