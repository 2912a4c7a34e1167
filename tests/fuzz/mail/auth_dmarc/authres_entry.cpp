// Fuzz entry: Authentication-Results parsing, formatting and forged-field removal.
#include "tests/fuzz/mail/auth_dmarc/fuzz_entries.hpp"

#include "mail/auth/dmarc/authres.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::mail::auth::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "authres fuzz: %s\n", what);
  std::abort();
}

bool is_keyword(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool no_controls(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

// Whether the formatter can write `ar` without dropping anything, so it must re-parse equal.
bool formats_losslessly(const AuthenticationResults& ar) {
  if (!no_controls(ar.authserv_id)) return false;
  for (const MethodResult& r : ar.results) {
    if (!is_keyword(r.method) || !is_keyword(r.result) || !no_controls(r.reason)) return false;
    for (const Property& p : r.properties) {
      if (!(p.ptype.empty() || is_keyword(p.ptype)) || !is_keyword(p.property) || !no_controls(p.value)) return false;
    }
  }
  return true;
}

void check_parse(std::string_view value) {
  const auto parsed = parse_authentication_results(value);
  const auto* ar = std::get_if<AuthenticationResults>(&parsed);
  if (ar == nullptr) return;
  require(ar->results.size() <= max_authres_results, "too many results");
  for (const MethodResult& r : ar->results) {
    require(!r.method.empty() && !r.result.empty(), "a result without method or result");
    require(r.properties.size() <= max_authres_properties, "too many properties");
  }
  const auto id = authserv_id_of(value);
  if (!ar->authserv_id.empty()) require(id && *id == ar->authserv_id, "authserv_id_of disagrees with the parser");

  if (formats_losslessly(*ar)) {
    const std::string field = format_authentication_results(ar->authserv_id, ar->results);
    require(field.size() >= 2 && field.compare(field.size() - 2, 2, "\r\n") == 0, "field does not end in CRLF");
    const auto again = parse_authentication_results(std::string_view(field).substr(field.find(':') + 1));
    const auto* back = std::get_if<AuthenticationResults>(&again);
    require(back != nullptr, "formatted field does not parse");
    require(back->authserv_id == ar->authserv_id, "authserv-id does not round-trip");
    require(back->results == ar->results, "results do not round-trip");
  }

  // A field built from this value is ours when its id is asked for.
  if (id && !id->empty() && value.find_first_of("\r\n") == std::string_view::npos) {
    const std::string block = "A: 1\r\nAuthentication-Results:" + std::string(value) + "\r\nB: 2\r\n\r\n";
    const ForgedRemoval r = remove_forged(block, *id);
    require(r.removed == 1 && r.header_block == "A: 1\r\nB: 2\r\n\r\n", "own field not removed");
  }
}

void check_removal(std::string_view block, std::string_view id) {
  const ForgedRemoval r = remove_forged(block, id);
  require(r.header_block.size() <= block.size(), "removal grew the block");
  require((r.removed == 0) == (r.header_block == block), "removed count and output disagree");
  // What is kept is the input with whole pieces cut out, in order.
  std::size_t pos = 0;
  for (char c : r.header_block) {
    pos = block.find(c, pos);
    require(pos != std::string_view::npos, "output is not a subsequence of the input");
    ++pos;
  }
  require(remove_forged(r.header_block, id).removed == 0, "removal is not idempotent");
}

}  // namespace

int authres_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_parse(text);
  check_removal(text, "mx.example.org");
  if (auto id = authserv_id_of(text); id && !id->empty()) check_removal(text, *id);
  return 0;
}

}  // namespace atrium::mail::auth::fuzz
