// parse(): content-line syntax, unfolding, 2.1 quirks, validation errors with their CardDAV
// preconditions, and the limits.
#include "contacts/parse.hpp"

#include "tests/unit/contacts/test_support.hpp"

#include <gtest/gtest.h>

namespace atrium::contacts {
namespace {

using testing::parse_error;
using testing::parse_ok;
using testing::vcard;

TEST(ContactsParse, MinimalCards) {
  const Card v4 = parse_ok(vcard("4.0", {"UID:urn:uuid:1", "FN:Ann"}));
  EXPECT_EQ(v4.version, Version::v4_0);
  EXPECT_EQ(v4.uid(), "urn:uuid:1");
  EXPECT_EQ(v4.fn(), "Ann");
  ASSERT_EQ(v4.properties.size(), 2u);  // VERSION is not a property

  const Card v3 = parse_ok(vcard("3.0", {"UID:abc", "FN:Ann", "N:Lee;Ann;;;"}));
  EXPECT_EQ(v3.version, Version::v3_0);
  EXPECT_EQ(v3.n(), (std::vector<std::string>{"Lee", "Ann", "", "", ""}));
}

TEST(ContactsParse, GroupsNamesAndParameters) {
  const Card c = parse_ok(vcard("3.0", {
      "UID:u",
      "item1.email;Type=INTERNET;type=pref:a@example.com",
      "TEL;TYPE=work,voice;X-Note=\"a;b:c,d\":+1 555",
      "X-EMPTY;X-P=:value",
  }));
  const Property& email = c.properties[1];
  EXPECT_EQ(email.group, "item1");
  EXPECT_EQ(email.name, "EMAIL");
  ASSERT_EQ(email.params.size(), 2u);
  EXPECT_EQ(email.params[0].name, "TYPE");
  EXPECT_EQ(email.params[0].values, std::vector<std::string>{"INTERNET"});
  EXPECT_TRUE(email.has_type("pref"));
  EXPECT_TRUE(email.has_type("internet"));
  EXPECT_FALSE(email.has_type("work"));

  const Property& tel = c.properties[2];
  EXPECT_EQ(tel.params[0].values, (std::vector<std::string>{"work", "voice"}));
  EXPECT_EQ(tel.params[1].name, "X-NOTE");
  EXPECT_EQ(tel.params[1].values, std::vector<std::string>{"a;b:c,d"});  // quoted: one value
  EXPECT_EQ(tel.value, "+1 555");

  EXPECT_EQ(c.properties[3].params[0].values, std::vector<std::string>{""});
}

TEST(ContactsParse, ValueColonsAndEscapes) {
  const Card c = parse_ok(vcard("3.0", {
      "UID:u",
      "URL:https\\://example.com/a:b",
      "NOTE:one\\ntwo\\, three\\; four\\\\ five \\N six C:\\temp",
      "CATEGORIES:a,b\\,c",
  }));
  EXPECT_EQ(c.properties[1].value, "https\\://example.com/a:b");  // the raw value keeps escapes
  EXPECT_EQ(c.properties[1].text(), "https://example.com/a:b");
  EXPECT_EQ(c.properties[2].text(), "one\ntwo, three; four\\ five \n six C:\\temp");
  EXPECT_EQ(split_value(c.properties[3].value, ','), (std::vector<std::string>{"a", "b,c"}));
}

TEST(ContactsParse, Rfc6868CaretEscapes) {
  const Card c = parse_ok(vcard("4.0", {"UID:u", "FN:x", "ADR;LABEL=\"Main St 1^nSpringfield ^'HQ^' ^^ ^x\":;;Main St 1;;;;"}));
  EXPECT_EQ(c.properties[2].params[0].values.front(), "Main St 1\nSpringfield \"HQ\" ^ ^x");
}

TEST(ContactsParse, Unfolding) {
  // CRLF + space, LF + tab, a lone CR, a fold inside a UTF-8 sequence, and blank lines.
  const std::string text =
      "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u\r\nFN:Jo\r\n hn\n\tny\rNOTE:\xC3\r\n \xA9 x\r\n\r\n"
      "EMAIL;TYPE=wo\r\n rk:a@b\r\nEND:VCARD\r\n\r\n";
  const Card c = parse_ok(text);
  EXPECT_EQ(c.fn(), "Johnny");
  EXPECT_EQ(c.properties[2].value, "\xC3\xA9 x");
  EXPECT_TRUE(c.properties[3].has_type("work"));
}

TEST(ContactsParse, BomAndLeadingBlankLines) {
  const Card c = parse_ok("\xEF\xBB\xBF\r\n\r\nBEGIN:VCARD\nVERSION:3.0\nUID:u\nEND:VCARD\n");
  EXPECT_EQ(c.uid(), "u");
  EXPECT_EQ(c.fn(), std::nullopt);  // 3.0 without FN is accepted (see parse.hpp)
}

TEST(ContactsParse, CaseInsensitiveBeginEnd) {
  const Card c = parse_ok("begin:vcard\r\nversion:4.0\r\nuid:u\r\nfn:x\r\nend:vcard\r\n");
  EXPECT_EQ(c.uid(), "u");
}

TEST(ContactsParse, V21BareParametersAndQuotedPrintable) {
  const Card c = parse_ok(vcard("2.1", {
      "UID:u",
      "TEL;CELL;VOICE:+49 171",
      "NOTE;QUOTED-PRINTABLE:Zeile 1=0D=0AZeile 2 =3D ok=",
      "still note",
      "EMAIL;PREF;INTERNET:a@b.example",
  }));
  EXPECT_EQ(c.version, Version::v2_1);
  const Property& tel = c.properties[1];
  EXPECT_EQ(tel.params.size(), 2u);
  EXPECT_TRUE(tel.has_type("cell"));
  EXPECT_TRUE(tel.has_type("voice"));
  const Property& note = c.properties[2];
  EXPECT_TRUE(note.params.empty()) << "ENCODING is gone once decoded";
  EXPECT_EQ(note.value, "Zeile 1\\nZeile 2 = okstill note");
  EXPECT_EQ(note.text(), "Zeile 1\nZeile 2 = okstill note");
  EXPECT_TRUE(c.properties[3].has_type("PREF"));
}

TEST(ContactsParse, QuotedPrintableWordInOtherParametersIsNotAnEncoding) {
  // Only ENCODING (or a bare 2.1 parameter) says QUOTED-PRINTABLE; a trailing '=' elsewhere is data.
  const Card c = parse_ok(vcard("3.0", {"UID:u", "X-A;X-P=QUOTED-PRINTABLE:abc=", "FN:x"}));
  EXPECT_EQ(c.properties[1].value, "abc=");
  EXPECT_EQ(c.fn(), "x");
}

TEST(ContactsParse, Charsets) {
  // Latin-1 and Windows-1252 bytes become UTF-8; UTF-8 and ASCII charsets are just dropped.
  const Card c = parse_ok(vcard("2.1", {
      "UID:u",
      "FN;CHARSET=ISO-8859-1:J\xFCrgen",
      "NOTE;CHARSET=windows-1252;ENCODING=QUOTED-PRINTABLE:=80 =93quoted=94",
      "ORG;CHARSET=UTF-8:K\xC3\xB6ln",
      "TITLE;CHARSET=SHIFT_JIS:ascii only",
      "ROLE:M\xFCller",  // 2.1, no charset, not UTF-8: Windows-1252
  }));
  EXPECT_EQ(c.fn(), "J\xC3\xBCrgen");
  EXPECT_EQ(c.properties[2].value, "\xE2\x82\xAC \xE2\x80\x9Cquoted\xE2\x80\x9D");
  EXPECT_EQ(c.properties[3].value, "K\xC3\xB6ln");
  EXPECT_TRUE(c.properties[4].params.empty());
  EXPECT_EQ(c.properties[5].value, "M\xC3\xBCller");
  for (const Property& p : c.properties) EXPECT_EQ(p.param("CHARSET"), nullptr) << p.name;
}

TEST(ContactsParse, Base64Photos) {
  const Card c = parse_ok(vcard("2.1", {
      "UID:u",
      "PHOTO;JPEG;ENCODING=BASE64:",
      "  /9j/4AAQ",
      "SkZJRg==",
      "",
      "LOGO;ENCODING=b;TYPE=PNG:data:image/png;base64,iVBORw0KGgo=",
      "SOUND;ENCODING=b:data:x,not base64 after the comma",
  }));
  const Property& photo = c.properties[1];
  EXPECT_EQ(photo.value, "/9j/4AAQSkZJRg==");
  EXPECT_TRUE(photo.has_type("JPEG"));
  EXPECT_EQ(photo.param("ENCODING")->values, std::vector<std::string>{"b"});
  EXPECT_EQ(c.properties[2].value, "iVBORw0KGgo=");  // InfCloud's data: URI under ENCODING=b
  EXPECT_EQ(c.properties[3].value, "data:x,notbase64afterthecomma");
}

TEST(ContactsParse, ControlCharactersAreDropped) {
  const Card c = parse_ok(vcard("4.0", {"UID:u", "FN:a\x01" "b\x7F" "c\td", "NOTE;X-P=\"p\x02q\":v"}));
  EXPECT_EQ(c.fn(), "abc\td");
  EXPECT_EQ(c.properties[2].params[0].values.front(), "pq");
}

TEST(ContactsParse, ParameterControlsAreDroppedBeforeTheEncodingIsRead) {
  // Read as written, this ENCODING is not QUOTED-PRINTABLE; once cleaned it is, and the value must
  // be decoded so that writing and reading the card again changes nothing.
  const Card c = parse_ok(vcard("2.1", {"UID:u", "NOTE;ENCODING=QUOTED-PRINT\x1D" "ABLE:a=3Db"}));
  EXPECT_EQ(c.properties[1].value, "a=b");
  EXPECT_TRUE(c.properties[1].params.empty());
}

TEST(ContactsParse, Accessors) {
  const Card c = parse_ok(vcard("4.0", {
      "UID:u", "FN:x", "KIND:Group",
      "EMAIL: Mixed.Case@Example.COM ", "EMAIL:mailto:Other@Example.org", "EMAIL:",
      "TEL;VALUE=uri:tel:+1-555-0100", "TEL:+1 555 0101",
      "MEMBER:urn:uuid:a", "MEMBER:urn:uuid:b",
  }));
  EXPECT_EQ(c.emails(), (std::vector<std::string>{"mixed.case@example.com", "other@example.org"}));
  EXPECT_EQ(c.tels(), (std::vector<std::string>{"+1-555-0100", "+1 555 0101"}));
  EXPECT_EQ(c.kind(), Kind::group);
  EXPECT_EQ(c.members(), (std::vector<std::string>{"urn:uuid:a", "urn:uuid:b"}));

  const Card apple = parse_ok(vcard("3.0", {"UID:u", "X-ADDRESSBOOKSERVER-KIND:group",
                                            "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:c"}));
  EXPECT_EQ(apple.kind(), Kind::group);
  EXPECT_EQ(apple.members(), std::vector<std::string>{"urn:uuid:c"});
  EXPECT_EQ(parse_ok(vcard("4.0", {"UID:u", "FN:x"})).kind(), Kind::individual);
  EXPECT_EQ(parse_ok(vcard("4.0", {"UID:u", "FN:x", "KIND:org"})).kind(), Kind::org);
  EXPECT_EQ(parse_ok(vcard("4.0", {"UID:u", "FN:x", "KIND:x-device"})).kind(), Kind::other);
}

struct ErrorCase {
  const char* name;
  std::string text;
  ParseErrorCode code;
  const char* precondition;
};

TEST(ContactsParse, ErrorsMapToPreconditions) {
  const ErrorCase cases[] = {
      {"empty", "", ParseErrorCode::not_vcard, "supported-address-data"},
      {"icalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", ParseErrorCode::not_vcard,
       "supported-address-data"},
      {"version 5", vcard("5.0", {"UID:u", "FN:x"}), ParseErrorCode::unsupported_version, "supported-address-data"},
      {"charset", vcard("3.0", {"UID:u", "FN;CHARSET=KOI8-R:\xF0\xD2\xC9", "N:;;;;"}),
       ParseErrorCode::unsupported_charset, "supported-address-data"},
      {"no uid", vcard("4.0", {"FN:x"}), ParseErrorCode::missing_uid, "valid-address-data"},
      {"empty uid", vcard("3.0", {"UID: ", "FN:x"}), ParseErrorCode::missing_uid, "valid-address-data"},
      {"two uids", vcard("3.0", {"UID:a", "UID:b", "FN:x"}), ParseErrorCode::invalid, "valid-address-data"},
      {"4.0 without FN", vcard("4.0", {"UID:u"}), ParseErrorCode::missing_fn, "valid-address-data"},
      {"two cards", vcard("3.0", {"UID:a", "FN:x"}) + vcard("3.0", {"UID:b", "FN:y"}),
       ParseErrorCode::multiple_cards, "valid-address-data"},
      {"trailing junk", vcard("3.0", {"UID:a", "FN:x"}) + "NOTE:after\r\n", ParseErrorCode::invalid,
       "valid-address-data"},
      {"no END", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u\r\n", ParseErrorCode::invalid, "valid-address-data"},
      {"no VERSION", "BEGIN:VCARD\r\nUID:u\r\nFN:x\r\nEND:VCARD\r\n", ParseErrorCode::invalid, "valid-address-data"},
      {"two VERSIONs", vcard("3.0", {"VERSION:3.0", "UID:u"}), ParseErrorCode::invalid, "valid-address-data"},
      {"nested", vcard("2.1", {"UID:u", "AGENT:", "BEGIN:VCARD", "VERSION:2.1", "END:VCARD"}),
       ParseErrorCode::invalid, "valid-address-data"},
      {"END:VCALENDAR", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u\r\nEND:VCALENDAR\r\n", ParseErrorCode::invalid,
       "valid-address-data"},
      {"no colon", vcard("3.0", {"UID:u", "FN x"}), ParseErrorCode::invalid, "valid-address-data"},
      {"bad name", vcard("3.0", {"UID:u", "F N:x"}), ParseErrorCode::invalid, "valid-address-data"},
      {"empty name", vcard("3.0", {"UID:u", ":x"}), ParseErrorCode::invalid, "valid-address-data"},
      {"unterminated quote", vcard("3.0", {"UID:u", "TEL;X=\"abc:123"}), ParseErrorCode::invalid,
       "valid-address-data"},
      {"param without name", vcard("3.0", {"UID:u", "TEL;=x:1"}), ParseErrorCode::invalid, "valid-address-data"},
      {"not UTF-8 in 3.0", vcard("3.0", {"UID:u", "FN:M\xFCller"}), ParseErrorCode::invalid, "valid-address-data"},
      {"not UTF-8 parameter", vcard("4.0", {"UID:u", "FN;X=\xC3:x"}), ParseErrorCode::invalid, "valid-address-data"},
      {"too large", vcard("4.0", {"UID:u", "FN:x", std::string(2u << 20, 'a')}), ParseErrorCode::too_large,
       "max-resource-size"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ParseErrorCode code = parse_error(c.text);
    EXPECT_EQ(code, c.code) << to_string(code);
    EXPECT_EQ(precondition(code), c.precondition);
  }
}

TEST(ContactsParse, Limits) {
  const ParseLimits small{.max_bytes = 4096, .max_line_bytes = 100, .max_properties = 5, .max_params = 3};
  EXPECT_EQ(parse_error(vcard("4.0", {"UID:u", "FN:x"}) + std::string(5000, '\n'), small), ParseErrorCode::too_large);
  // A content line over the limit, whether written in one piece or folded.
  EXPECT_EQ(parse_error(vcard("4.0", {"UID:u", "FN:x", "NOTE:" + std::string(100, 'a')}), small),
            ParseErrorCode::limit_exceeded);
  std::string folded = "NOTE:";
  for (int i = 0; i < 30; ++i) folded += "aaaa\r\n ";
  EXPECT_EQ(parse_error(vcard("4.0", {"UID:u", "FN:x", folded}), small), ParseErrorCode::limit_exceeded);
  EXPECT_EQ(parse_error(vcard("4.0", {"UID:u", "FN:x", "N:;;;;", "NOTE:a", "NOTE:b", "NOTE:c"}), small),
            ParseErrorCode::limit_exceeded);
  EXPECT_EQ(parse_error(vcard("4.0", {"UID:u", "FN:x", "TEL;TYPE=a,b;X=c,d:1"}), small),
            ParseErrorCode::limit_exceeded);
  EXPECT_EQ(parse_error(vcard("2.1", {"UID:u", "TEL;A;B;C;D:1"}), small), ParseErrorCode::limit_exceeded);
  // At the limits exactly, the card is accepted.
  const Card at = parse_ok(vcard("4.0", {"UID:u", "FN:x", "N:;;;;", "NOTE:a", "TEL;TYPE=a,b;X=c:1"}), small);
  EXPECT_EQ(at.properties.size(), 5u);
}

TEST(ContactsParse, HostileInputsAreRefusedQuickly) {
  // Long runs of the characters the parser treats specially: each must end in an error or a card.
  const std::string patterns[] = {
      "BEGIN:VCARD\r\n" + std::string(200000, ';'),
      "BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;QUOTED-PRINTABLE:" + std::string(100000, '=') + "\r\n",
      "BEGIN:VCARD\r\nVERSION:2.1\r\nPHOTO;BASE64:\r\n" + [] {
        std::string s;
        for (int i = 0; i < 20000; ++i) s += "QUJD\r\n";
        return s;
      }(),
      "BEGIN:VCARD\r\nX" + std::string(300000, '"') + "\r\n",
      "BEGIN:VCARD\r\nTEL;" + [] {
        std::string s;
        for (int i = 0; i < 50000; ++i) s += "A=,";
        return s;
      }() + ":1\r\n",
      std::string(500000, '\r'),
      "BEGIN:VCARD\r\n" + std::string(500000, ' '),
  };
  for (const std::string& p : patterns) {
    const ParseResult r = parse(p);
    EXPECT_TRUE(std::holds_alternative<ParseError>(r));
  }
}

}  // namespace
}  // namespace atrium::contacts
