// Typed SMTP/LMTP commands and their ESMTP parameters, as produced by the parser (parser.hpp)
// and consumed by the session's command table. Plain values; no behaviour beyond naming.
#pragma once

#include "mail/smtp/path.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::smtp {

// BODY= of MAIL (RFC 6152, RFC 3030). `unspecified` when the client sent none (7BIT implied).
enum class BodyType { unspecified, seven_bit, eight_bit_mime, binary_mime };
// RET= of MAIL (RFC 3461).
enum class DsnRet { full, headers };

// NOTIFY= of RCPT (RFC 3461): NEVER, or a non-empty set of SUCCESS, FAILURE, DELAY.
struct DsnNotify {
  enum Bits : std::uint8_t { success = 1, failure = 2, delay = 4 };
  bool never = false;
  std::uint8_t bits = 0;  // zero when `never`
  bool has(Bits b) const { return (bits & b) != 0; }
  friend bool operator==(const DsnNotify&, const DsnNotify&) = default;
};

// ORCPT= of RCPT (RFC 3461): "addr-type;xtext", kept with the xtext decoded.
struct DsnOrcpt {
  std::string addr_type;  // as sent, e.g. "rfc822" or "utf-8"
  std::string address;    // xtext-decoded
  friend bool operator==(const DsnOrcpt&, const DsnOrcpt&) = default;
};

struct MailParams {
  std::optional<std::uint64_t> size;  // SIZE= (RFC 1870); values over 2^64-1 saturate
  BodyType body = BodyType::unspecified;
  bool smtputf8 = false;              // SMTPUTF8 (RFC 6531)
  std::optional<DsnRet> ret;          // RET= (RFC 3461)
  std::optional<std::string> envid;   // ENVID= (RFC 3461), xtext-decoded
  std::optional<std::string> auth;    // AUTH= (RFC 4954 section 5), xtext-decoded; ignored
  friend bool operator==(const MailParams&, const MailParams&) = default;
};

struct RcptParams {
  std::optional<DsnNotify> notify;  // NOTIFY= (RFC 3461)
  std::optional<DsnOrcpt> orcpt;    // ORCPT= (RFC 3461)
  friend bool operator==(const RcptParams&, const RcptParams&) = default;
};

// Each command compares equal field by field (the parser's table tests rely on it).
struct Ehlo {
  std::string domain;  // domain or address literal, as sent
  friend bool operator==(const Ehlo&, const Ehlo&) = default;
};
struct Helo {
  std::string domain;
  friend bool operator==(const Helo&, const Helo&) = default;
};
struct Lhlo {  // LMTP (RFC 2033)
  std::string domain;
  friend bool operator==(const Lhlo&, const Lhlo&) = default;
};
struct Mail {
  Path reverse_path;
  MailParams params;
  friend bool operator==(const Mail&, const Mail&) = default;
};
struct Rcpt {
  Path forward_path;
  RcptParams params;
  friend bool operator==(const Rcpt&, const Rcpt&) = default;
};
struct Data {
  friend bool operator==(const Data&, const Data&) = default;
};
struct Bdat {  // RFC 3030
  std::uint64_t size = 0;
  bool last = false;
  friend bool operator==(const Bdat&, const Bdat&) = default;
};
struct Rset {
  friend bool operator==(const Rset&, const Rset&) = default;
};
struct Noop {
  friend bool operator==(const Noop&, const Noop&) = default;
};
struct Quit {
  friend bool operator==(const Quit&, const Quit&) = default;
};
struct Vrfy {
  std::string argument;
  friend bool operator==(const Vrfy&, const Vrfy&) = default;
};
struct Help {
  friend bool operator==(const Help&, const Help&) = default;
};
struct Starttls {
  friend bool operator==(const Starttls&, const Starttls&) = default;
};
struct Auth {
  std::string mechanism;                        // as sent (SaslServer matches any case)
  std::optional<std::string> initial_response;  // SASL-IR base64, "=" for empty
  friend bool operator==(const Auth&, const Auth&) = default;
};

// Alternatives in the same order as Verb.
using Command = std::variant<Ehlo, Helo, Lhlo, Mail, Rcpt, Data, Bdat, Rset, Noop, Quit, Vrfy, Help, Starttls, Auth>;

enum class Verb { ehlo, helo, lhlo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, help, starttls, auth };
inline constexpr std::size_t verb_count = 14;
static_assert(std::variant_size_v<Command> == verb_count);

inline Verb verb_of(const Command& command) { return static_cast<Verb>(command.index()); }

// Upper-case wire name, e.g. "STARTTLS".
std::string_view verb_name(Verb verb);
// The verb for a name in any case, or nullopt.
std::optional<Verb> verb_from_name(std::string_view name);

}  // namespace atrium::smtp
