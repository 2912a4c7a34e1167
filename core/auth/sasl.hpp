// Server side of the SASL password mechanisms shared by IMAP, SMTP, POP3 and ManageSieve:
// PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login). Pure state machines over base64
// lines; the protocol session frames the lines, sends the challenges and checks credentials.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::auth {

// Standard base64 (RFC 4648 section 4) with padding.
std::string base64_encode(std::string_view bytes);

// Strict decoding: the input must be canonical padded base64 with no whitespace, no line breaks
// and zero pad bits. Returns std::nullopt for anything else; "" decodes to "".
std::optional<std::string> base64_decode(std::string_view text);

// Longest client response accepted, in base64 characters; longer is malformed. Generous for
// PLAIN (RFC 4616 asks for 255 bytes per field) while bounding what one line can cost.
inline constexpr std::size_t sasl_max_response_chars = 8192;

enum class SaslMechanism { plain, login };

// Mechanism for a name as clients send it, case-insensitively; std::nullopt if unsupported.
std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name);
// Canonical upper-case name, e.g. "PLAIN".
std::string_view sasl_mechanism_name(SaslMechanism mechanism);
// Every mechanism SaslServer implements, as advertised in CAPABILITY / EHLO AUTH.
// Both send the password in clear: offer them only under TLS.
std::span<const std::string_view> supported_mechanisms();

// The server needs another response; send `b64` as the challenge ("+ b64", "334 b64").
struct Challenge {
  std::string b64;
};

// The exchange is complete; the caller verifies these. `authzid` is empty when the client asked
// for no other identity; a non-empty one currently always equals `authcid`.
struct Credentials {
  std::string authzid;
  std::string authcid;
  std::string password;
};

// The exchange failed and is over. `message` is short English safe to echo to the client.
struct SaslError {
  enum class Kind {
    malformed,              // bad base64, oversize, wrong structure, NUL or bad UTF-8 in an identity
    cancelled,              // the client sent "*" (RFC 4954, RFC 3501)
    unsupported_mechanism,  // SaslServer::create with an unknown name
    authzid_refused,        // PLAIN authzid names another user: no proxy authentication yet
  };
  Kind kind;
  std::string message;
};

using SaslStep = std::variant<Challenge, Credentials, SaslError>;

// One authentication exchange. Not thread-safe; owned by one session. Usage:
//   auto created = SaslServer::create(name);          // SaslError if unsupported
//   SaslStep r = server.start(initial_response);      // SASL-IR or the first challenge
//   while (Challenge* c = std::get_if<Challenge>(&r)) r = server.step(read_line());
// After Credentials or SaslError the exchange is over; further calls return a malformed error.
class SaslServer {
 public:
  // A server for `mechanism` (any case), or SaslError{unsupported_mechanism}.
  static std::variant<SaslServer, SaslError> create(std::string_view mechanism);

  SaslMechanism mechanism() const { return mechanism_; }
  // True once the exchange has produced Credentials or a SaslError.
  bool finished() const { return state_ == State::finished; }

  // Begins the exchange. `initial_response` is the base64 initial response of SASL-IR
  // (RFC 4959) / AUTH (RFC 4954) if the client sent one: "=" stands for an empty response and
  // "*" cancels. Without one, returns the mechanism's first challenge.
  // Must be called exactly once, before step().
  SaslStep start(std::optional<std::string_view> initial_response);

  // Processes one client line (base64, without CRLF; "*" cancels; "" is an empty response).
  SaslStep step(std::string_view client_b64);

 private:
  enum class State { not_started, awaiting_response, awaiting_username, awaiting_password, finished };

  // "=" means an empty response only in an initial response.
  enum class Origin { initial_response, continuation };

  explicit SaslServer(SaslMechanism mechanism) : mechanism_(mechanism) {}
  SaslStep receive(std::string_view client_b64, Origin origin);
  SaslStep receive_plain(const std::string& message);
  SaslStep receive_login_username(std::string username);
  SaslStep receive_login_password(std::string password);
  SaslStep fail(SaslError::Kind kind, std::string message);
  SaslStep succeed(Credentials credentials);

  SaslMechanism mechanism_;
  State state_ = State::not_started;
  std::string login_username_;  // LOGIN: the first response, kept until the password arrives
};

}  // namespace atrium::auth
