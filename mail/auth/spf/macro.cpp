// Macro-string parsing and expansion (RFC 7208 §7).
#include "mail/auth/spf/macro.hpp"

#include <algorithm>
#include <string_view>

namespace atrium::mail::auth::spf {
namespace {

constexpr std::string_view record_letters = "slodiphv";
constexpr std::string_view explanation_letters = "slodiphvcrt";
constexpr std::string_view delimiter_chars = ".-+,/_=";
constexpr unsigned max_keep = 128;  // more parts than any name can have: means "all"

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// macro-literal = %x21-24 / %x26-7E (every visible character but '%').
bool is_macro_literal(char c) { return c >= 0x21 && c <= 0x7E && c != '%'; }

void append_literal(std::vector<MacroToken>& tokens, std::string_view text) {
  if (!tokens.empty()) {
    if (auto* s = std::get_if<std::string>(&tokens.back())) {
      *s += text;
      return;
    }
  }
  tokens.emplace_back(std::string(text));
}

struct Scan {
  MacroString macro;
  std::size_t tail = 0;  // where the literal characters after the last macro-expand begin
};

Parsed<Scan> scan(std::string_view text, MacroContext context) {
  if (text.size() > max_macro_text) return SyntaxError{0, "macro string too long"};
  const std::string_view letters = context == MacroContext::explanation ? explanation_letters : record_letters;
  Scan out;
  out.macro.text = std::string(text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c != '%') {
      const bool ok = is_macro_literal(c) || (c == ' ' && context == MacroContext::explanation);
      if (!ok) return SyntaxError{pos, "character not allowed in a macro string"};
      const std::size_t start = pos;
      while (pos < text.size() && text[pos] != '%' &&
             (is_macro_literal(text[pos]) || (text[pos] == ' ' && context == MacroContext::explanation))) {
        ++pos;
      }
      append_literal(out.macro.tokens, text.substr(start, pos - start));
      continue;
    }
    const std::size_t start = pos;
    if (pos + 1 >= text.size()) return SyntaxError{pos, "'%' at the end of a macro string"};
    const char next = text[pos + 1];
    if (next == '%' || next == '_' || next == '-') {
      append_literal(out.macro.tokens, next == '%' ? "%" : next == '_' ? " " : "%20");
      pos += 2;
      out.tail = pos;
      continue;
    }
    if (next != '{') return SyntaxError{pos, "'%' must start %%, %_, %- or %{"};
    pos += 2;
    if (pos >= text.size()) return SyntaxError{start, "unterminated macro"};
    MacroExpand m;
    const char letter = lower(text[pos]);
    if (record_letters.find(letter) == std::string_view::npos &&
        explanation_letters.find(letter) == std::string_view::npos) {
      return SyntaxError{pos, "unknown macro letter"};
    }
    if (letters.find(letter) == std::string_view::npos) {
      return SyntaxError{pos, "macro letters c, r and t are allowed only in explanations"};
    }
    m.letter = letter;
    m.url_escape = text[pos] != letter;
    ++pos;
    if (pos < text.size() && is_digit(text[pos])) {
      const std::size_t digits = pos;
      unsigned value = 0;
      while (pos < text.size() && is_digit(text[pos])) {
        value = std::min(max_keep, value * 10 + static_cast<unsigned>(text[pos] - '0'));
        ++pos;
      }
      if (value == 0) return SyntaxError{digits, "macro DIGIT transformer must be nonzero"};
      m.keep = value;
    }
    if (pos < text.size() && lower(text[pos]) == 'r') {
      m.reverse = true;
      ++pos;
    }
    while (pos < text.size() && delimiter_chars.find(text[pos]) != std::string_view::npos) {
      if (m.delimiters.find(text[pos]) == std::string::npos) m.delimiters += text[pos];
      ++pos;
    }
    if (pos >= text.size()) return SyntaxError{start, "unterminated macro"};
    if (text[pos] != '}') return SyntaxError{pos, "invalid character in macro"};
    ++pos;
    out.macro.tokens.emplace_back(std::move(m));
    out.tail = pos;
  }
  return out;
}

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label) {
  if (label.empty()) return false;
  if (std::all_of(label.begin(), label.end(), is_alnum)) return std::any_of(label.begin(), label.end(), is_alpha);
  if (!is_alnum(label.front()) || !is_alnum(label.back())) return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

// domain-end = ( "." toplabel [ "." ] ) / macro-expand, checked on the literal tail.
bool has_domain_end(std::string_view tail) {
  if (tail.empty()) return true;  // the text ends in a macro-expand
  if (tail.back() == '.') tail.remove_suffix(1);
  const std::size_t dot = tail.rfind('.');
  if (dot == std::string_view::npos) return false;
  return is_toplabel(tail.substr(dot + 1));
}

const std::string& value_of(char letter, const MacroValues& v) {
  switch (letter) {
    case 's': return v.sender;
    case 'l': return v.local_part;
    case 'o': return v.sender_domain;
    case 'd': return v.domain;
    case 'i': return v.ip;
    case 'p': return v.validated;
    case 'v': return v.ip_version;
    case 'h': return v.helo;
    case 'c': return v.client_ip;
    case 'r': return v.receiver;
    default: return v.timestamp;  // 't': the parser admits no other letter
  }
}

// §7.3: split on the delimiters, reverse, keep the right-most parts, rejoin with ".".
std::string transform(std::string_view value, const MacroExpand& m) {
  if (m.keep == 0 && !m.reverse && m.delimiters.empty()) return std::string(value);
  const std::string_view delims = m.delimiters.empty() ? std::string_view(".") : std::string_view(m.delimiters);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delims.find(value[i]) != std::string_view::npos) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (m.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (m.keep != 0 && m.keep < parts.size()) first = parts.size() - m.keep;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

// RFC 3986 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"; everything else as %XX.
std::string url_escape(std::string_view in) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0xF];
    }
  }
  return out;
}

}  // namespace

bool MacroString::uses(char letter) const {
  return std::any_of(tokens.begin(), tokens.end(), [letter](const MacroToken& t) {
    const auto* m = std::get_if<MacroExpand>(&t);
    return m != nullptr && m->letter == letter;
  });
}

Parsed<MacroString> parse_macro_string(std::string_view text, MacroContext context) {
  auto scanned = scan(text, context);
  if (auto* e = std::get_if<SyntaxError>(&scanned)) return *e;
  return std::move(std::get<Scan>(scanned).macro);
}

Parsed<MacroString> parse_domain_spec(std::string_view text) {
  if (text.empty()) return SyntaxError{0, "empty domain-spec"};
  auto scanned = scan(text, MacroContext::record);
  if (auto* e = std::get_if<SyntaxError>(&scanned)) return *e;
  auto& s = std::get<Scan>(scanned);
  if (!has_domain_end(text.substr(s.tail))) {
    return SyntaxError{s.tail, "domain-spec must end in a macro or in '.' and a top-level label"};
  }
  return std::move(s.macro);
}

std::string expand(const MacroString& macro, const MacroValues& values) {
  std::string out;
  for (const MacroToken& token : macro.tokens) {
    if (const auto* literal = std::get_if<std::string>(&token)) {
      out += *literal;
    } else {
      const auto& m = std::get<MacroExpand>(token);
      std::string part = transform(value_of(m.letter, values), m);
      out += m.url_escape ? url_escape(part) : part;
    }
    if (out.size() > max_expansion) {
      out.resize(max_expansion);
      break;
    }
  }
  return out;
}

std::string expand_domain(const MacroString& macro, const MacroValues& values) {
  std::string name = expand(macro, values);
  if (!name.empty() && name.back() == '.') name.pop_back();
  std::size_t start = 0;
  while (name.size() - start > 253) {
    const std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return name.substr(start);
}

bool is_valid_domain(std::string_view name, bool multi_label) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t labels = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? name.size() : dot;
    const std::size_t len = end - start;
    if (len == 0 || len > 63) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // DNS labels may hold any octet, and macros can put spaces into names (%_, the test suite's
  // "macro%percent  space" example); only control characters cannot be meant.
  if (std::any_of(name.begin(), name.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b < 0x20 || b == 0x7F;
      })) return false;
  return !multi_label || labels >= 2;
}

}  // namespace atrium::mail::auth::spf
