// From-domain extraction on top of mail/mime's header reader and address-list parser.
#include "mail/auth/dmarc/from_domain.hpp"

#include "core/text/ascii.hpp"

#include "mail/mime/address.hpp"
#include "mail/mime/header.hpp"

#include <algorithm>

namespace atrium::mail::auth::dmarc {
namespace {

using text::iequals;

std::string normal_form(std::string_view domain) {
  std::string out(domain);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace

FromDomains from_domains(std::string_view header_block) {
  FromDomains out;
  // The address list of one From field is bounded by the value limit; a From field is short.
  mime::HeaderLimits limits;
  limits.max_value_bytes = 16 << 10;
  const mime::HeaderBlock block = mime::read_headers(header_block, limits);
  for (const mime::HeaderField& field : block.fields) {
    if (!iequals(field.name, "From")) continue;
    ++out.fields;
    for (const mime::Address& a : mime::parse_address_list(field.value)) {
      if (a.kind != mime::Address::Kind::mailbox) continue;
      // A display name alone (no local part, no domain) is not a mailbox at all.
      if (!a.mailbox && !a.domain) continue;
      ++out.mailboxes;
      std::string domain = normal_form(a.domain.value_or(""));
      if (std::find(out.domains.begin(), out.domains.end(), domain) != out.domains.end()) continue;
      if (out.domains.size() == max_from_domains) continue;
      out.domains.push_back(std::move(domain));
    }
  }
  return out;
}

}  // namespace atrium::mail::auth::dmarc
