// Command-line grammar of RFC 5321 section 4.1 plus the ESMTP parameters of RFC 1870 (SIZE),
// RFC 6152 (BODY), RFC 6531 (SMTPUTF8), RFC 3461 (DSN), RFC 4954 (AUTH) and RFC 3030 (BDAT).
#include "mail/smtp/parser.hpp"

#include "core/text/ascii.hpp"
#include "core/auth/utf8.hpp"

#include <limits>
#include <type_traits>

namespace atrium::smtp {
namespace {

using enum SyntaxErrorKind;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_8bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view skip_spaces(std::string_view s) {
  std::size_t i = s.find_first_not_of(' ');
  return i == std::string_view::npos ? std::string_view{} : s.substr(i);
}

// Splits off the first space-delimited word; `rest` keeps what follows, leading spaces removed.
std::string_view next_word(std::string_view& rest) {
  std::size_t sp = rest.find(' ');
  std::string_view word = rest.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view{} : skip_spaces(rest.substr(sp));
  return word;
}

std::size_t line_limit(Verb verb) {
  switch (verb) {
    case Verb::mail:
    case Verb::rcpt: return max_mail_rcpt_line;
    case Verb::auth: return max_auth_line;
    default: return max_command_line;
  }
}

// The lenient form of the EHLO/HELO/LHLO argument: an address literal, or dot-separated labels of
// letters, digits, '-', '_' and UTF-8 with an optional final dot. Real clients send underscores,
// bare IPv4 addresses and trailing dots; none of that harms us, and the name is only recorded.
bool is_acceptable_hello(std::string_view arg) {
  if (arg.empty() || arg.size() > max_domain) return false;
  if (arg.front() == '[') return is_valid_address_literal(arg);
  if (arg.back() == '.') arg.remove_suffix(1);
  if (arg.empty()) return false;
  std::size_t label = 0;
  for (char c : arg) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!is_alnum(c) && c != '-' && c != '_' && !is_8bit(c)) return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_esmtp_keyword(std::string_view k) {
  if (k.empty() || !is_alnum(k.front())) return false;
  for (char c : k) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531).
bool is_esmtp_value(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) continue;
    if (u < 33 || u > 126 || c == '=') return false;
  }
  return true;
}

// A decoded DSN value must not smuggle control characters into logs or the queue.
bool has_control(std::string_view s) {
  for (char c : s) {
    if (is_control(c)) return true;
  }
  return false;
}

std::optional<std::uint64_t> parse_decimal(std::string_view digits, bool saturate) {
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) {
      if (!saturate) return std::nullopt;
      v = max;
    } else {
      v = v * 10 + d;
    }
  }
  return v;
}

struct Param {
  std::string_view keyword;
  std::optional<std::string_view> value;
};

// Walks the SP-separated esmtp-params after a path, calling `take(param)` for each; `take`
// returns nullopt to accept or the error. The parameter list must start with a space.
template <class Take>
std::optional<SyntaxErrorKind> for_each_param(std::string_view rest, Take take) {
  while (!rest.empty()) {
    std::string_view token = next_word(rest);
    std::size_t eq = token.find('=');
    Param p{token.substr(0, eq), std::nullopt};
    if (eq != std::string_view::npos) p.value = token.substr(eq + 1);
    if (!is_esmtp_keyword(p.keyword)) return unknown_parameter;
    if (p.value && !is_esmtp_value(*p.value)) return bad_parameter_value;
    if (auto error = take(p)) return error;
  }
  return std::nullopt;
}

std::optional<SyntaxErrorKind> take_mail_param(MailParams& m, const Param& p) {
  auto no_value = [&] { return p.value ? std::optional(bad_parameter_value) : std::nullopt; };
  if (text::iequals(p.keyword, "SIZE")) {
    if (m.size) return duplicate_parameter;
    if (!p.value) return bad_parameter_value;
    m.size = parse_decimal(*p.value, true);
    return m.size ? std::nullopt : std::optional(bad_parameter_value);
  }
  if (text::iequals(p.keyword, "BODY")) {
    if (m.body != BodyType::unspecified) return duplicate_parameter;
    if (!p.value) return bad_parameter_value;
    if (text::iequals(*p.value, "7BIT")) m.body = BodyType::seven_bit;
    else if (text::iequals(*p.value, "8BITMIME")) m.body = BodyType::eight_bit_mime;
    else if (text::iequals(*p.value, "BINARYMIME")) m.body = BodyType::binary_mime;
    else return bad_parameter_value;
    return std::nullopt;
  }
  if (text::iequals(p.keyword, "SMTPUTF8")) {
    if (m.smtputf8) return duplicate_parameter;
    m.smtputf8 = true;
    return no_value();
  }
  if (text::iequals(p.keyword, "RET")) {
    if (m.ret) return duplicate_parameter;
    if (!p.value) return bad_parameter_value;
    if (text::iequals(*p.value, "FULL")) m.ret = DsnRet::full;
    else if (text::iequals(*p.value, "HDRS")) m.ret = DsnRet::headers;
    else return bad_parameter_value;
    return std::nullopt;
  }
  if (text::iequals(p.keyword, "ENVID")) {
    if (m.envid) return duplicate_parameter;
    if (!p.value || p.value->size() > max_envid) return bad_parameter_value;
    auto decoded = decode_xtext(*p.value);
    if (!decoded || has_control(*decoded)) return bad_parameter_value;
    m.envid = std::move(*decoded);
    return std::nullopt;
  }
  if (text::iequals(p.keyword, "AUTH")) {
    if (m.auth) return duplicate_parameter;
    if (!p.value) return bad_parameter_value;
    if (*p.value == "<>") {
      m.auth = "<>";
      return std::nullopt;
    }
    auto decoded = decode_xtext(*p.value);
    if (!decoded || has_control(*decoded)) return bad_parameter_value;
    m.auth = std::move(*decoded);
    return std::nullopt;
  }
  return unknown_parameter;
}

std::optional<SyntaxErrorKind> take_rcpt_param(RcptParams& r, const Param& p) {
  if (text::iequals(p.keyword, "NOTIFY")) {
    if (r.notify) return duplicate_parameter;
    if (!p.value) return bad_parameter_value;
    DsnNotify n;
    std::string_view list = *p.value;
    if (text::iequals(list, "NEVER")) {
      n.never = true;
    } else {
      while (true) {
        std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        if (text::iequals(item, "SUCCESS")) n.bits |= DsnNotify::success;
        else if (text::iequals(item, "FAILURE")) n.bits |= DsnNotify::failure;
        else if (text::iequals(item, "DELAY")) n.bits |= DsnNotify::delay;
        else return bad_parameter_value;  // also NEVER combined with others, and empty items
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
    r.notify = n;
    return std::nullopt;
  }
  if (text::iequals(p.keyword, "ORCPT")) {
    if (r.orcpt) return duplicate_parameter;
    if (!p.value || p.value->size() > max_orcpt) return bad_parameter_value;
    std::size_t semi = p.value->find(';');
    if (semi == std::string_view::npos || semi == 0) return bad_parameter_value;
    std::string_view type = p.value->substr(0, semi);
    for (char c : type) {
      if (!is_atext(c)) return bad_parameter_value;
    }
    auto decoded = decode_xtext(p.value->substr(semi + 1));
    if (!decoded || decoded->empty() || has_control(*decoded)) return bad_parameter_value;
    r.orcpt = DsnOrcpt{std::string(type), std::move(*decoded)};
    return std::nullopt;
  }
  return unknown_parameter;
}

SyntaxError fail(SyntaxErrorKind kind, Verb verb) { return SyntaxError{kind, verb}; }

// "FROM:" / "TO:" then optional spaces (a common leniency), the path, then parameters.
template <class Cmd, class Params, class Take>
ParseResult parse_path_command(Verb verb, std::string_view rest, std::string_view prefix, PathKind kind, Take take) {
  if (!istarts_with(rest, prefix)) return fail(rest.empty() ? missing_argument : bad_path, verb);
  rest = skip_spaces(rest.substr(prefix.size()));
  if (rest.empty()) return fail(missing_argument, verb);
  auto parsed = parse_path(rest, kind);
  if (const auto* e = std::get_if<PathError>(&parsed)) {
    return fail(*e == PathError::too_long ? path_too_long : bad_path, verb);
  }
  auto& ok = std::get<ParsedPath>(parsed);
  rest = rest.substr(ok.length);
  if (!rest.empty() && rest.front() != ' ') return fail(bad_path, verb);
  Params params;
  if (auto error = for_each_param(skip_spaces(rest), [&](const Param& p) { return take(params, p); })) {
    return fail(*error, verb);
  }
  return Cmd{std::move(ok.path), std::move(params)};
}

}  // namespace

std::optional<std::string> decode_xtext(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      if (i + 2 >= text.size()) return std::nullopt;
      int v = 0;
      for (std::size_t k = 1; k <= 2; ++k) {
        char h = text[i + k];
        int d = is_digit(h) ? h - '0' : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
        if (d < 0) return std::nullopt;
        v = v * 16 + d;
      }
      out += static_cast<char>(v);
      i += 2;
    } else if (c == '=' || is_control(c) || c == ' ') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  if (!auth::is_valid_utf8(text)) return std::nullopt;
  return out;
}

std::string encode_xtext(std::string_view raw) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : raw) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == '+' || c == '=') {
      out += '+';
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

ParseResult parse_command(std::string_view line) {
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  std::string_view rest = skip_spaces(line);
  const std::string_view word = next_word(rest);
  const std::optional<Verb> found = verb_from_name(word);
  for (char c : line) {
    if (is_control(c)) return SyntaxError{invalid_character, found};
  }
  if (!auth::is_valid_utf8(line)) return SyntaxError{invalid_character, found};
  if (!found) return SyntaxError{unknown_command, std::nullopt};
  const Verb verb = *found;
  if (line.size() + 2 > line_limit(verb)) return fail(line_too_long, verb);

  auto no_argument = [&](Command c) -> ParseResult {
    if (!rest.empty()) return fail(unexpected_argument, verb);
    return c;
  };
  auto hello = [&]<class Cmd>(std::type_identity<Cmd>) -> ParseResult {
    if (rest.empty()) return fail(missing_argument, verb);
    std::string_view arg = next_word(rest);
    if (!rest.empty() || !is_acceptable_hello(arg)) return fail(bad_domain, verb);
    return Cmd{std::string(arg)};
  };

  switch (verb) {
    case Verb::ehlo: return hello(std::type_identity<Ehlo>{});
    case Verb::helo: return hello(std::type_identity<Helo>{});
    case Verb::lhlo: return hello(std::type_identity<Lhlo>{});
    case Verb::mail: return parse_path_command<Mail, MailParams>(verb, rest, "FROM:", PathKind::reverse, take_mail_param);
    case Verb::rcpt: return parse_path_command<Rcpt, RcptParams>(verb, rest, "TO:", PathKind::forward, take_rcpt_param);
    case Verb::data: return no_argument(Data{});
    case Verb::rset: return no_argument(Rset{});
    case Verb::quit: return no_argument(Quit{});
    case Verb::starttls: return no_argument(Starttls{});
    case Verb::noop: return Noop{};  // NOOP [SP String]: the string is ignored
    case Verb::help: return Help{};  // HELP [SP String]: the topic is ignored
    case Verb::vrfy:
      if (rest.empty()) return fail(missing_argument, verb);
      return Vrfy{std::string(rest)};
    case Verb::bdat: {
      std::string_view size = next_word(rest);
      auto n = parse_decimal(size, false);
      if (!n) return fail(bad_chunk_size, verb);
      Bdat b{.size = *n};
      if (!rest.empty()) {
        std::string_view marker = next_word(rest);
        if (!text::iequals(marker, "LAST") || !rest.empty()) return fail(bad_chunk_size, verb);
        b.last = true;
      }
      return b;
    }
    case Verb::auth: {
      if (rest.empty()) return fail(missing_argument, verb);
      Auth a{.mechanism = std::string(next_word(rest))};
      if (!rest.empty()) a.initial_response = std::string(next_word(rest));
      if (!rest.empty()) return fail(unexpected_argument, verb);
      return a;
    }
  }
  return SyntaxError{unknown_command, std::nullopt};
}

}  // namespace atrium::smtp
