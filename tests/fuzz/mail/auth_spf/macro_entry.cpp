// Fuzz entry: SPF macro strings, domain-specs and their expansion.
#include "tests/fuzz/mail/auth_spf/fuzz_entries.hpp"

#include "mail/auth/spf/macro.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::mail::auth::spf::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "spf macro fuzz: %s\n", what);
  std::abort();
}

MacroValues values_for(unsigned set) {
  MacroValues v;
  v.ip_version = "in-addr";
  v.validated = "unknown";
  v.receiver = "mx.example.net";
  v.timestamp = "1700000000";
  switch (set) {
    case 0:  // RFC 7208 §7.4
      v.sender = "strong-bad@email.example.com";
      v.local_part = "strong-bad";
      v.sender_domain = v.domain = "email.example.com";
      v.ip = v.client_ip = "192.0.2.3";
      v.helo = "mx.example.org";
      break;
    case 1:  // IPv6
      v.sender = "postmaster@mail.example.net";
      v.local_part = "postmaster";
      v.sender_domain = v.domain = v.helo = "mail.example.net";
      v.ip = "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2";
      v.client_ip = "2001:db8::cb01";
      v.ip_version = "ip6";
      break;
    case 2:  // long labels: truncation
      v.local_part = std::string(63, 'x');
      v.sender = v.local_part + "@" + std::string(60, 'y') + ".example.com";
      v.sender_domain = v.domain = std::string(60, 'y') + ".example.com";
      v.ip = v.client_ip = "198.51.100.254";
      v.helo = std::string(200, 'h');
      break;
    default:  // odd bytes from a hostile sender
      v.local_part = "a b/\xC3\xA9%{d}\r\n..=+";
      v.sender = v.local_part + "@example.com";
      v.sender_domain = v.domain = "example.com";
      v.ip = v.client_ip = "203.0.113.9";
      v.helo = "[203.0.113.9]";
      break;
  }
  return v;
}

bool is_hex_upper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// A macro string holding only upper-case letters expands to unreserved characters and %XX.
void check_escaping(const MacroString& macro, const MacroValues& values) {
  for (const MacroToken& token : macro.tokens) {
    const auto* m = std::get_if<MacroExpand>(&token);
    if (m == nullptr || !m->url_escape) continue;
    MacroString one;
    one.tokens.push_back(*m);
    const std::string out = expand(one, values);
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '%') {
        require(i + 2 < out.size() && is_hex_upper(out[i + 1]) && is_hex_upper(out[i + 2]), "bad %XX escape");
        i += 2;
      } else {
        require(is_unreserved(out[i]), "reserved character in an escaped expansion");
      }
    }
  }
}

}  // namespace

int macro_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned control = data[0];
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const MacroContext context = (control & 1) ? MacroContext::explanation : MacroContext::record;
  const MacroValues values = values_for((control >> 1) & 3);

  auto parsed = parse_macro_string(in, context);
  auto spec = parse_domain_spec(in);
  if (std::holds_alternative<MacroString>(spec)) {
    require(std::holds_alternative<MacroString>(parse_macro_string(in, MacroContext::record)),
            "a domain-spec that is no macro-string");
    const std::string name = expand_domain(std::get<MacroString>(spec), values);
    require(name.size() <= 253 || name.find('.') == std::string::npos, "expanded name over 253 octets");
    // One trailing dot is the root and dropped; a name still ending in one has an empty label.
    require(name.empty() || name.back() != '.' || !is_valid_domain(name, false), "valid name with a trailing dot");
  }
  if (const auto* e = std::get_if<SyntaxError>(&parsed)) {
    require(e->offset <= in.size(), "error offset past the end");
    return 0;
  }
  const MacroString& macro = std::get<MacroString>(parsed);
  require(macro.text == in, "source text not kept");
  const std::string out = expand(macro, values);
  require(out.size() <= max_expansion, "expansion over the bound");
  require(expand(macro, values) == out, "expansion is not deterministic");
  if (context == MacroContext::record) {
    require(!macro.uses('c') && !macro.uses('r') && !macro.uses('t'), "explanation letters outside an explanation");
  }
  check_escaping(macro, values);
  return 0;
}

}  // namespace atrium::mail::auth::spf::fuzz
