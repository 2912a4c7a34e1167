// MIME parameter lists and the Content-* fields built on them. RFC 2231 joining follows what
// deployed readers (Dovecot among them) do with broken continuations, so the same mail shows the
// same names everywhere.
#include "mail/mime/params.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/charset.hpp"
#include "mail/mime/lexer.hpp"

#include <algorithm>
#include <charconv>

namespace atrium::mail::mime {
namespace {

struct RawParam {
  std::string name;
  std::string value;
};

bool ends_unquoted_value(char c) {
  return c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '(';
}

std::vector<RawParam> read_raw_params(std::string_view text) {
  std::vector<RawParam> out;
  Lexer lx(text);
  while (!lx.at_end() && out.size() < max_mime_params) {
    lx.skip_cfws();
    if (!lx.consume(';')) {
      // Garbage before the next parameter: skip it (quoted strings included, so a ';' inside
      // quotes does not start a parameter).
      std::string ignored;
      if (!lx.read_quoted_string(ignored)) lx.advance();
      continue;
    }
    lx.skip_cfws();
    RawParam p;
    if (!lx.read_token(p.name)) continue;
    lx.skip_cfws();
    if (!lx.consume('=')) continue;
    lx.skip_cfws();
    if (lx.peek() == '"') {
      lx.read_quoted_string(p.value);
    } else {
      const std::string_view rest = lx.rest();
      std::size_t n = 0;
      while (n < rest.size() && !ends_unquoted_value(rest[n])) ++n;
      p.value.assign(rest.substr(0, n));
      lx.set_pos(lx.pos() + n);
    }
    out.push_back(std::move(p));
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() && hex_value(v[i + 1]) >= 0 && hex_value(v[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(v[i + 1]) * 16 + hex_value(v[i + 2])));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// Splits "charset'language'rest" off an extended value. Without both quotes there is no charset
// information and the value is kept as written (nothing says it is percent-encoded).
struct Extended {
  bool has_charset = false;
  std::string charset;
  std::string_view rest;
};

Extended split_extended(std::string_view v) {
  Extended e;
  const auto q1 = v.find('\'');
  if (q1 == std::string_view::npos) return e;
  const auto q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return e;
  e.has_charset = true;
  e.charset.assign(v.substr(0, q1));
  e.rest = v.substr(q2 + 1);
  return e;
}

std::string decode_extended_value(std::string_view v) {
  const Extended e = split_extended(v);
  if (!e.has_charset) return std::string(v);
  return to_utf8(percent_decode(e.rest), e.charset);
}

bool contains_name(const std::vector<MimeParam>& params, std::string_view name) {
  return find_param(params, name) != nullptr;
}

void add_unique(std::vector<MimeParam>& params, std::string name, std::string value) {
  if (contains_name(params, name)) return;
  params.push_back({std::move(name), std::move(value)});
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

struct Indexed {
  std::string base;
  unsigned index = 0;
  bool extended = false;
  std::string value;
};

}  // namespace

std::vector<MimeParam> parse_mime_params(std::string_view text) {
  std::vector<MimeParam> result;
  std::vector<Indexed> indexed;
  for (auto& raw : read_raw_params(text)) {
    const auto star = raw.name.find('*');
    if (star == std::string::npos) {
      add_unique(result, std::move(raw.name), std::move(raw.value));
      continue;
    }
    const std::string_view suffix = std::string_view(raw.name).substr(star + 1);
    std::string base = raw.name.substr(0, star);
    if (suffix.empty()) {  // "name*=charset'lang'value"
      add_unique(result, std::move(base), decode_extended_value(raw.value));
      continue;
    }
    unsigned idx = 0;
    const auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), idx);
    const std::string_view after(end, static_cast<std::size_t>(suffix.data() + suffix.size() - end));
    if (ec != std::errc() || end == suffix.data() || (!after.empty() && after != "*")) {
      // Not RFC 2231 after all: keep the name as written.
      add_unique(result, std::move(raw.name), std::move(raw.value));
      continue;
    }
    indexed.push_back({std::move(base), idx, after == "*", std::move(raw.value)});
  }

  std::stable_sort(indexed.begin(), indexed.end(), [](const Indexed& a, const Indexed& b) {
    const std::string la = lower(a.base), lb = lower(b.base);
    if (la != lb) return la < lb;
    return a.index < b.index;
  });
  for (std::size_t i = 0; i < indexed.size();) {
    std::size_t j = i;
    bool contiguous = true;
    unsigned expect = 0;
    while (j < indexed.size() && text::iequals(indexed[j].base, indexed[i].base)) {
      if (indexed[j].index != expect) contiguous = false;
      ++expect;
      ++j;
    }
    if (!contiguous) {
      for (std::size_t k = i; k < j; ++k) {
        const Indexed& p = indexed[k];
        std::string name = p.base;
        name.push_back('*');
        name.append(std::to_string(p.index));
        add_unique(result, std::move(name), p.extended ? decode_extended_value(p.value) : p.value);
      }
      i = j;
      continue;
    }
    // RFC 2231 §4.1: only the first segment carries the charset; later encoded segments are
    // percent-encoded bytes in that charset. The bytes are joined first, then converted once.
    std::string bytes;
    std::string charset;
    bool convert = false;
    for (std::size_t k = i; k < j; ++k) {
      const Indexed& p = indexed[k];
      if (!p.extended) {
        bytes.append(p.value);
        continue;
      }
      if (k == i) {
        const Extended e = split_extended(p.value);
        if (e.has_charset) {
          charset = e.charset;
          convert = true;
          bytes.append(percent_decode(e.rest));
          continue;
        }
      }
      bytes.append(convert ? percent_decode(p.value) : p.value);
    }
    add_unique(result, indexed[i].base, convert ? to_utf8(bytes, charset) : std::move(bytes));
    i = j;
  }
  return result;
}

const MimeParam* find_param(const std::vector<MimeParam>& params, std::string_view name) {
  for (const auto& p : params) {
    if (text::iequals(p.name, name)) return &p;
  }
  return nullptr;
}

std::optional<ContentType> parse_content_type(std::string_view value) {
  Lexer lx(value);
  lx.skip_cfws();
  ContentType ct;
  if (!lx.read_token(ct.type)) return std::nullopt;
  lx.skip_cfws();
  if (!lx.consume('/')) return std::nullopt;
  lx.skip_cfws();
  if (!lx.read_token(ct.subtype)) return std::nullopt;
  ct.params = parse_mime_params(lx.rest());
  return ct;
}

std::optional<ContentDisposition> parse_content_disposition(std::string_view value) {
  Lexer lx(value);
  lx.skip_cfws();
  ContentDisposition cd;
  if (!lx.read_token(cd.value)) return std::nullopt;
  cd.params = parse_mime_params(lx.rest());
  return cd;
}

std::vector<std::string> parse_content_language(std::string_view value) {
  constexpr std::size_t max_languages = 64;
  std::vector<std::string> out;
  Lexer lx(value);
  lx.skip_cfws();
  while (out.size() < max_languages) {
    std::string tag;
    if (!lx.read_atom(tag)) break;
    out.push_back(std::move(tag));
    lx.skip_cfws();
    if (!lx.consume(',')) break;
    lx.skip_cfws();
  }
  return out;
}

std::optional<std::string> parse_transfer_encoding(std::string_view value) {
  Lexer lx(value);
  lx.skip_cfws();
  std::string token;
  if (!lx.read_token(token)) return std::nullopt;
  lx.skip_cfws();
  if (!lx.at_end()) return std::nullopt;
  return token;
}

}  // namespace atrium::mail::mime
