// CARDDAV:addressbook-multiget: prop request and hrefs.
#include "dav/xml/addressbook_multiget.hpp"

#include <utility>

namespace atrium::dav::xml {

Result<AddressbookMultiget> parse_addressbook_multiget(const Element& root) {
  AddressbookMultiget m;
  auto prop = parse_prop_request(root, PropChoice::any);
  if (auto* err = std::get_if<Error>(&prop)) return std::move(*err);
  m.prop = std::move(std::get<PropRequest>(prop));
  m.hrefs = hrefs(root);
  if (m.hrefs.empty()) return Error{ErrorKind::missing_element, "addressbook-multiget without DAV:href"};
  return m;
}

}  // namespace atrium::dav::xml
