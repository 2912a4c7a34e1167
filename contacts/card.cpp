// The Card model: value escapes and the accessors the store indexes.
#include "contacts/card.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::contacts {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

std::string_view to_string(Version version) {
  switch (version) {
    case Version::v2_1: return "2.1";
    case Version::v3_0: return "3.0";
    case Version::v4_0: return "4.0";
  }
  return "4.0";
}

const Parameter* Property::param(std::string_view param_name) const {
  for (const Parameter& p : params) {
    if (p.name == param_name) return &p;
  }
  return nullptr;
}

std::vector<std::string> Property::param_values(std::string_view param_name) const {
  std::vector<std::string> out;
  for (const Parameter& p : params) {
    if (p.name != param_name) continue;
    for (const std::string& v : p.values) {
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = v.find(',', start);
        out.emplace_back(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  }
  return out;
}

bool Property::has_type(std::string_view type) const {
  for (const std::string& v : param_values("TYPE")) {
    if (text::iequals(v, type)) return true;
  }
  return false;
}

void Property::remove_param(std::string_view param_name) {
  std::erase_if(params, [&](const Parameter& p) { return p.name == param_name; });
}

void Property::add_param_value(std::string_view param_name, std::string v) {
  for (Parameter& p : params) {
    if (p.name == param_name) {
      p.values.push_back(std::move(v));
      return;
    }
  }
  params.push_back(Parameter{std::string(param_name), {std::move(v)}});
}

std::string Property::text() const { return unescape(value); }

std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out.push_back(c);
      continue;
    }
    const char next = raw[i + 1];
    switch (next) {
      case 'n':
      case 'N': out.push_back('\n'); break;
      case '\\':
      case ',':
      case ';':
      case ':': out.push_back(next); break;
      default:
        out.push_back('\\');
        out.push_back(next);
        break;
    }
    ++i;
  }
  return out;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ',': out += "\\,"; break;
      case ';': out += "\\;"; break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> split_value(std::string_view raw, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;  // the escaped character never separates
      continue;
    }
    if (raw[i] == separator) {
      parts.push_back(unescape(raw.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(unescape(raw.substr(std::min(start, raw.size()))));
  return parts;
}

bool is_named(const Property& p, std::string_view name) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return text::iequals(p.name, name);
  return text::iequals(p.group, name.substr(0, dot)) && text::iequals(p.name, name.substr(dot + 1));
}

std::string tel_text(std::string_view uri) {
  if (!starts_with_icase(uri, "tel:")) return std::string(uri);
  const std::string_view rest = uri.substr(4);
  std::string number(rest.substr(0, rest.find(';')));
  const std::size_t ext = lower(rest).find(";ext=");
  if (ext != std::string::npos) {
    const std::string_view digits = rest.substr(ext + 5);
    number += " ext. ";
    number += digits.substr(0, digits.find(';'));
  }
  return number;
}

const Property* Card::find(std::string_view name) const {
  for (const Property& p : properties) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

Property* Card::find(std::string_view name) {
  for (Property& p : properties) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string Card::uid() const {
  const Property* p = find("UID");
  return p ? std::string(trim(p->text())) : std::string();
}

std::optional<std::string> Card::fn() const {
  const Property* p = find("FN");
  if (!p) return std::nullopt;
  return p->text();
}

std::vector<std::string> Card::n() const {
  const Property* p = find("N");
  if (!p) return {};
  return split_value(p->value, ';');
}

std::vector<std::string> Card::emails() const {
  std::vector<std::string> out;
  for (const Property& p : properties) {
    if (p.name != "EMAIL") continue;
    std::string v = lower(trim(p.text()));
    // 4.0 allows only text here, but some writers put a mailto: URI.
    if (starts_with_icase(v, "mailto:")) v.erase(0, 7);
    if (!v.empty()) out.push_back(std::move(v));
  }
  return out;
}

std::vector<std::string> Card::tels() const {
  std::vector<std::string> out;
  for (const Property& p : properties) {
    if (p.name != "TEL") continue;
    std::string v = tel_text(trim(p.text()));
    if (!v.empty()) out.push_back(std::move(v));
  }
  return out;
}

Kind Card::kind() const {
  const Property* p = find("KIND");
  if (!p) p = find("X-ADDRESSBOOKSERVER-KIND");
  if (!p) return Kind::individual;
  const std::string v = lower(trim(p->text()));
  if (v == "individual") return Kind::individual;
  if (v == "group") return Kind::group;
  if (v == "org") return Kind::org;
  if (v == "location") return Kind::location;
  return Kind::other;
}

std::vector<std::string> Card::members() const {
  std::vector<std::string> out;
  const bool v4 = find("MEMBER") != nullptr;
  for (const Property& p : properties) {
    if (p.name == (v4 ? "MEMBER" : "X-ADDRESSBOOKSERVER-MEMBER")) out.emplace_back(trim(p.text()));
  }
  return out;
}

}  // namespace atrium::contacts
