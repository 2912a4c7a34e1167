// convert(): each 3.0 <-> 4.0 rule on its own, then round trips.
#include "contacts/convert.hpp"

#include "contacts/serialise.hpp"
#include "tests/unit/contacts/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::contacts {
namespace {

using testing::parse_ok;
using testing::vcard;

// The written content lines of `card` between VERSION and END, for compact expectations.
std::vector<std::string> lines(const Card& card) {
  std::vector<std::string> out;
  for (const Property& p : card.properties) out.push_back(content_line(p));
  return out;
}

Card to4(std::initializer_list<std::string_view> v3_lines) { return convert(parse_ok(vcard("3.0", v3_lines)), Version::v4_0); }
Card to3(std::initializer_list<std::string_view> v4_lines) { return convert(parse_ok(vcard("4.0", v4_lines)), Version::v3_0); }

using Lines = std::vector<std::string>;

TEST(ContactsConvert, SameVersionIsACopy) {
  const Card c = parse_ok(vcard("3.0", {"UID:u", "FN:x", "TEL;TYPE=pref:1"}));
  EXPECT_EQ(convert(c, Version::v3_0), c);
  const Card v21 = parse_ok(vcard("2.1", {"UID:u", "TEL;CELL:1"}));
  const Card as3 = convert(v21, Version::v3_0);
  EXPECT_EQ(as3.version, Version::v3_0);
  EXPECT_EQ(as3.properties, v21.properties);
  EXPECT_EQ(convert(v21, Version::v2_1).version, Version::v3_0);
}

TEST(ContactsConvert, PrefAndTypes) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "EMAIL;TYPE=INTERNET;TYPE=pref:a@b", "TEL;TYPE=CELL,PREF:1", "TEL;TYPE=pref:2"})),
            (Lines{"UID:u", "FN:x", "EMAIL;TYPE=INTERNET;PREF=1:a@b", "TEL;TYPE=CELL;PREF=1:1", "TEL;PREF=1:2"}));
  // Back: the lowest PREF of each name becomes TYPE=pref, the others lose PREF.
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "EMAIL;PREF=2;TYPE=home:a@b", "EMAIL;PREF=1;TYPE=work:c@d", "EMAIL:e@f",
                       "TEL;TYPE=\"voice,cell\";PREF=5:1"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "EMAIL;TYPE=home:a@b", "EMAIL;TYPE=work,pref:c@d", "EMAIL:e@f",
                   "TEL;TYPE=voice,cell,pref:1"}));
}

TEST(ContactsConvert, InlineBinaries) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "PHOTO;ENCODING=b;TYPE=JPEG:AAAA", "LOGO;ENCODING=b:iVBORw0KGgoAAA=",
                       "SOUND;TYPE=WAVE;ENCODING=b:UklG", "KEY;ENCODING=b;TYPE=PGP:mQIN", "PHOTO;ENCODING=b:QUJD"})),
            (Lines{"UID:u", "FN:x", "PHOTO:data:image/jpeg;base64,AAAA", "LOGO:data:image/png;base64,iVBORw0KGgoAAA=",
                   "SOUND:data:audio/wave;base64,UklG", "KEY:data:application/pgp-keys;base64,mQIN",
                   "PHOTO:data:application/octet-stream;base64,QUJD"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "PHOTO:data:image/jpeg;base64,AAAA", "KEY:data:application/pgp-keys;base64,mQIN",
                       "LOGO;MEDIATYPE=image/png:https://example.com/logo.png", "SOUND:data:audio/basic,notbase64"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "PHOTO;ENCODING=b;TYPE=JPEG:AAAA", "KEY;ENCODING=b;TYPE=PGP:mQIN",
                   "LOGO;VALUE=uri;TYPE=PNG:https://example.com/logo.png", "SOUND;VALUE=uri:data:audio/basic,notbase64"}));
}

TEST(ContactsConvert, UriBinariesAndTextKeys) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "PHOTO;VALUE=uri;TYPE=GIF:http://example.com/p.gif", "KEY;TYPE=X509:MIIB"})),
            (Lines{"UID:u", "FN:x", "PHOTO;MEDIATYPE=image/gif:http://example.com/p.gif",
                   "KEY;VALUE=text;MEDIATYPE=application/pkix-cert:MIIB"}));
}

TEST(ContactsConvert, AppleKindAndMembers) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:Team", "X-ADDRESSBOOKSERVER-KIND:Group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a"})),
            (Lines{"UID:u", "FN:Team", "KIND:group", "MEMBER:urn:uuid:a"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:Team", "KIND:group", "MEMBER:urn:uuid:a"})),
            (Lines{"UID:u", "FN:Team", "N:Team;;;;", "X-ADDRESSBOOKSERVER-KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:Ann", "KIND:individual"})), (Lines{"UID:u", "FN:Ann", "N:;;;;"}));
}

TEST(ContactsConvert, LabelsAndAddresses) {
  // By TYPE (Outlook), by group, and a LABEL without its ADR.
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "ADR;TYPE=WORK;TYPE=pref:;;Main St 1;Town;;123;", "ADR;TYPE=HOME:;;Elm 2;Town;;;",
                       "LABEL;TYPE=HOME:Elm 2\\nTown", "LABEL;TYPE=WORK,pref:Main St 1\\n123 Town",
                       "item1.ADR:;;Oak 3;;;;", "item1.LABEL:Oak 3", "LABEL;TYPE=POSTAL:PO Box 9"})),
            (Lines{"UID:u", "FN:x", "ADR;TYPE=WORK;PREF=1;LABEL=Main St 1^n123 Town:;;Main St 1;Town;;123;",
                   "ADR;TYPE=HOME;LABEL=Elm 2^nTown:;;Elm 2;Town;;;", "item1.ADR;LABEL=Oak 3:;;Oak 3;;;;",
                   "ADR;TYPE=POSTAL;LABEL=PO Box 9:;;;;;;"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "item2.ADR;TYPE=home;LABEL=\"1 Main St^nTown, CA\":;;1 Main St;Town;CA;;"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "item2.ADR;TYPE=home:;;1 Main St;Town;CA;;", "item2.LABEL;TYPE=home:1 Main St\\nTown\\, CA"}));
}

TEST(ContactsConvert, DatesWithoutYear) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-08-06", "ANNIVERSARY;X-APPLE-OMIT-YEAR=1604:16040229",
                       "X-ABDATE:2015-06-12", "BDAY;X-APPLE-OMIT-YEAR=1604:1990-01-02"})),
            (Lines{"UID:u", "FN:x", "BDAY:--0806", "ANNIVERSARY:--0229", "X-ABDATE:2015-06-12", "BDAY:19900102"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "BDAY:--0415", "ANNIVERSARY:--12-24", "BDAY:19900315"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15", "ANNIVERSARY;X-APPLE-OMIT-YEAR=1604:1604-12-24",
                   "BDAY:19900315"}));
}

TEST(ContactsConvert, ExtendedDatesBecomeBasic) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "BDAY:1990-03-15", "REV:2026-02-24T15:00:00Z", "REV:2026-02-24T15:00:00.250+01:30",
                       "ANNIVERSARY:2010-06-12T09:30", "BDAY:19900315", "BDAY:1990-03", "REV:2026-02-24T15:00:00 UTC"})),
            (Lines{"UID:u", "FN:x", "BDAY:19900315", "REV:20260224T150000Z", "REV:20260224T150000+0130",
                   "ANNIVERSARY:20100612T0930", "BDAY:19900315", "BDAY:1990-03", "REV:2026-02-24T15:00:00 UTC"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "N:;;;;", "REV;VALUE=timestamp:20260302T080000Z"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "REV:20260302T080000Z"}));
}

TEST(ContactsConvert, UriValuesLoseEscapes) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "item1.URL:https\\://example.com/a\\,b", "X-ADDRESSBOOKSERVER-MEMBER:urn\\:uuid:1",
                       "NOTE:a\\:b"})),
            (Lines{"UID:u", "FN:x", "item1.URL:https://example.com/a,b", "MEMBER:urn:uuid:1", "NOTE:a\\:b"}));
}

TEST(ContactsConvert, NIsAddedFor30) {
  EXPECT_EQ(lines(to3({"UID:u", "FN:Book\\, Club", "KIND:group"})), (Lines{"UID:u", "FN:Book\\, Club", "N:Book\\, Club;;;;",
                                                                        "X-ADDRESSBOOKSERVER-KIND:group"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:Contoso", "KIND:org"})), (Lines{"UID:u", "FN:Contoso", "N:Contoso;;;;", "X-ADDRESSBOOKSERVER-KIND:org"}));
  EXPECT_EQ(lines(to3({"FN:Ann", "UID:u", "N:Lee;Ann;;;"})), (Lines{"FN:Ann", "UID:u", "N:Lee;Ann;;;"}));
}

TEST(ContactsConvert, AppleStandInsGiveWayToTheRealProperties) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "X-ADDRESSBOOKSERVER-KIND:org", "KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a",
                       "MEMBER:urn:uuid:b"})),
            (Lines{"UID:u", "FN:x", "KIND:group", "MEMBER:urn:uuid:b"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "N:x;;;;", "X-ADDRESSBOOKSERVER-KIND:org", "KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a",
                       "MEMBER:urn:uuid:b"})),
            (Lines{"UID:u", "FN:x", "N:x;;;;", "X-ADDRESSBOOKSERVER-KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:b"}));
}

TEST(ContactsConvert, OnlyTheFirstKindCounts) {
  const Card v4 = parse_ok(vcard("4.0", {"UID:u", "FN:x", "N:x;;;;", "KIND:individual", "KIND:group"}));
  EXPECT_EQ(v4.kind(), Kind::individual);
  const Card v3 = convert(v4, Version::v3_0);
  EXPECT_EQ(lines(v3), (Lines{"UID:u", "FN:x", "N:x;;;;"}));
  EXPECT_EQ(v3.kind(), Kind::individual);
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "X-ADDRESSBOOKSERVER-KIND:group", "X-ADDRESSBOOKSERVER-KIND:org"})),
            (Lines{"UID:u", "FN:x", "KIND:group"}));
}

TEST(ContactsConvert, GeoAndTimeZone) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "GEO:37.386013;-122.082932", "TZ:-05:00", "TZ;VALUE=text:Europe/Berlin"})),
            (Lines{"UID:u", "FN:x", "GEO:geo:37.386013,-122.082932", "TZ;VALUE=utc-offset:-0500", "TZ:Europe/Berlin"}));
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "GEO:geo:59.3293,18.0686,12;u=10", "TZ;VALUE=utc-offset:+0100", "TZ:Europe/Stockholm"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "GEO:59.3293;18.0686", "TZ:+01:00", "TZ;VALUE=text:Europe/Stockholm"}));
}

TEST(ContactsConvert, Telephones) {
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "TEL;VALUE=uri;TYPE=\"voice,home\":tel:+1-555-555-5555;ext=5555", "TEL;VALUE=uri:sip:a@b",
                       "TEL:+1 555 0100"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "TEL;TYPE=voice,home:+1-555-555-5555 ext. 5555", "TEL;VALUE=uri:sip:a@b", "TEL:+1 555 0100"}));
  // Text numbers stay text in 4.0.
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "TEL;TYPE=CELL:+1 (408) 555-0101"})), (Lines{"UID:u", "FN:x", "TEL;TYPE=CELL:+1 (408) 555-0101"}));
}

TEST(ContactsConvert, PropertiesGoneFrom40) {
  EXPECT_EQ(lines(to4({"UID:u", "FN:x", "NAME:card", "PROFILE:VCARD", "MAILER:Pine", "CLASS:PUBLIC", "N:Lee;Ann;;;",
                       "SORT-STRING:Lee", "AGENT;VALUE=uri:CID:JQPUBLIC.part3.960129T083020.xyzMail@host3.com",
                       "N;CHARSET=UTF-8:x;;;;"})),
            (Lines{"UID:u", "FN:x", "N;SORT-AS=Lee:Lee;Ann;;;", "RELATED;TYPE=agent:CID:JQPUBLIC.part3.960129T083020.xyzMail@host3.com",
                   "N:x;;;;"}));
}

TEST(ContactsConvert, FnIsMadeFor40) {
  EXPECT_EQ(to4({"UID:u", "N:Appleseed;Johnny;Q.;Mr.;Jr."}).fn(), "Mr. Johnny Q. Appleseed Jr.");
  EXPECT_EQ(to4({"UID:u", "N:;;;;", "ORG:Contoso\\, Ltd.;Sales"}).fn(), "Contoso, Ltd.");
  EXPECT_EQ(to4({"UID:u", "EMAIL:Info@Example.com"}).fn(), "info@example.com");
  EXPECT_EQ(to4({"UID:u"}).fn(), "");
  EXPECT_EQ(to4({"UID:u"}).properties.front().name, "FN");
}

TEST(ContactsConvert, KeptAsTheyAre) {
  EXPECT_EQ(lines(to3({"UID:u", "FN:x", "GENDER:F", "ANNIVERSARY:20100612", "IMPP:xmpp:a@b", "item1.X-ABLabel:Custom",
                       "RELATED;TYPE=spouse:urn:uuid:1", "X-CUSTOM;X-P=1:v"})),
            (Lines{"UID:u", "FN:x", "N:;;;;", "GENDER:F", "ANNIVERSARY:20100612", "IMPP:xmpp:a@b", "item1.X-ABLABEL:Custom",
                   "RELATED;TYPE=spouse:urn:uuid:1", "X-CUSTOM;X-P=1:v"}));
}

TEST(ContactsConvert, RoundTripKeepsWhatClientsUse) {
  const Card v3 = parse_ok(vcard("3.0", {
      "UID:ABC-1", "FN:Ann Lee", "N:Lee;Ann;;;", "item1.EMAIL;TYPE=INTERNET,pref:ann@example.com", "item1.X-ABLabel:Other",
      "TEL;TYPE=CELL,pref:+1 555", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/AAAA", "BDAY;X-APPLE-OMIT-YEAR=1604:1604-01-31",
      "X-ADDRESSBOOKSERVER-KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:x", "GEO:1.5;2.5",
  }));
  const Card there = convert(v3, Version::v4_0);
  const Card back = convert(there, Version::v3_0);
  EXPECT_EQ(lines(back), lines(v3)) << to_vcard(there);
}

}  // namespace
}  // namespace atrium::contacts
