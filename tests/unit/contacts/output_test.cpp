// select() and address_data(): partial retrieval and version negotiation.
#include "contacts/output.hpp"

#include "contacts/serialise.hpp"
#include "tests/unit/contacts/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::contacts {
namespace {

using testing::parse_ok;
using testing::vcard;

const Card& card() {
  static const Card c = parse_ok(vcard("3.0", {
      "FN:Ann Lee",
      "N:Lee;Ann;;;",
      "item1.EMAIL;TYPE=INTERNET:ann@work.example",
      "item1.X-ABLabel:Work",
      "EMAIL;TYPE=INTERNET:ann@home.example",
      "TEL;TYPE=CELL,pref:+1 555 0100",
      "PHOTO;ENCODING=b;TYPE=JPEG:/9j/AAAA",
      "UID:ann-1",
      "X-ADDRESSBOOKSERVER-KIND:individual",
  }));
  return c;
}

TEST(ContactsOutput, SelectKeepsNamedPropertiesAndUid) {
  const PropSelector props[] = {{"EMAIL"}, {"FN"}};
  const Card s = select(card(), props);
  EXPECT_EQ(s.version, Version::v3_0);
  EXPECT_EQ(to_vcard(s),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nitem1.EMAIL;TYPE=INTERNET:ann@work.example\r\n"
            "EMAIL;TYPE=INTERNET:ann@home.example\r\nUID:ann-1\r\nEND:VCARD\r\n");
}

TEST(ContactsOutput, SelectByGroupAndNovalue) {
  const PropSelector props[] = {{"ITEM1.EMAIL"}, {"PHOTO", true}, {"x-ablabel"}};
  const Card s = select(card(), props);
  EXPECT_EQ(to_vcard(s),
            "BEGIN:VCARD\r\nVERSION:3.0\r\nitem1.EMAIL;TYPE=INTERNET:ann@work.example\r\nitem1.X-ABLABEL:Work\r\n"
            "PHOTO;ENCODING=b;TYPE=JPEG:\r\nUID:ann-1\r\nEND:VCARD\r\n");
  // A selector with the value wins over one without.
  const PropSelector both[] = {{"FN", true}, {"FN"}};
  EXPECT_EQ(select(card(), both).find("FN")->value, "Ann Lee");
  // Selecting nothing still returns UID.
  EXPECT_EQ(select(card(), {}).properties.size(), 1u);
}

TEST(ContactsOutput, AddressDataConvertsThenSelects) {
  const AddressDataRequest as4{.version = Version::v4_0, .props = std::vector<PropSelector>{{"TEL"}, {"PHOTO"}, {"KIND"}}};
  EXPECT_EQ(address_data(card(), as4),
            "BEGIN:VCARD\r\nVERSION:4.0\r\nTEL;TYPE=CELL;PREF=1:+1 555 0100\r\nPHOTO:data:image/jpeg;base64,/9j/AAAA\r\n"
            "UID:ann-1\r\nKIND:individual\r\nEND:VCARD\r\n");
  // No version: the card's own; no props: everything.
  EXPECT_EQ(address_data(card(), {}), to_vcard(card()));
  const Card v4 = parse_ok(vcard("4.0", {"UID:u", "FN:x"}));
  EXPECT_EQ(address_data(v4, {}), to_vcard(v4));
  const Card v21 = parse_ok(vcard("2.1", {"UID:u", "TEL;CELL:1"}));
  EXPECT_EQ(address_data(v21, {}), "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u\r\nTEL;TYPE=CELL:1\r\nEND:VCARD\r\n");
}

}  // namespace
}  // namespace atrium::contacts
