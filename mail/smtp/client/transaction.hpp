// One mail transaction as the client plans it before sending anything: the envelope, what the
// message needs from the server, and the MAIL/RCPT command lines with their ESMTP parameters
// (RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 3030 BINARYMIME, RFC 6531 SMTPUTF8, RFC 3461 DSN). Pure.
#pragma once

#include "mail/smtp/client/capabilities.hpp"
#include "mail/smtp/command.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::smtp::client {

// BodyType, DsnRet, DsnNotify and DsnOrcpt are the protocol's own types from mail/smtp/command.hpp.

struct Recipient {
  std::string address;             // the forward-path without angle brackets
  std::optional<DsnNotify> notify; // NOTIFY=, sent when the server offers DSN
  std::optional<DsnOrcpt> orcpt;   // ORCPT=, address decoded (xtext-encoded here); sent with DSN
};

struct Envelope {
  std::string reverse_path;         // without angle brackets; empty: the null reverse-path <>
  std::vector<Recipient> recipients;
  BodyType body = BodyType::unspecified;
  bool smtputf8 = false;            // the message needs SMTPUTF8 (UTF-8 header fields)
  std::optional<DsnRet> ret;        // RET=, sent with DSN
  std::optional<std::string> envid; // ENVID=, decoded (xtext-encoded here); sent with DSN
};

// Why a transaction was refused before anything was sent. The caller bounces or defers; the
// enhanced codes are the RFC 3463 / RFC 6531 ones for a delivery status notification.
enum class LocalReason {
  no_recipients,          // the envelope has none
  invalid_sender,         // reverse_path is not an RFC 5321 path (5.1.7)
  invalid_recipient,      // a recipient address is not (5.1.3); see LocalRefusal::recipient
  smtputf8_unsupported,   // needs SMTPUTF8, the server lacks it (5.6.7)
  eight_bit_unsupported,  // declared 8BITMIME, the server lacks it (5.6.3)
  binary_unsupported,     // BINARYMIME, the server lacks BINARYMIME or CHUNKING (5.6.3)
  too_big,                // larger than the server's SIZE limit (5.3.4)
};
std::string_view to_string(LocalReason r) noexcept;

struct LocalRefusal {
  LocalReason reason;
  std::string text;                      // for logs and the DSN's diagnostic
  std::optional<std::size_t> recipient;  // index into Envelope::recipients, for invalid_recipient
};

// What to send for one transaction on a server with given capabilities.
struct TransactionPlan {
  std::string mail;                // "MAIL FROM:<...> [params]\r\n"
  std::vector<std::string> rcpts;  // "RCPT TO:<...> [params]\r\n", one per recipient, in order
  bool bdat = false;               // send the message with BDAT rather than DATA
  bool binary = false;             // BINARYMIME: the message goes as it is, not canonicalised
  std::uint64_t size = 0;          // octets of the message as sent (before dot-stuffing)
};

struct PlanOptions {
  bool use_chunking = true;  // BDAT whenever CHUNKING is offered (BINARYMIME always needs it)
};

// Checks the envelope and message against `caps` and builds the commands, or says why not.
//  - Addresses must parse as RFC 5321 paths; a non-ASCII one needs SMTPUTF8 like Envelope::smtputf8.
//  - BODY=8BITMIME when declared, and also when the message has 8-bit octets and the server offers
//    8BITMIME; undeclared 8-bit octets go without BODY= to a server lacking it (legacy behaviour).
//  - SIZE= when offered; refused when over a non-zero limit.
//  - With DSN: RET=, ENVID= and ORCPT= xtext-encoded, NOTIFY=; an ENVID over 100 or ORCPT over
//    500 encoded octets (RFC 3461 limits) or an ORCPT address type that is not an atom is left
//    out rather than failing the transaction. Without DSN they are all left out.
std::variant<TransactionPlan, LocalRefusal> plan_transaction(const Envelope& envelope, std::string_view message,
                                                             const Capabilities& caps, const PlanOptions& options = {});

}  // namespace atrium::smtp::client
