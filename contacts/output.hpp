// address-data output (RFC 6352 §10.4): a card as a report returns it, in the version asked for
// and restricted to the properties asked for.
#pragma once

#include "contacts/card.hpp"
#include "contacts/filter.hpp"

#include <span>
#include <string>

namespace atrium::contacts {

// The card with only the selected properties, in their order. VERSION is always written, and UID
// is always kept, so a client can tell the result's card apart even if it did not ask for UID
// (RFC 6352 §10.4 lets such output be an invalid vCard; we keep it valid where we can). Names
// compare as RFC 6352 §10.4.2 says: "TEL" selects TEL in any group, "ITEM1.TEL" only that group.
Card select(const Card& card, std::span<const PropSelector> props);

// The text of CARDDAV:address-data: convert() to request.version, then select(), then to_vcard().
std::string address_data(const Card& card, const AddressDataRequest& request);

}  // namespace atrium::contacts
