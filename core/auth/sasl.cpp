// PLAIN and LOGIN exchanges and the strict base64 codec they run over.
#include "core/auth/sasl.hpp"

#include "core/text/ascii.hpp"
#include "core/auth/utf8.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace atrium::auth {
namespace {

constexpr std::string_view b64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a base64 digit, or -1.
constexpr int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

constexpr std::array<std::string_view, 2> mechanism_names = {"PLAIN", "LOGIN"};

// An identity must be non-empty UTF-8 without NUL: it is looked up, logged and compared.
// Returns the reason it is not, or nullptr.
const char* identity_problem(std::string_view id) {
  if (id.empty()) return "empty user name";
  if (id.find('\0') != std::string_view::npos) return "NUL in user name";
  if (!is_valid_utf8(id)) return "user name is not valid UTF-8";
  return nullptr;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += b64_alphabet[v >> 18 & 63];
    out += b64_alphabet[v >> 12 & 63];
    out += b64_alphabet[v >> 6 & 63];
    out += b64_alphabet[v & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t v = at(i) << 16;
    out += b64_alphabet[v >> 18 & 63];
    out += b64_alphabet[v >> 12 & 63];
    out += "==";
  } else if (rest == 2) {
    std::uint32_t v = at(i) << 16 | at(i + 1) << 8;
    out += b64_alphabet[v >> 18 & 63];
    out += b64_alphabet[v >> 12 & 63];
    out += b64_alphabet[v >> 6 & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = (text[text.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    std::size_t digits = last ? 4 - pad : 4;
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int d = 0;
      if (k < digits) {
        d = b64_value(text[i + k]);
        if (d < 0) return std::nullopt;  // also catches '=' anywhere but the final padding
      }
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    out += static_cast<char>(v >> 16 & 0xFF);
    if (digits >= 3) out += static_cast<char>(v >> 8 & 0xFF);
    if (digits == 4) out += static_cast<char>(v & 0xFF);
    // Canonical form only: the bits below the last full byte must be zero.
    if (digits == 2 && (v & 0xFFFF) != 0) return std::nullopt;
    if (digits == 3 && (v & 0xFF) != 0) return std::nullopt;
  }
  return out;
}

std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name) {
  if (text::iequals(name, "PLAIN")) return SaslMechanism::plain;
  if (text::iequals(name, "LOGIN")) return SaslMechanism::login;
  return std::nullopt;
}

std::string_view sasl_mechanism_name(SaslMechanism mechanism) {
  switch (mechanism) {
    case SaslMechanism::plain: return mechanism_names[0];
    case SaslMechanism::login: return mechanism_names[1];
  }
  return {};
}

std::span<const std::string_view> supported_mechanisms() { return mechanism_names; }

std::variant<SaslServer, SaslError> SaslServer::create(std::string_view mechanism) {
  auto m = parse_sasl_mechanism(mechanism);
  if (!m) return SaslError{SaslError::Kind::unsupported_mechanism, "unsupported SASL mechanism"};
  return SaslServer(*m);
}

SaslStep SaslServer::fail(SaslError::Kind kind, std::string message) {
  state_ = State::finished;
  login_username_.clear();
  return SaslError{kind, std::move(message)};
}

SaslStep SaslServer::succeed(Credentials credentials) {
  state_ = State::finished;
  login_username_.clear();
  return credentials;
}

SaslStep SaslServer::start(std::optional<std::string_view> initial_response) {
  if (state_ != State::not_started) return fail(SaslError::Kind::malformed, "exchange already started");
  switch (mechanism_) {
    case SaslMechanism::plain:
      state_ = State::awaiting_response;
      // RFC 4616 has no server data; the empty challenge asks for the one message.
      if (!initial_response) return Challenge{};
      break;
    case SaslMechanism::login:
      state_ = State::awaiting_username;
      // Clients ignore the prompt texts, but these are the ones every server sends.
      if (!initial_response) return Challenge{base64_encode("Username:")};
      break;
  }
  return receive(*initial_response, Origin::initial_response);
}

SaslStep SaslServer::step(std::string_view client_b64) {
  if (state_ == State::not_started || state_ == State::finished) {
    return fail(SaslError::Kind::malformed, "no authentication exchange in progress");
  }
  return receive(client_b64, Origin::continuation);
}

SaslStep SaslServer::receive(std::string_view client_b64, Origin origin) {
  if (client_b64 == "*") return fail(SaslError::Kind::cancelled, "authentication cancelled");
  if (client_b64.size() > sasl_max_response_chars) return fail(SaslError::Kind::malformed, "response too long");
  std::optional<std::string> decoded;
  if (origin == Origin::initial_response && client_b64 == "=") {
    decoded.emplace();
  } else {
    decoded = base64_decode(client_b64);
  }
  if (!decoded) return fail(SaslError::Kind::malformed, "invalid base64");
  switch (state_) {
    case State::awaiting_response: return receive_plain(*decoded);
    case State::awaiting_username: return receive_login_username(std::move(*decoded));
    case State::awaiting_password: return receive_login_password(std::move(*decoded));
    case State::not_started:
    case State::finished: break;
  }
  return fail(SaslError::Kind::malformed, "no authentication exchange in progress");
}

// message = [authzid] NUL authcid NUL passwd (RFC 4616 section 2).
SaslStep SaslServer::receive_plain(const std::string& message) {
  std::size_t first = message.find('\0');
  std::size_t second = first == std::string::npos ? first : message.find('\0', first + 1);
  if (second == std::string::npos) {
    return fail(SaslError::Kind::malformed, "PLAIN response must be authzid NUL authcid NUL password");
  }
  Credentials c;
  c.authzid = message.substr(0, first);
  c.authcid = message.substr(first + 1, second - first - 1);
  c.password = message.substr(second + 1);
  if (const char* problem = identity_problem(c.authcid)) return fail(SaslError::Kind::malformed, problem);
  if (!c.authzid.empty() && !is_valid_utf8(c.authzid)) {
    return fail(SaslError::Kind::malformed, "authorization identity is not valid UTF-8");
  }
  // The password is left as bytes (apart from NUL): refusing a legacy 8-bit password here
  // would lock its owner out, and it is only ever compared, never shown.
  if (c.password.empty()) return fail(SaslError::Kind::malformed, "empty password");
  if (c.password.find('\0') != std::string::npos) return fail(SaslError::Kind::malformed, "NUL in password");
  // Proxy authentication needs a policy for who may act as whom; until then, only oneself.
  if (!c.authzid.empty() && c.authzid != c.authcid) {
    return fail(SaslError::Kind::authzid_refused, "not authorized to act as another user");
  }
  return succeed(std::move(c));
}

SaslStep SaslServer::receive_login_username(std::string username) {
  if (const char* problem = identity_problem(username)) return fail(SaslError::Kind::malformed, problem);
  login_username_ = std::move(username);
  state_ = State::awaiting_password;
  return Challenge{base64_encode("Password:")};
}

SaslStep SaslServer::receive_login_password(std::string password) {
  if (password.empty()) return fail(SaslError::Kind::malformed, "empty password");
  if (password.find('\0') != std::string::npos) return fail(SaslError::Kind::malformed, "NUL in password");
  Credentials c;
  c.authcid = std::move(login_username_);
  c.password = std::move(password);
  return succeed(std::move(c));
}

}  // namespace atrium::auth
