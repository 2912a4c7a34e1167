// Domain normalisation (libidn2 for U-labels), the libpsl wrapper and the alignment test.
#include "mail/auth/dmarc/org_domain.hpp"

#include <idn2.h>
#include <libpsl.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

namespace atrium::mail::auth::dmarc {
namespace {

constexpr std::size_t max_input_bytes = 1024;
constexpr std::size_t max_domain_bytes = 253;
constexpr std::size_t max_label_bytes = 63;

bool is_ascii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

bool valid_ldh(std::string_view domain) {
  if (domain.empty() || domain.size() > max_domain_bytes) return false;
  std::size_t label = 0;
  for (char c : domain) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > max_label_bytes) return false;
  }
  return label != 0;
}

struct FreeDeleter {
  void operator()(char* p) const noexcept { std::free(p); }
};

}  // namespace

std::optional<std::string> normalize_domain(std::string_view domain) {
  if (domain.size() > max_input_bytes) return std::nullopt;
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty() || domain.find('\0') != std::string_view::npos) return std::nullopt;
  std::string out;
  if (is_ascii(domain)) {
    out.assign(domain);
  } else {
    // U-labels (SMTPUTF8 mail): DNS and the PSL comparisons below work on A-labels.
    char* converted = nullptr;
    const std::string input(domain);
    const int rc = idn2_to_ascii_8z(input.c_str(), &converted, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, FreeDeleter> owner(converted);
    if (rc != IDN2_OK || converted == nullptr) return std::nullopt;
    out.assign(converted);
  }
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!valid_ldh(out)) return std::nullopt;
  return out;
}

const PublicSuffixList& PublicSuffixList::system() {
  // psl_latest never returns null when libpsl has a built-in list; Debian's does.
  static const PublicSuffixList list([] {
    psl_ctx_t* ctx = psl_latest(nullptr);
    return ctx != nullptr ? ctx : const_cast<psl_ctx_t*>(psl_builtin());
  }());
  return list;
}

std::optional<PublicSuffixList> PublicSuffixList::from_rules(std::string_view rules) {
  // libpsl reads lists from a FILE*; fmemopen avoids a temporary file.
  std::string copy(rules);
  if (copy.empty()) copy.push_back('\n');
  FILE* fp = fmemopen(copy.data(), copy.size(), "r");
  if (fp == nullptr) return std::nullopt;
  psl_ctx_t* ctx = psl_load_fp(fp);
  std::fclose(fp);
  if (ctx == nullptr) return std::nullopt;
  return PublicSuffixList(ctx);
}

PublicSuffixList::PublicSuffixList(PublicSuffixList&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)) {}

PublicSuffixList& PublicSuffixList::operator=(PublicSuffixList&& other) noexcept {
  if (this != &other) {
    if (ctx_ != nullptr) psl_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

// psl_free ignores the built-in context, so every context may go through it.
PublicSuffixList::~PublicSuffixList() {
  if (ctx_ != nullptr) psl_free(ctx_);
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  auto normal = normalize_domain(domain);
  if (!normal) return {};
  const char* registrable = psl_registrable_domain(ctx_, normal->c_str());
  // registrable points into `normal` (a suffix of it), or is null for a public suffix itself.
  if (registrable == nullptr) return *normal;
  return std::string(registrable);
}

bool PublicSuffixList::is_public_suffix(std::string_view domain) const {
  auto normal = normalize_domain(domain);
  if (!normal) return false;
  return psl_is_public_suffix2(ctx_, normal->c_str(), PSL_TYPE_ANY) != 0;
}

bool aligned(std::string_view authenticated_domain, std::string_view from_domain, Alignment mode,
             const PublicSuffixList& suffixes) {
  auto a = normalize_domain(authenticated_domain);
  auto f = normalize_domain(from_domain);
  if (!a || !f) return false;
  if (*a == *f) return true;
  if (mode == Alignment::strict) return false;
  return suffixes.organizational_domain(*a) == suffixes.organizational_domain(*f);
}

}  // namespace atrium::mail::auth::dmarc
