// Enhanced status codes (RFC 3463) for delivery status notifications: from a remote SMTP reply,
// or for a failure found locally before or outside any reply (DNS, TLS policy, expiry).
#pragma once

#include <string>
#include <string_view>

namespace atrium::mail::queue {

// True for "class.subject.detail" as RFC 3463 §2 writes it: class 2, 4 or 5, subject and detail
// 1 to 3 digits each ("5.1.1", "4.7.10").
bool is_status_code(std::string_view s);

// What to assume when an outcome carries no usable class of its own (no reply at all, or a reply
// code outside 2xx/4xx/5xx).
enum class Permanence { transient, permanent };

// The DSN Status for an SMTP reply. `code` is the three-digit reply code; `enhanced` is the reply
// text after the code (its first word is read as the RFC 2034 enhanced code when it is one, so the
// whole text may be passed). Rules:
//  - a valid enhanced code whose class matches the reply code's first digit is used as it is;
//  - one whose class disagrees keeps its subject and detail under the reply's class
//    ("550 4.2.2 ..." gives 5.2.2: the reply code decides whether the failure is permanent);
//  - with no enhanced code, the class alone: 2.0.0, 4.0.0 or 5.0.0 (RFC 3463 X.0.0);
//  - with no valid reply code (0 for "no reply"), a valid enhanced code is used as it is, else
//    4.0.0 or 5.0.0 by `when_unknown`.
std::string status_from_reply(int code, std::string_view enhanced, Permanence when_unknown);

// Failures found by the delivery worker itself, with no SMTP reply to quote.
enum class LocalFailure {
  domain_not_found,      // 5.1.2  the recipient domain does not exist (NXDOMAIN): RFC 3463 X.1.2
                         //        "bad destination system address"
  no_route,              // 5.4.4  the domain has neither MX nor address records: RFC 3463 X.4.4
                         //        "unable to route"
  null_mx,               // 5.1.10 the domain publishes a null MX, "MX 0 ." (RFC 7505 §3-4): X.1.10
                         //        "recipient address has null MX" (RFC 7505 §4.2), as with the
                         //        556 reply of RFC 7504
  dns_temporary,         // 4.4.3  a lookup failed for now (SERVFAIL, timeout, DNSSEC bogus):
                         //        RFC 3463 X.4.3 "directory server failure"
  no_answer,             // 4.4.1  no MX host accepted a connection: RFC 3463 X.4.1
  connection_lost,       // 4.4.2  a connection broke or timed out mid-session: RFC 3463 X.4.2
  routing_loop,          // 5.4.6  the MX is this server, or too many Received fields: RFC 3463
                         //        X.4.6 "routing loop detected"
  expired,               // 4.4.7  the message stayed queued past the expiry (RFC 3463 X.4.7
                         //        "delivery time expired"); the DSN's Action is still "failed"
  tls_unavailable,       // 4.7.4  an MTA-STS enforce policy or DANE requires STARTTLS and the
                         //        host does not offer it: RFC 3463 X.7.4 "security features not
                         //        supported". Transient: RFC 8461 §5.1 forbids failing for good
                         //        before looking for an updated policy, RFC 7672 §2.2 defers
  tls_not_authenticated, // 4.7.5  the host's certificate does not satisfy the MTA-STS policy
                         //        (PKIX, name, mx match, RFC 8461 §4) or DANE TLSA records, or the
                         //        handshake failed: RFC 3463 X.7.5 "cryptographic failure";
                         //        transient for the same reasons
  message_too_big,       // 5.3.4  over the SIZE the next hop announced (RFC 1870): RFC 3463 X.3.4
  conversion_needed,     // 5.6.3  8-bit content for a host without 8BITMIME, and no conversion
                         //        is done: RFC 3463 X.6.3 "conversion required but not supported"
  smtputf8_unsupported,  // 5.6.7  an address or header needs SMTPUTF8 and the next hop does not
                         //        offer it (RFC 6531 §3.2 / §3.5: X.6.7 "non-ASCII addresses not
                         //        permitted")
};

// The status code above for `f`.
std::string_view local_failure_status(LocalFailure f);

// A short English phrase for a status code, for the human-readable part of a DSN: RFC 3463's
// title of the subject.detail when known, else of the subject class, else of the class; "" for
// a string that is not a status code.
std::string_view status_description(std::string_view status);

}  // namespace atrium::mail::queue
