// SPF records (RFC 7208 §4.5, §4.6, §5, §6): recognising a "v=spf1" TXT record and parsing it
// into typed mechanisms and modifiers. Pure and bounded: the whole record is syntax-checked up
// front, so any syntax error anywhere makes check_host return permerror (§4.6).
#pragma once

#include "mail/auth/spf/address.hpp"
#include "mail/auth/spf/macro.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::auth::spf {

enum class Qualifier { pass, fail, softfail, neutral };  // + - ~ ?

enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

std::string_view to_string(MechanismKind kind);  // "all", "include", ...

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  // include, exists: always set. a, mx, ptr: set when written, otherwise the current <domain>.
  std::optional<MacroString> domain;
  IpAddress network;  // ip4, ip6
  int cidr4 = 32;     // a, mx, ip4
  int cidr6 = 128;    // a, mx, ip6
  std::string text;   // the term as written ("-ip4:192.0.2.0/24"), for results and logs
  friend bool operator==(const Mechanism&, const Mechanism&) = default;
};

// A modifier this implementation does not know (§6): syntax-checked, kept for tools, never used.
struct UnknownModifier {
  std::string name;
  MacroString value;
  friend bool operator==(const UnknownModifier&, const UnknownModifier&) = default;
};

struct Record {
  std::vector<Mechanism> mechanisms;   // in record order
  std::optional<MacroString> redirect;  // redirect=
  std::optional<MacroString> explanation;  // exp=
  std::vector<UnknownModifier> unknown_modifiers;
  friend bool operator==(const Record&, const Record&) = default;
};

// The bounds parse_record enforces. DNS lets TXT RRsets grow far beyond anything a domain
// publishes (§3.4 asks records to fit a 512-octet UDP answer); past these sizes the record is
// refused as a syntax error rather than parsed.
inline constexpr std::size_t max_record_bytes = 4096;
inline constexpr std::size_t max_terms = 1024;

// §4.5: a TXT string is an SPF record when it is exactly "v=spf1" or starts with "v=spf1 "
// (compared case-insensitively). Other records at the name are not SPF and are ignored.
bool is_spf_record(std::string_view txt);

// Parses a whole record, version included. Terms are separated by one or more SP and the record
// may end in SP (§4.6.1); names of mechanisms and modifiers are case-insensitive. Refuses: a
// missing version, unknown mechanisms, bad qualifiers, mechanism arguments that break the §5
// grammar, CIDR lengths over 32/128 or with leading zeros, dual CIDR on ip4/ip6, CIDR on other
// mechanisms, ip4/ip6 networks that are not literal addresses, redirect= or exp= given twice,
// invalid macro strings (also in unknown modifiers), and records over the limits above.
Parsed<Record> parse_record(std::string_view text);

}  // namespace atrium::mail::auth::spf
