// The SMTP envelope handed to delivery with the message: who sent it, to whom (with each
// recipient's DSN parameters and the backend's resolution token), and how it arrived.
#pragma once

#include "mail/smtp/command.hpp"
#include "mail/smtp/path.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::smtp {

// The greeting the client used: HELO means plain SMTP, EHLO ESMTP, LHLO LMTP (the "with"
// keyword of the Received header, RFC 3848).
enum class HelloVerb { helo, ehlo, lhlo };

struct EnvelopeRecipient {
  Path path;
  RcptParams params;    // NOTIFY / ORCPT as sent
  std::string token;    // RecipientResult::token from the backend (e.g. a resolved principal id)
};

struct Envelope {
  Path reverse_path;                          // null for bounces
  std::vector<EnvelopeRecipient> recipients;  // accepted recipients, in RCPT order
  BodyType body = BodyType::unspecified;
  bool smtputf8 = false;
  std::optional<DsnRet> ret;
  std::optional<std::string> envid;           // xtext-decoded
  std::optional<std::uint64_t> declared_size; // MAIL SIZE=
  std::uint64_t size = 0;                     // octets of the message as delivered
  // The message has 8-bit octets although BODY=8BITMIME was not declared. Accepted (see
  // session.hpp); the outbound queue needs to know before relaying to a 7-bit-only server.
  bool undeclared_8bit = false;
  bool chunked = false;                       // arrived by BDAT rather than DATA
  std::string helo;                           // the client's EHLO/HELO/LHLO argument
  HelloVerb hello_verb = HelloVerb::ehlo;     // which of the three it used
  std::string peer;                           // as given to the Session
  std::optional<std::string> tls;             // TLS description from tls_started, or none
  std::optional<std::string> authenticated;   // principal from auth_done, or none
};

}  // namespace atrium::smtp
