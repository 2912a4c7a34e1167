// The SMTP/LMTP envelope of one message as the protocol layer hands it to delivery: a plain
// struct with no dependency beyond the standard library, so the sans-I/O SMTP library can build
// it without linking the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::mail::delivery {

// Which protocol carried the message; chooses the Received "with" keyword (RFC 3848) and, with
// TLS and authentication, SMTP vs ESMTP[S][A] vs LMTP[S][A].
enum class Protocol { smtp, esmtp, lmtp };  // smtp: the client said HELO, not EHLO

// MAIL FROM BODY= (RFC 6152 8BITMIME, RFC 3030 BINARYMIME).
enum class BodyType { seven_bit, eight_bit_mime, binary_mime };

// MAIL FROM RET= (RFC 3461).
enum class DsnRet { unspecified, full, headers };

// RCPT TO NOTIFY= (RFC 3461) as a bit set; 0 = not given. `notify_never` stands alone.
enum DsnNotify : std::uint32_t {
  notify_success = 1u << 0,
  notify_failure = 1u << 1,
  notify_delay = 1u << 2,
  notify_never = 1u << 3,
};
using DsnNotifySet = std::uint32_t;

struct EnvelopeRecipient {
  std::string address;      // the forward-path without angle brackets, as the client gave it
  DsnNotifySet notify = 0;  // 0: NOTIFY not given
  std::string orcpt;        // ORCPT as "addr-type;address", xtext decoded; empty: not given
};

// Who the session authenticated as (auth::LoginResult's principal_id and canonical_email).
struct AuthenticatedUser {
  std::int64_t principal_id = 0;  // storage::PrincipalId
  std::string email;
};

struct Envelope {
  std::string reverse_path;  // MAIL FROM without angle brackets; empty: the null sender <>
  std::vector<EnvelopeRecipient> recipients;  // accepted RCPTs, in order (LMTP replies follow it)
  std::string envid;         // ENVID, xtext decoded; empty: not given
  DsnRet ret = DsnRet::unspecified;
  BodyType body_type = BodyType::seven_bit;
  bool smtputf8 = false;     // MAIL FROM carried SMTPUTF8
  // 8-bit octets arrived although BODY=8BITMIME was not declared; the message is stored as sent
  // and queued as 8BITMIME so the outbound worker never passes it to a 7-bit-only server as is.
  bool undeclared_8bit = false;
  std::string helo;          // the HELO/EHLO/LHLO argument
  std::string peer_ip;       // the client's address, "192.0.2.1" or "2001:db8::1" (no brackets)
  std::string tls;           // e.g. "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"; empty: plain text
  std::optional<AuthenticatedUser> authenticated;  // set after a successful AUTH
  Protocol protocol = Protocol::esmtp;
  // File into each local recipient's Junk folder instead of INBOX (DMARC p=quarantine). A
  // plus-address folder still wins: the user chose it.
  bool quarantine = false;
};

}  // namespace atrium::mail::delivery
