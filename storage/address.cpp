// Address and domain syntax checks for the directory.
#include "storage/address.hpp"

#include <algorithm>

namespace atrium::storage {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool set_why(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}

// RFC 5322 atext, plus any UTF-8 octet (RFC 6531). '%' and '!' are excluded on purpose: they
// are the old source-routing tricks relays get abused with.
bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '#': case '$': case '&': case '\'': case '*': case '+': case '-': case '/': case '=':
    case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool valid_local(std::string_view local, std::string* why) {
  if (local.empty()) return set_why(why, "empty local part");
  if (local.size() > 64) return set_why(why, "local part longer than 64 octets");
  if (local.front() == '.' || local.back() == '.') return set_why(why, "local part starts or ends with '.'");
  char prev = 0;
  for (char ch : local) {
    auto c = static_cast<unsigned char>(ch);
    if (ch == '.') {
      if (prev == '.') return set_why(why, "'..' in local part");
    } else if (!is_atext(c)) {
      return set_why(why, "character not allowed in local part");
    }
    prev = ch;
  }
  return true;
}

}  // namespace

std::optional<std::string> normalise_domain(std::string_view domain, std::string* why) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (domain.empty()) return set_why(why, "empty domain"), std::nullopt;
  if (domain.size() > 253) return set_why(why, "domain longer than 253 octets"), std::nullopt;
  std::string out;
  out.reserve(domain.size());
  std::size_t label_len = 0;
  int labels = 1;
  for (std::size_t i = 0; i < domain.size(); ++i) {
    char c = lower(domain[i]);
    if (c == '.') {
      if (label_len == 0) return set_why(why, "empty label in domain"), std::nullopt;
      if (out.back() == '-') return set_why(why, "domain label ends with '-'"), std::nullopt;
      label_len = 0;
      ++labels;
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      if (c == '-' && label_len == 0) return set_why(why, "domain label starts with '-'"), std::nullopt;
      if (++label_len > 63) return set_why(why, "domain label longer than 63 octets"), std::nullopt;
    } else {
      return set_why(why, "character not allowed in domain (use the A-label form for IDNs)"), std::nullopt;
    }
    out += c;
  }
  if (label_len == 0) return set_why(why, "empty label in domain"), std::nullopt;
  if (out.back() == '-') return set_why(why, "domain label ends with '-'"), std::nullopt;
  if (labels < 2) return set_why(why, "domain needs at least two labels"), std::nullopt;
  return out;
}

std::optional<std::string> normalise_address(std::string_view address, std::string* why) {
  if (address.size() > 254) return set_why(why, "address longer than 254 octets"), std::nullopt;
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return set_why(why, "missing '@'"), std::nullopt;
  std::string_view local = address.substr(0, at);
  if (!valid_local(local, why)) return std::nullopt;
  auto domain = normalise_domain(address.substr(at + 1), why);
  if (!domain) return std::nullopt;
  std::string out;
  out.reserve(address.size());
  for (char c : local) out += lower(c);
  out += '@';
  out += *domain;
  return out;
}

std::string_view address_domain(std::string_view a) {
  auto at = a.rfind('@');
  return at == std::string_view::npos ? std::string_view() : a.substr(at + 1);
}

std::string_view address_local(std::string_view a) {
  auto at = a.rfind('@');
  return at == std::string_view::npos ? a : a.substr(0, at);
}

}  // namespace atrium::storage
