// Command-line grammar of RFC 1939 section 3 and the extension commands CAPA (RFC 2449), STLS
// (RFC 2595) and AUTH (RFC 5034).
#include "mail/pop3/parser.hpp"

#include <limits>
#include <string>
#include <vector>

namespace atrium::pop3 {
namespace {

using enum SyntaxErrorKind;

bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}
bool is_8bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }

std::size_t line_limit(Verb verb) {
  switch (verb) {
    case Verb::user:
    case Verb::pass:
    case Verb::auth: return max_credentials_line;
    default: return max_command_line;
  }
}

// Space-separated words; empty words (runs of spaces) are skipped.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Decimal digits only; values past 2^64-1 saturate (they name nothing either way).
std::optional<std::uint64_t> parse_number(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    v = v > (max - d) / 10 ? max : v * 10 + d;
  }
  return v;
}

SyntaxError error(SyntaxErrorKind kind, Verb verb) { return SyntaxError{kind, verb}; }

// Commands whose arguments are message numbers (and TOP's line count).
ParseResult numbered(Verb verb, const std::vector<std::string_view>& args, std::size_t min, std::size_t max) {
  if (args.size() < min) return error(missing_argument, verb);
  if (args.size() > max) return error(unexpected_argument, verb);
  std::vector<std::uint64_t> n;
  for (auto a : args) {
    auto v = parse_number(a);
    if (!v) return error(bad_number, verb);
    n.push_back(*v);
  }
  std::optional<MessageNumber> first;
  if (!n.empty()) first = n[0];
  switch (verb) {
    case Verb::list: return Command{List{first}};
    case Verb::uidl: return Command{Uidl{first}};
    case Verb::retr: return Command{Retr{n.at(0)}};
    case Verb::dele: return Command{Dele{n.at(0)}};
    case Verb::top: return Command{Top{n.at(0), n.at(1)}};
    default: break;
  }
  return error(unknown_command, verb);
}

}  // namespace

ParseResult parse_command(std::string_view line) {
  std::size_t sp = line.find(' ');
  std::string_view name = line.substr(0, sp);
  auto verb = verb_from_name(name);
  // A control character anywhere (NUL included) is refused as such, even inside the verb.
  for (char c : line) {
    if (is_control(c)) return SyntaxError{invalid_character, verb};
  }
  if (!verb) return SyntaxError{unknown_command, std::nullopt};
  if (line.size() + 2 > line_limit(*verb)) return error(line_too_long, *verb);
  const bool utf8_allowed = *verb == Verb::user || *verb == Verb::pass;
  for (char c : line) {
    if (is_8bit(c) && !utf8_allowed) return error(invalid_character, *verb);
  }
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);

  if (*verb == Verb::pass) {
    // The whole rest of the line is the password, leading and inner spaces included.
    if (rest.empty()) return error(missing_argument, *verb);
    return Command{Pass{std::string(rest)}};
  }
  auto args = words(rest);
  switch (*verb) {
    case Verb::user: {
      if (args.empty()) return error(missing_argument, *verb);
      // Some clients send names with spaces; keep the rest of the line without outer spaces.
      std::size_t first = rest.find_first_not_of(' ');
      std::size_t last = rest.find_last_not_of(' ');
      return Command{User{std::string(rest.substr(first, last - first + 1))}};
    }
    case Verb::stat:
    case Verb::noop:
    case Verb::rset:
    case Verb::quit:
    case Verb::capa:
    case Verb::stls: {
      if (!args.empty()) return error(unexpected_argument, *verb);
      switch (*verb) {
        case Verb::stat: return Command{Stat{}};
        case Verb::noop: return Command{Noop{}};
        case Verb::rset: return Command{Rset{}};
        case Verb::quit: return Command{Quit{}};
        case Verb::capa: return Command{Capa{}};
        default: return Command{Stls{}};
      }
    }
    case Verb::list:
    case Verb::uidl: return numbered(*verb, args, 0, 1);
    case Verb::retr:
    case Verb::dele: return numbered(*verb, args, 1, 1);
    case Verb::top: return numbered(*verb, args, 2, 2);
    case Verb::auth: {
      if (args.size() > 2) return error(unexpected_argument, *verb);
      Auth a;
      if (!args.empty()) a.mechanism = std::string(args[0]);
      if (args.size() == 2) a.initial_response = std::string(args[1]);
      return Command{std::move(a)};
    }
    case Verb::pass: break;  // handled above
  }
  return error(unknown_command, *verb);
}

}  // namespace atrium::pop3
