// CardDAV REPORT bodies: addressbook-query (RFC 6352 §8.6 examples, clients) and
// addressbook-multiget (§8.7).
#include "tests/unit/dav/xml/report_support.hpp"

#include <gtest/gtest.h>

namespace atrium::dav::xml {
namespace {

using testing::error_kind;
using testing::report_as;

TEST(AddressbookQuery, Rfc6352_8_6_1_PartialRetrieval) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:prop>
    <D:getetag/>
    <C:address-data>
      <C:prop name="VERSION"/>
      <C:prop name="UID"/>
      <C:prop name="NICKNAME"/>
      <C:prop name="EMAIL"/>
      <C:prop name="FN"/>
    </C:address-data>
  </D:prop>
  <C:filter>
    <C:prop-filter name="NICKNAME">
      <C:text-match collation="i;unicode-casemap" match-type="equals">me</C:text-match>
    </C:prop-filter>
  </C:filter>
</C:addressbook-query>)");
  const AddressbookQuery* q = report_as<AddressbookQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->prop.props, (std::vector<QName>{dav_name("getetag"), carddav_name("address-data")}));
  ASSERT_TRUE(q->prop.address_data.has_value());
  EXPECT_FALSE(q->prop.address_data->all_props);
  EXPECT_EQ(q->prop.address_data->props, (std::vector<std::string>{"VERSION", "UID", "NICKNAME", "EMAIL", "FN"}));
  EXPECT_EQ(q->prop.address_data->version, "3.0");
  EXPECT_EQ(q->filter.test, FilterTest::anyof);
  ASSERT_EQ(q->filter.props.size(), 1u);
  const CardPropFilter& nick = q->filter.props[0];
  EXPECT_EQ(nick.name, "NICKNAME");
  ASSERT_EQ(nick.texts.size(), 1u);
  EXPECT_EQ(nick.texts[0].text, "me");
  EXPECT_EQ(nick.texts[0].match, calendar::MatchType::equals);
  EXPECT_EQ(nick.texts[0].collation, calendar::Collation::unicode_casemap);
  EXPECT_FALSE(q->limit.has_value());
}

TEST(AddressbookQuery, Rfc6352_8_6_2_AnyofWithLimit) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/><C:address-data><C:prop name="VERSION"/><C:prop name="UID"/><C:prop name="NICKNAME"/><C:prop name="EMAIL"/><C:prop name="FN"/></C:address-data></D:prop>
  <C:filter test="anyof">
    <C:prop-filter name="FN">
      <C:text-match collation="i;unicode-casemap" match-type="contains">daboo</C:text-match>
    </C:prop-filter>
    <C:prop-filter name="EMAIL">
      <C:text-match collation="i;unicode-casemap" match-type="contains">daboo</C:text-match>
    </C:prop-filter>
  </C:filter>
  <C:limit><C:nresults>2</C:nresults></C:limit>
</C:addressbook-query>)");
  const AddressbookQuery* q = report_as<AddressbookQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->filter.test, FilterTest::anyof);
  ASSERT_EQ(q->filter.props.size(), 2u);
  EXPECT_EQ(q->filter.props[1].name, "EMAIL");
  EXPECT_EQ(q->limit, 2u);
}

TEST(AddressbookQuery, AllofParamFilterNegateAndDefaults) {
  auto r = parse_report(R"(<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:prop><D:getetag/><C:address-data content-type="text/vcard" version="4.0"/></D:prop>
  <C:filter test="allof">
    <C:prop-filter name="email" test="allof">
      <C:text-match match-type="ends-with">@example.com</C:text-match>
      <C:text-match negate-condition="yes" match-type="starts-with">noreply</C:text-match>
      <C:param-filter name="type"><C:text-match match-type="equals">work</C:text-match></C:param-filter>
    </C:prop-filter>
    <C:prop-filter name="X-ANNIVERSARY"><C:is-not-defined/></C:prop-filter>
    <C:prop-filter name="TEL"><C:param-filter name="PREF"><C:is-not-defined/></C:param-filter></C:prop-filter>
  </C:filter>
</C:addressbook-query>)");
  const AddressbookQuery* q = report_as<AddressbookQuery>(r);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->prop.address_data.has_value());
  EXPECT_EQ(q->prop.address_data->version, "4.0");
  EXPECT_TRUE(q->prop.address_data->all_props);
  EXPECT_EQ(q->filter.test, FilterTest::allof);
  ASSERT_EQ(q->filter.props.size(), 3u);
  const CardPropFilter& email = q->filter.props[0];
  EXPECT_EQ(email.name, "EMAIL");
  EXPECT_EQ(email.test, FilterTest::allof);
  ASSERT_EQ(email.texts.size(), 2u);
  EXPECT_EQ(email.texts[0].match, calendar::MatchType::ends_with);
  EXPECT_EQ(email.texts[0].collation, calendar::Collation::unicode_casemap);  // CardDAV's default
  EXPECT_FALSE(email.texts[0].negate);
  EXPECT_TRUE(email.texts[1].negate);
  EXPECT_EQ(email.texts[1].match, calendar::MatchType::starts_with);
  ASSERT_EQ(email.params.size(), 1u);
  EXPECT_EQ(email.params[0].name, "TYPE");
  EXPECT_EQ(email.params[0].text->match, calendar::MatchType::equals);
  EXPECT_TRUE(q->filter.props[1].is_not_defined);
  EXPECT_TRUE(q->filter.props[2].params.at(0).is_not_defined);
}

TEST(AddressbookQuery, EmptyFilterMatchesAll) {
  // Evolution and DAVx5 list an address book with an empty filter.
  auto r = parse_report(
      R"(<?xml version='1.0' encoding='UTF-8' ?><CARD:addressbook-query xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getetag /></prop><CARD:filter /></CARD:addressbook-query>)");
  const AddressbookQuery* q = report_as<AddressbookQuery>(r);
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(q->filter.props.empty());
  EXPECT_FALSE(q->prop.address_data.has_value());
}

TEST(AddressbookQuery, Refusals) {
  auto body = [](const std::string& filter) {
    return R"(<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop>)" + filter +
           "</C:addressbook-query>";
  };
  EXPECT_EQ(error_kind(parse_report(body(""))), ErrorKind::missing_element);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter test="oneof"/>)"))), ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter><C:prop-filter name="FN"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:filter>)"))),
            ErrorKind::unsupported_collation);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter><C:prop-filter name="FN"><C:text-match match-type="regex">x</C:text-match></C:prop-filter></C:filter>)"))),
            ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter><C:prop-filter><C:is-not-defined/></C:prop-filter></C:filter>)"))),
            ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter><C:prop-filter name="FN"><C:is-not-defined/><C:text-match>x</C:text-match></C:prop-filter></C:filter>)"))),
            ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter><C:comp-filter name="VCARD"/></C:filter>)"))), ErrorKind::invalid_filter);
  EXPECT_EQ(error_kind(parse_report(body(R"(<C:filter/><C:limit><C:nresults>x</C:nresults></C:limit>)"))), ErrorKind::invalid_value);
  EXPECT_EQ(error_kind(parse_report(
                R"(<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data content-type="application/vcard+json"/></D:prop><C:filter/></C:addressbook-query>)")),
            ErrorKind::unsupported_data_type);
  EXPECT_EQ(error_kind(parse_report(
                R"(<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data version="2.1"/></D:prop><C:filter/></C:addressbook-query>)")),
            ErrorKind::unsupported_data_type);
}

TEST(AddressbookMultiget, Rfc6352_8_7_1) {
  auto r = parse_report(R"(<?xml version="1.0" encoding="utf-8" ?>
<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">
  <D:prop>
    <D:getetag/>
    <C:address-data>
      <C:prop name="VERSION"/>
      <C:prop name="UID"/>
      <C:prop name="NICKNAME"/>
      <C:prop name="EMAIL"/>
      <C:prop name="FN"/>
    </C:address-data>
  </D:prop>
  <D:href>/home/bernard/addressbook/vcf102.vcf</D:href>
  <D:href>/home/bernard/addressbook/vcf1.vcf</D:href>
</C:addressbook-multiget>)");
  const AddressbookMultiget* m = report_as<AddressbookMultiget>(r);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->hrefs.size(), 2u);
  ASSERT_TRUE(m->prop.address_data.has_value());
  EXPECT_EQ(m->prop.address_data->props.size(), 5u);
}

TEST(AddressbookMultiget, Davx5Vcard4) {
  auto r = parse_report(
      R"(<?xml version='1.0' encoding='UTF-8' ?><CARD:addressbook-multiget xmlns="DAV:" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><prop><getcontenttype /><getetag /><CARD:address-data content-type="text/vcard" version="4.0" /></prop><href>/addressbooks/u/default/a.vcf</href><href>/addressbooks/u/default/b%40c.vcf</href></CARD:addressbook-multiget>)");
  const AddressbookMultiget* m = report_as<AddressbookMultiget>(r);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->hrefs, (std::vector<std::string>{"/addressbooks/u/default/a.vcf", "/addressbooks/u/default/b%40c.vcf"}));
  EXPECT_EQ(m->prop.address_data->version, "4.0");
  EXPECT_EQ(m->prop.props.size(), 3u);
  EXPECT_EQ(error_kind(parse_report(
                R"(<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop/></C:addressbook-multiget>)")),
            ErrorKind::missing_element);
}

}  // namespace
}  // namespace atrium::dav::xml
