// Domain names as DMARC compares them: normalisation to lower-case A-labels, the Organizational
// Domain from the Public Suffix List (RFC 7489 §3.2) and identifier alignment (§3.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

typedef struct psl_ctx_st psl_ctx_t;  // libpsl's context, kept out of this header

namespace atrium::mail::auth::dmarc {

// The form every domain takes inside this module: ASCII, lower case, A-labels for IDNs, no
// trailing dot, 1..253 octets, labels of 1..63 octets made of letters, digits, '-' and '_'.
// Returns nullopt for anything else (empty, a "[literal]", bad IDN, over-long, odd characters).
// Inputs longer than 1024 bytes are refused before any conversion.
std::optional<std::string> normalize_domain(std::string_view domain);

// The Public Suffix List, behind a small class so tests can use a fixed list. Immutable once
// built: lookups are safe from any number of threads.
class PublicSuffixList {
 public:
  // libpsl's newest list: Debian's /usr/share/publicsuffix file when present and newer than the
  // list built into libpsl, the built-in one otherwise. Loaded once per process, on first use.
  static const PublicSuffixList& system();

  // A list in the publicsuffix.org file format ("// comment", one rule per line, "*." wildcards,
  // "!" exceptions). nullopt when libpsl cannot read it.
  static std::optional<PublicSuffixList> from_rules(std::string_view rules);

  PublicSuffixList(PublicSuffixList&& other) noexcept;
  PublicSuffixList& operator=(PublicSuffixList&& other) noexcept;
  PublicSuffixList(const PublicSuffixList&) = delete;
  PublicSuffixList& operator=(const PublicSuffixList&) = delete;
  ~PublicSuffixList();

  // The Organizational Domain of `domain` (normalised first): the public suffix plus one label.
  // A domain that is itself a public suffix, or has no label beyond one, is its own
  // Organizational Domain. "" when `domain` does not normalise.
  std::string organizational_domain(std::string_view domain) const;

  // True when `domain` (normalised first) is a public suffix ("com", "co.uk", "*.ck" names).
  bool is_public_suffix(std::string_view domain) const;

 private:
  explicit PublicSuffixList(psl_ctx_t* ctx) : ctx_(ctx) {}
  psl_ctx_t* ctx_ = nullptr;
};

// adkim / aspf: strict asks for identical domains, relaxed for the same Organizational Domain.
enum class Alignment { relaxed, strict };

// Whether the authenticated domain (SPF's MAIL FROM or HELO domain, DKIM's d=) aligns with the
// RFC5322.From domain. Both are normalised first; a domain that does not normalise never aligns.
bool aligned(std::string_view authenticated_domain, std::string_view from_domain, Alignment mode,
             const PublicSuffixList& suffixes);

}  // namespace atrium::mail::auth::dmarc
