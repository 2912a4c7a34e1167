// Typed POP3 commands (RFC 1939, CAPA of RFC 2449, STLS of RFC 2595, AUTH of RFC 5034) as the
// parser produces them and the session's command table runs them. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::pop3 {

// A message number as sent (1-based). Numbers beyond 2^64-1 saturate: they name no message
// either way, and the reply is the same "no such message".
using MessageNumber = std::uint64_t;

// Each command compares equal field by field (the parser's table tests rely on it).
struct User {
  std::string name;
  friend bool operator==(const User&, const User&) = default;
};
struct Pass {
  std::string password;  // everything after "PASS ", spaces included (RFC 1939 section 7)
  friend bool operator==(const Pass&, const Pass&) = default;
};
struct Stat {
  friend bool operator==(const Stat&, const Stat&) = default;
};
struct List {
  std::optional<MessageNumber> message;
  friend bool operator==(const List&, const List&) = default;
};
struct Retr {
  MessageNumber message = 0;
  friend bool operator==(const Retr&, const Retr&) = default;
};
struct Dele {
  MessageNumber message = 0;
  friend bool operator==(const Dele&, const Dele&) = default;
};
struct Noop {
  friend bool operator==(const Noop&, const Noop&) = default;
};
struct Rset {
  friend bool operator==(const Rset&, const Rset&) = default;
};
struct Quit {
  friend bool operator==(const Quit&, const Quit&) = default;
};
struct Top {
  MessageNumber message = 0;
  std::uint64_t lines = 0;  // body lines after the header; saturates like MessageNumber
  friend bool operator==(const Top&, const Top&) = default;
};
struct Uidl {
  std::optional<MessageNumber> message;
  friend bool operator==(const Uidl&, const Uidl&) = default;
};
struct Capa {
  friend bool operator==(const Capa&, const Capa&) = default;
};
struct Stls {
  friend bool operator==(const Stls&, const Stls&) = default;
};
// AUTH without a mechanism lists the mechanisms (what Outlook and fetchmail probe with); with
// one it starts a SASL exchange (RFC 5034).
struct Auth {
  std::optional<std::string> mechanism;         // as sent (SaslServer matches any case)
  std::optional<std::string> initial_response;  // base64, "=" for an empty response
  friend bool operator==(const Auth&, const Auth&) = default;
};

// Alternatives in the same order as Verb.
using Command = std::variant<User, Pass, Stat, List, Retr, Dele, Noop, Rset, Quit, Top, Uidl, Capa, Stls, Auth>;

enum class Verb { user, pass, stat, list, retr, dele, noop, rset, quit, top, uidl, capa, stls, auth };
inline constexpr std::size_t verb_count = 14;
static_assert(std::variant_size_v<Command> == verb_count);

inline Verb verb_of(const Command& command) { return static_cast<Verb>(command.index()); }

// Upper-case wire name, e.g. "UIDL".
std::string_view verb_name(Verb verb);
// The verb for a name in any case, or nullopt (APOP is deliberately unknown: it needs the
// password in clear on the server, and we keep only Argon2id hashes).
std::optional<Verb> verb_from_name(std::string_view name);

}  // namespace atrium::pop3
