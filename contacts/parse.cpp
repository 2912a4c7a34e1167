// parse(): from the bytes of a PUT to a validated Card (RFC 6352 §5.1 and §6.3.2.1).
#include "contacts/parse.hpp"

#include "contacts/detail/encoding.hpp"
#include "contacts/detail/lines.hpp"
#include "core/auth/utf8.hpp"
#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <optional>

namespace atrium::contacts {
namespace {

ParseError error(ParseErrorCode code, std::string message) { return ParseError{code, std::move(message)}; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool is_begin_vcard(std::string_view line) { return text::iequals(trim(line), "BEGIN:VCARD"); }

std::string_view first_value(const Parameter* p) { return (p && !p->values.empty()) ? std::string_view(p->values.front()) : ""; }

bool is_base64(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

// Undoes transfer encodings and charsets so that `p.value` is a raw UTF-8 vCard value.
std::optional<ParseError> normalise(Property& p, Version version) {
  // 2.1 writes "TEL;WORK;VOICE:" and "NOTE;QUOTED-PRINTABLE:"; 3.0 exports from phones still do.
  detail::name_bare_params(p);
  const std::string encoding = upper(detail::transfer_encoding(p));
  const bool quoted_printable = encoding == "QUOTED-PRINTABLE";
  const bool binary = encoding == "BASE64" || encoding == "B";
  std::string value;
  if (quoted_printable) {
    value = detail::decode_quoted_printable(p.value);
    p.remove_param("ENCODING");
  } else if (encoding == "8BIT" || encoding == "7BIT") {
    value = std::move(p.value);
    p.remove_param("ENCODING");
  } else {
    value = std::move(p.value);
  }
  if (binary) {
    // 2.1's BASE64 is 3.0's b; the parameter keeps its place so that output follows input.
    for (Parameter& param : p.params) {
      if (param.name == "ENCODING") param.values = {"b"};
    }
    value = detail::clean_value(value);  // before the data: check, which must see the final bytes
    std::erase_if(value, [](char c) { return c == ' ' || c == '\t'; });
    // InfCloud writes a data: URI under ENCODING=b; Radicale strips it the same way. Only when
    // what remains is base64, so that a second parse leaves the value alone.
    if (value.size() > 5 && text::iequals(std::string_view(value).substr(0, 5), "data:")) {
      const std::size_t comma = value.find(',');
      if (comma != std::string::npos && value.rfind(";base64", comma) != std::string::npos &&
          is_base64(std::string_view(value).substr(comma + 1))) {
        value.erase(0, comma + 1);
      }
    }
  }
  if (const Parameter* cs = p.param("CHARSET")) {
    const detail::Charset charset = detail::charset_from_name(first_value(cs));
    if (!binary) {
      if (charset == detail::Charset::unknown && detail::has_non_ascii(value)) {
        return error(ParseErrorCode::unsupported_charset,
                     fmt::format("{}: CHARSET={} is not supported", p.name, detail::printable(first_value(cs), 40)));
      }
      value = detail::to_utf8(value, charset);
    }
    p.remove_param("CHARSET");
  } else if (version == Version::v2_1 && !binary && !auth::is_valid_utf8(value)) {
    value = detail::to_utf8(value, detail::Charset::windows1252);
  }
  if (!auth::is_valid_utf8(value)) {
    return error(ParseErrorCode::invalid, fmt::format("{}: value is not UTF-8", p.name));
  }
  p.value = detail::clean_value(value);
  for (const Parameter& param : p.params) {
    for (const std::string& v : param.values) {
      if (!auth::is_valid_utf8(v)) {
        return error(ParseErrorCode::invalid, fmt::format("{}: parameter {} is not UTF-8", p.name, param.name));
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::not_vcard: return "not_vcard";
    case ParseErrorCode::too_large: return "too_large";
    case ParseErrorCode::invalid: return "invalid";
    case ParseErrorCode::limit_exceeded: return "limit_exceeded";
    case ParseErrorCode::unsupported_version: return "unsupported_version";
    case ParseErrorCode::unsupported_charset: return "unsupported_charset";
    case ParseErrorCode::multiple_cards: return "multiple_cards";
    case ParseErrorCode::missing_uid: return "missing_uid";
    case ParseErrorCode::missing_fn: return "missing_fn";
  }
  return "invalid";
}

std::string_view precondition(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::not_vcard:
    case ParseErrorCode::unsupported_version:
    case ParseErrorCode::unsupported_charset: return "supported-address-data";
    case ParseErrorCode::too_large: return "max-resource-size";
    case ParseErrorCode::invalid:
    case ParseErrorCode::limit_exceeded:
    case ParseErrorCode::multiple_cards:
    case ParseErrorCode::missing_uid:
    case ParseErrorCode::missing_fn: return "valid-address-data";
  }
  return "valid-address-data";
}

ParseResult parse(std::string_view bytes, const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return error(ParseErrorCode::too_large, fmt::format("{} bytes, over the limit of {}", bytes.size(), limits.max_bytes));
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);

  enum class State { before, inside, after } state = State::before;
  detail::LineReader reader(bytes);
  std::string line;
  std::optional<std::string> version_text;
  std::vector<Property> properties;
  while (true) {
    const auto status = reader.next(line, limits.max_line_bytes);
    if (status == detail::LineReader::Status::end) break;
    if (status == detail::LineReader::Status::too_long) {
      return error(ParseErrorCode::limit_exceeded, fmt::format("a content line is over {} bytes", limits.max_line_bytes));
    }
    if (state == State::before) {
      if (!is_begin_vcard(line)) return error(ParseErrorCode::not_vcard, "the resource does not start with BEGIN:VCARD");
      state = State::inside;
      continue;
    }
    if (state == State::after) {
      if (is_begin_vcard(line)) return error(ParseErrorCode::multiple_cards, "more than one vCard in the resource");
      return error(ParseErrorCode::invalid, "content after END:VCARD");
    }
    Property p;
    std::string message;
    switch (detail::split_content_line(line, limits.max_params, p, message)) {
      case detail::LineError::none: break;
      case detail::LineError::syntax: return error(ParseErrorCode::invalid, std::move(message));
      case detail::LineError::too_many_params: return error(ParseErrorCode::limit_exceeded, std::move(message));
    }
    if (p.name == "BEGIN") return error(ParseErrorCode::invalid, "nested BEGIN inside a vCard");
    if (p.name == "END") {
      if (!text::iequals(trim(p.value), "VCARD")) return error(ParseErrorCode::invalid, "END of something other than VCARD");
      state = State::after;
      continue;
    }
    if (p.name == "VERSION") {
      if (version_text) return error(ParseErrorCode::invalid, "VERSION appears more than once");
      version_text = std::string(trim(p.value));
      continue;
    }
    if (properties.size() >= limits.max_properties) {
      return error(ParseErrorCode::limit_exceeded, fmt::format("more than {} properties", limits.max_properties));
    }
    properties.push_back(std::move(p));
  }
  if (state == State::before) return error(ParseErrorCode::not_vcard, "no BEGIN:VCARD");
  if (state == State::inside) return error(ParseErrorCode::invalid, "END:VCARD missing");
  if (!version_text) return error(ParseErrorCode::invalid, "VERSION missing");

  Card card;
  if (*version_text == "4.0") {
    card.version = Version::v4_0;
  } else if (*version_text == "3.0") {
    card.version = Version::v3_0;
  } else if (*version_text == "2.1") {
    card.version = Version::v2_1;
  } else {
    return error(ParseErrorCode::unsupported_version,
                 fmt::format("VERSION {} is not supported", detail::printable(*version_text, 20)));
  }

  std::size_t uids = 0;
  bool has_fn = false;
  for (Property& p : properties) {
    if (auto e = normalise(p, card.version)) return std::move(*e);
    if (p.name == "UID") ++uids;
    if (p.name == "FN") has_fn = true;
  }
  card.properties = std::move(properties);
  if (uids > 1) return error(ParseErrorCode::invalid, "UID appears more than once");
  if (uids == 0 || card.uid().empty()) return error(ParseErrorCode::missing_uid, "the vCard has no UID");
  if (card.version == Version::v4_0 && !has_fn) return error(ParseErrorCode::missing_fn, "a vCard 4.0 needs FN");
  return card;
}

}  // namespace atrium::contacts
