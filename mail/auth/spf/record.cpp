// SPF record parsing (RFC 7208 §4.6 grammar, §5 mechanisms, §6 modifiers).
#include "mail/auth/spf/record.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace atrium::mail::auth::spf {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

constexpr std::array<std::pair<std::string_view, MechanismKind>, 8> mechanism_names{{
    {"all", MechanismKind::all},
    {"include", MechanismKind::include},
    {"a", MechanismKind::a},
    {"mx", MechanismKind::mx},
    {"ptr", MechanismKind::ptr},
    {"ip4", MechanismKind::ip4},
    {"ip6", MechanismKind::ip6},
    {"exists", MechanismKind::exists},
}};

// A failure inside one term; offsets are relative to the term until parse_record shifts them.
SyntaxError error_at(std::size_t offset, std::string message) { return SyntaxError{offset, std::move(message)}; }

// "0" / %x31-39 0*2DIGIT, at most `max`. nullopt for anything else.
std::optional<int> cidr_value(std::string_view digits, int max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  if (value > max) return std::nullopt;
  return value;
}

// Removes a trailing "/digits" ("//digits" when `dual`) from `rest` and returns the digits, or
// leaves `rest` alone and returns an empty view. A domain-spec may itself contain '/', so the
// CIDR is taken from the end, as the dual-cidr-length grammar of §5.3 places it.
std::string_view take_cidr_suffix(std::string_view& rest, bool dual) {
  std::size_t j = rest.size();
  while (j > 0 && is_digit(rest[j - 1])) --j;
  if (j == rest.size()) return {};
  const std::size_t slashes = dual ? 2 : 1;
  if (j < slashes) return {};
  for (std::size_t k = 1; k <= slashes; ++k) {
    if (rest[j - k] != '/') return {};
  }
  std::string_view digits = rest.substr(j);
  rest = rest.substr(0, j - slashes);
  return digits;
}

struct TermParser {
  Record record;
  bool have_redirect = false;
  bool have_exp = false;

  // A domain-spec argument; `offset` is where it starts in the term, for error offsets.
  Parsed<MacroString> domain_spec(std::string_view text, std::size_t offset) {
    auto spec = parse_domain_spec(text);
    if (auto* e = std::get_if<SyntaxError>(&spec)) return error_at(offset + e->offset, e->message);
    return spec;
  }

  std::optional<SyntaxError> modifier(std::string_view term, std::size_t eq) {
    const std::string_view name = term.substr(0, eq);
    const std::string_view value = term.substr(eq + 1);
    const bool redirect = iequals(name, "redirect");
    if (redirect || iequals(name, "exp")) {
      bool& seen = redirect ? have_redirect : have_exp;
      if (seen) return error_at(0, std::string(name) + "= given more than once");
      seen = true;
      auto spec = domain_spec(value, eq + 1);
      if (auto* e = std::get_if<SyntaxError>(&spec)) return *e;
      (redirect ? record.redirect : record.explanation) = std::move(std::get<MacroString>(spec));
      return std::nullopt;
    }
    auto macro = parse_macro_string(value, MacroContext::record);
    if (auto* e = std::get_if<SyntaxError>(&macro)) return error_at(eq + 1 + e->offset, e->message);
    record.unknown_modifiers.push_back({lowered(name), std::move(std::get<MacroString>(macro))});
    return std::nullopt;
  }

  std::optional<SyntaxError> mechanism(std::string_view term) {
    Mechanism m;
    m.text = std::string(term);
    std::size_t pos = 0;
    switch (term[0]) {
      case '+': m.qualifier = Qualifier::pass; ++pos; break;
      case '-': m.qualifier = Qualifier::fail; ++pos; break;
      case '~': m.qualifier = Qualifier::softfail; ++pos; break;
      case '?': m.qualifier = Qualifier::neutral; ++pos; break;
      default: break;
    }
    const std::size_t name_end = std::min(term.find_first_of(":/", pos), term.size());
    const std::string_view name = term.substr(pos, name_end - pos);
    const auto known = std::find_if(mechanism_names.begin(), mechanism_names.end(),
                                    [name](const auto& entry) { return iequals(entry.first, name); });
    if (known == mechanism_names.end()) return error_at(pos, "unknown mechanism '" + std::string(name) + "'");
    m.kind = known->second;
    std::string_view rest = term.substr(name_end);
    const std::size_t rest_offset = name_end;

    switch (m.kind) {
      case MechanismKind::all:
        if (!rest.empty()) return error_at(rest_offset, "'all' takes no argument");
        break;
      case MechanismKind::include:
      case MechanismKind::exists: {
        if (rest.empty() || rest[0] != ':') return error_at(rest_offset, std::string(name) + " requires ':' and a domain");
        auto spec = domain_spec(rest.substr(1), rest_offset + 1);
        if (auto* e = std::get_if<SyntaxError>(&spec)) return *e;
        m.domain = std::move(std::get<MacroString>(spec));
        break;
      }
      case MechanismKind::a:
      case MechanismKind::mx:
      case MechanismKind::ptr: {
        if (m.kind != MechanismKind::ptr) {
          if (auto v6 = take_cidr_suffix(rest, true); !v6.empty()) {
            auto value = cidr_value(v6, 128);
            if (!value) return error_at(rest_offset + rest.size(), "invalid IPv6 CIDR length");
            m.cidr6 = *value;
          }
          if (auto v4 = take_cidr_suffix(rest, false); !v4.empty()) {
            auto value = cidr_value(v4, 32);
            if (!value) return error_at(rest_offset + rest.size(), "invalid IPv4 CIDR length");
            m.cidr4 = *value;
          }
        }
        if (rest.empty()) break;
        if (rest[0] != ':') return error_at(rest_offset, "unexpected text after '" + std::string(name) + "'");
        auto spec = domain_spec(rest.substr(1), rest_offset + 1);
        if (auto* e = std::get_if<SyntaxError>(&spec)) return *e;
        m.domain = std::move(std::get<MacroString>(spec));
        break;
      }
      case MechanismKind::ip4:
      case MechanismKind::ip6: {
        const bool v4 = m.kind == MechanismKind::ip4;
        if (rest.empty() || rest[0] != ':') return error_at(rest_offset, std::string(name) + " requires ':' and a network");
        std::string_view network = rest.substr(1);
        const std::size_t slash = network.find('/');
        if (slash != std::string_view::npos) {
          auto value = cidr_value(network.substr(slash + 1), v4 ? 32 : 128);
          if (!value) return error_at(rest_offset + 1 + slash, v4 ? "invalid IPv4 CIDR length" : "invalid IPv6 CIDR length");
          (v4 ? m.cidr4 : m.cidr6) = *value;
          network = network.substr(0, slash);
        }
        auto address = v4 ? parse_ip4(network) : parse_ip6(network);
        if (!address) return error_at(rest_offset + 1, v4 ? "invalid IPv4 network" : "invalid IPv6 network");
        m.network = *address;
        break;
      }
    }
    record.mechanisms.push_back(std::move(m));
    return std::nullopt;
  }

  std::optional<SyntaxError> term(std::string_view term) {
    // modifier = name "=" ..., name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    if (is_alpha(term[0])) {
      std::size_t i = 1;
      while (i < term.size() && (is_alpha(term[i]) || is_digit(term[i]) || term[i] == '-' || term[i] == '_' || term[i] == '.')) ++i;
      if (i < term.size() && term[i] == '=') return modifier(term, i);
    }
    return mechanism(term);
  }
};

}  // namespace

std::string_view to_string(MechanismKind kind) {
  for (const auto& [name, k] : mechanism_names) {
    if (k == kind) return name;
  }
  return "?";
}

bool is_spf_record(std::string_view txt) {
  return txt.size() >= 6 && iequals(txt.substr(0, 6), "v=spf1") && (txt.size() == 6 || txt[6] == ' ');
}

Parsed<Record> parse_record(std::string_view text) {
  if (text.size() > max_record_bytes) return SyntaxError{max_record_bytes, "SPF record too long"};
  if (!is_spf_record(text)) return SyntaxError{0, "not an SPF record (no \"v=spf1\")"};
  TermParser parser;
  std::size_t terms = 0;
  std::size_t pos = 6;
  while (pos < text.size()) {
    // The version and every term are followed by one or more SP (is_spf_record checked the first).
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    if (++terms > max_terms) return SyntaxError{pos, "too many terms in SPF record"};
    if (auto e = parser.term(text.substr(pos, end - pos))) {
      e->offset += pos;
      return *e;
    }
    pos = end;
  }
  return std::move(parser.record);
}

}  // namespace atrium::mail::auth::spf
