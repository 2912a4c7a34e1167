// select() and address_data(): partial retrieval of a card for CARDDAV:address-data.
#include "contacts/output.hpp"

#include "contacts/convert.hpp"
#include "contacts/serialise.hpp"

namespace atrium::contacts {

Card select(const Card& card, std::span<const PropSelector> props) {
  Card out;
  out.version = card.version;
  for (const Property& p : card.properties) {
    const PropSelector* chosen = nullptr;
    for (const PropSelector& s : props) {
      if (is_named(p, s.name)) {
        // A selector that wants the value wins over one that does not.
        if (!chosen || chosen->novalue) chosen = &s;
      }
    }
    if (!chosen && p.name != "UID") continue;
    Property kept = p;
    if (chosen && chosen->novalue) kept.value.clear();
    out.properties.push_back(std::move(kept));
  }
  return out;
}

std::string address_data(const Card& card, const AddressDataRequest& request) {
  const Version version = request.version.value_or(card.version == Version::v4_0 ? Version::v4_0 : Version::v3_0);
  Card converted = convert(card, version);
  if (request.props) converted = select(converted, *request.props);
  return to_vcard(converted);
}

}  // namespace atrium::contacts
