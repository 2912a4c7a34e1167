// Fuzz entry: contacts/ from untrusted bytes to every output.
#include "tests/fuzz/contacts/vcard/fuzz_entries.hpp"

#include "contacts/convert.hpp"
#include "contacts/output.hpp"
#include "contacts/parse.hpp"
#include "contacts/query.hpp"
#include "contacts/serialise.hpp"
#include "core/auth/utf8.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace atrium::contacts::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "contacts import fuzz: %s\n", what);
  std::abort();
}

const ParseLimits limits{.max_bytes = 256 << 10, .max_line_bytes = 64 << 10, .max_properties = 500, .max_params = 32};
// Writing and converting may lengthen a card (escapes, quotes, data: URIs), so output is read back
// with room to spare.
const ParseLimits reread{.max_bytes = 4u << 20, .max_line_bytes = 4u << 20, .max_properties = 2000, .max_params = 128};

bool no_line_breaks(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

void check_card(const Card& card) {
  require(!card.uid().empty(), "card without UID");
  for (const Property& p : card.properties) {
    require(!p.name.empty(), "property without name");
    require(auth::is_valid_utf8(p.value) && no_line_breaks(p.value), "value not UTF-8 or with a line break");
    for (const Parameter& param : p.params) {
      require(!param.name.empty(), "parameter without name");
      for (const std::string& v : param.values) require(auth::is_valid_utf8(v), "parameter value not UTF-8");
    }
  }
}

void check_lines(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find("\r\n", start);
    require(end != std::string_view::npos, "output line without CRLF");
    const std::string_view line = text.substr(start, end - start);
    require(line.size() <= 75, "output line over 75 octets");
    require(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos, "bare line break");
    if (!line.empty()) {
      const std::size_t first = line[0] == ' ' ? 1 : 0;
      require(first >= line.size() || (static_cast<unsigned char>(line[first]) & 0xC0) != 0x80, "fold inside a character");
    }
    start = end + 2;
  }
}

Card reparse(const std::string& text, const char* what) {
  ParseResult r = parse(text, reread);
  if (const auto* e = std::get_if<ParseError>(&r)) {
    std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(e->message.size()), e->message.data());
    require(false, "written card does not re-parse");
  }
  return std::get<Card>(std::move(r));
}

Filter query() {
  const TextMatch a{.text = "a"};
  const TextMatch not_b{.text = "B", .match = MatchType::starts_with, .negate = true};
  return Filter{.test = FilterTest::anyof,
                .props = {PropFilter{.name = "FN", .texts = {a}},
                          PropFilter{.name = "EMAIL", .test = FilterTest::allof, .texts = {not_b},
                                     .params = {ParamFilter{.name = "TYPE", .text = a}}},
                          PropFilter{.name = "N", .texts = {TextMatch{.text = "x", .match = MatchType::equals}}},
                          PropFilter{.name = "ITEM1.TEL", .is_not_defined = true}}};
}

}  // namespace

int import_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseResult r = parse(text, limits);
  const auto* card = std::get_if<Card>(&r);
  if (card == nullptr) {
    const ParseError& e = std::get<ParseError>(r);
    require(!e.message.empty(), "error without message");
    require(auth::is_valid_utf8(e.message), "error message not UTF-8");
    require(!precondition(e.code).empty(), "error without precondition");
    return 0;
  }
  check_card(*card);

  const std::string written = to_vcard(*card);
  check_lines(written);
  Card again = reparse(written, "round trip");
  require(to_vcard(again) == written, "writing is not stable");
  if (card->version == Version::v2_1) again.version = Version::v2_1;
  require(again == *card, "round trip changed the card");

  for (const Version v : {Version::v3_0, Version::v4_0}) {
    const Card converted = convert(*card, v);
    const std::string out = to_vcard(converted);
    check_lines(out);
    const Card back = reparse(out, v == Version::v4_0 ? "as 4.0" : "as 3.0");
    check_card(back);
    require(back.uid() == card->uid(), "conversion changed the UID");
    require(back.emails() == card->emails(), "conversion changed the e-mail addresses");
    require(back.kind() == card->kind() || card->kind() == Kind::other, "conversion changed the kind");
    if (v == Version::v4_0) require(back.fn().has_value(), "4.0 without FN");
  }

  (void)matches(*card, query());
  (void)matches(*card, Filter{.test = FilterTest::allof, .props = query().props});
  // A 4.0 selection without FN is not a valid card (RFC 6352 §10.4 allows that), so only the 3.0
  // one is read back.
  const std::vector<PropSelector> props{{"EMAIL"}, {"PHOTO", true}, {"ITEM1.TEL"}};
  check_lines(address_data(*card, {.version = Version::v4_0, .props = props}));
  const std::string partial = address_data(*card, {.version = Version::v3_0, .props = props});
  check_lines(partial);
  require(reparse(partial, "partial").uid() == card->uid(), "partial retrieval lost the UID");
  return 0;
}

}  // namespace atrium::contacts::fuzz
