// Fuzz entry: the SPF record parser, and expansion of every domain-spec it accepts.
#include "tests/fuzz/mail/auth_spf/fuzz_entries.hpp"

#include "mail/auth/spf/record.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::mail::auth::spf::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "spf record fuzz: %s\n", what);
  std::abort();
}

MacroValues sample_values() {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = "192.0.2.3";
  v.validated = "mx.example.org";
  v.ip_version = "in-addr";
  v.helo = "mx.example.org";
  return v;
}

// The name check_host would query: bounded, and shortened only at label boundaries.
void check_expansion(const MacroString& spec, const MacroValues& values) {
  const std::string name = expand_domain(spec, values);
  require(name.size() <= 253 || name.find('.') == std::string::npos, "expanded name over 253 octets");
  require(expand_domain(spec, values) == name, "expansion is not deterministic");
}

}  // namespace

int record_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_record(in);
  if (const auto* e = std::get_if<SyntaxError>(&parsed)) {
    require(e->offset <= in.size(), "error offset past the end of the record");
    require(!e->message.empty(), "error without a message");
    return 0;
  }
  const Record& r = std::get<Record>(parsed);
  require(is_spf_record(in), "accepted a record without the version");
  require(in.size() <= max_record_bytes, "accepted an oversized record");
  require(r.mechanisms.size() + r.unknown_modifiers.size() <= max_terms, "more terms than the limit");
  const MacroValues values = sample_values();
  for (const Mechanism& m : r.mechanisms) {
    require(!m.text.empty() && in.find(m.text) != std::string_view::npos, "mechanism text not in the record");
    require(m.text.find(' ') == std::string::npos, "mechanism text spans terms");
    require(m.cidr4 >= 0 && m.cidr4 <= 32 && m.cidr6 >= 0 && m.cidr6 <= 128, "CIDR length out of range");
    const bool needs_domain = m.kind == MechanismKind::include || m.kind == MechanismKind::exists;
    require(!needs_domain || m.domain.has_value(), "include/exists without a domain");
    const bool may_have_domain = needs_domain || m.kind == MechanismKind::a || m.kind == MechanismKind::mx ||
                                 m.kind == MechanismKind::ptr;
    require(may_have_domain || !m.domain.has_value(), "domain on a mechanism that takes none");
    if (m.kind == MechanismKind::ip4) require(m.network.is_v4(), "ip4 network is not IPv4");
    if (m.kind == MechanismKind::ip6) require(!m.network.is_v4(), "ip6 network is not IPv6");
    if (m.domain) check_expansion(*m.domain, values);
  }
  if (r.redirect) check_expansion(*r.redirect, values);
  if (r.explanation) check_expansion(*r.explanation, values);
  auto again = parse_record(in);
  require(std::holds_alternative<Record>(again) && std::get<Record>(again) == r, "parse is not deterministic");
  return 0;
}

}  // namespace atrium::mail::auth::spf::fuzz
