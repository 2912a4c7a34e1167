// CARDDAV:addressbook-multiget REPORT bodies (RFC 6352 §8.7, §10.7).
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/report_props.hpp"

#include <string>
#include <vector>

namespace atrium::dav::xml {

struct AddressbookMultiget {
  PropRequest prop;
  std::vector<std::string> hrefs;  // trimmed DAV:href texts as sent
};

// `root` is CARDDAV:addressbook-multiget; at least one DAV:href (missing_element).
Result<AddressbookMultiget> parse_addressbook_multiget(const Element& root);

}  // namespace atrium::dav::xml
