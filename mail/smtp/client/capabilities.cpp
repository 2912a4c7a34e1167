// EHLO keyword parsing.
#include "mail/smtp/client/capabilities.hpp"

#include "core/text/ascii.hpp"

#include <charconv>
#include <string_view>

namespace atrium::smtp::client {

namespace {

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// The next space-separated word of `text` from `pos`, advancing `pos` past it.
std::string_view next_word(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  const std::size_t start = pos;
  while (pos < text.size() && text[pos] != ' ') ++pos;
  return text.substr(start, pos - start);
}

// RFC 4422 section 3.1: sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA / DIGIT / "-" / "_".
std::optional<std::string> mechanism_name(std::string_view word) {
  if (word.empty() || word.size() > 20) return std::nullopt;
  std::string out;
  for (char c : word) {
    c = ascii_upper(c);
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return std::nullopt;
    out += c;
  }
  return out;
}

}  // namespace

Capabilities parse_ehlo(const Reply& reply) {
  Capabilities caps;
  caps.esmtp = true;
  if (!reply.lines.empty()) {
    std::size_t pos = 0;
    caps.server_name = std::string(next_word(reply.lines.front(), pos));
  }
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    const std::string_view line = reply.lines[i];
    std::size_t pos = 0;
    std::string_view keyword = next_word(line, pos);
    std::string_view first_param;
    // "AUTH=LOGIN PLAIN": the pre-RFC 4954 form some servers still send beside the real one.
    if (const auto eq = keyword.find('='); eq != std::string_view::npos) {
      first_param = keyword.substr(eq + 1);
      keyword = keyword.substr(0, eq);
    }
    using text::iequals;
    if (iequals(keyword, "PIPELINING")) {
      caps.pipelining = true;
    } else if (iequals(keyword, "SIZE")) {
      const std::string_view value = next_word(line, pos);
      std::uint64_t limit = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
      caps.size = (ec == std::errc() && end == value.data() + value.size()) ? limit : 0;
    } else if (iequals(keyword, "8BITMIME")) {
      caps.eight_bit_mime = true;
    } else if (iequals(keyword, "SMTPUTF8")) {
      caps.smtputf8 = true;
    } else if (iequals(keyword, "CHUNKING")) {
      caps.chunking = true;
    } else if (iequals(keyword, "BINARYMIME")) {
      caps.binarymime = true;
    } else if (iequals(keyword, "STARTTLS")) {
      caps.starttls = true;
    } else if (iequals(keyword, "DSN")) {
      caps.dsn = true;
    } else if (iequals(keyword, "ENHANCEDSTATUSCODES")) {
      caps.enhanced_status_codes = true;
    } else if (iequals(keyword, "AUTH")) {
      if (auto m = mechanism_name(first_param)) caps.auth.insert(std::move(*m));
      for (std::string_view word = next_word(line, pos); !word.empty(); word = next_word(line, pos)) {
        if (auto m = mechanism_name(word)) caps.auth.insert(std::move(*m));
      }
    }
  }
  return caps;
}

}  // namespace atrium::smtp::client
