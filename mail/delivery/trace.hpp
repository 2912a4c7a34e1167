// Trace fields local delivery prepends to a message: Return-Path and Received (RFC 5321 §4.4,
// "with" keywords per RFC 3848). Pure functions, so the exact bytes are testable.
#pragma once

#include "mail/delivery/envelope.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace atrium::mail::delivery {

struct TraceInfo {
  std::string_view hostname;  // our host name, the "by" domain
  std::string_view queue_id;  // the "id" clause; also what the SMTP reply names
  std::int64_t time = 0;      // seconds since the epoch, the date after ';'
};

// "Return-Path: <reverse-path>\r\n" followed by one Received field (folded, every line ending
// in CRLF). `for <rcpt>` appears only when the envelope has exactly one recipient. Envelope
// strings are untrusted: characters that could end a comment, a path or the field (controls,
// CR, LF, and non-ASCII unless SMTPUTF8 was given) are replaced, and lengths are capped, so the
// result is always one well-formed Return-Path and one well-formed Received.
std::string trace_fields(const Envelope& env, const TraceInfo& info);

// The RFC 3848 keyword: SMTP, ESMTP[S][A] or LMTP[S][A] ("S" with TLS, "A" when authenticated).
std::string with_keyword(const Envelope& env);

// RFC 5322 date-time in UTC, e.g. "Tue, 05 Mar 2024 14:03:07 +0000"; independent of locale.
std::string rfc5322_date(std::int64_t time);

}  // namespace atrium::mail::delivery
