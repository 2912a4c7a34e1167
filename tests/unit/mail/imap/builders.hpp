// Short constructors for expected commands in the IMAP parser's table tests.
#pragma once

#include "mail/imap/command.hpp"
#include "mail/imap/parser.hpp"

#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace atrium::imap::testing {

inline constexpr std::uint32_t star = sequence_star;

inline SequenceSet set(std::initializer_list<SequenceRange> ranges) { return SequenceSet{ranges, false}; }
inline SequenceSet one(std::uint32_t n) { return set({{n, n}}); }
inline SequenceSet saved() {
  SequenceSet s;
  s.saved = true;
  return s;
}

inline FetchAttribute att(FetchItem item) { return FetchAttribute{.item = item}; }
inline FetchAttribute body(Section section, bool peek, std::optional<Partial> partial = std::nullopt) {
  return FetchAttribute{FetchItem::body_section, std::move(section), peek, partial};
}
inline Section part(std::vector<std::uint32_t> numbers, SectionText text = SectionText::none) {
  return Section{std::move(numbers), text, {}};
}
inline Section whole(SectionText text = SectionText::none) { return Section{{}, text, {}}; }
inline Section header_fields(std::vector<std::string> fields, SectionText text = SectionText::header_fields) {
  return Section{{}, text, std::move(fields)};
}

inline SearchKey key(SearchOp op, SearchKey::Argument arg = {}) { return SearchKey{op, std::move(arg), {}}; }
inline SearchKey all_of(std::vector<SearchKey> keys) { return SearchKey{SearchOp::and_, {}, std::move(keys)}; }
inline SearchKey either(SearchKey a, SearchKey b) { return SearchKey{SearchOp::or_, {}, {std::move(a), std::move(b)}}; }
inline SearchKey negate(SearchKey a) { return SearchKey{SearchOp::not_, {}, {std::move(a)}}; }
inline SearchKey text_key(SearchOp op, std::string s) { return key(op, std::move(s)); }
inline SearchKey date_key(SearchOp op, int y, int m, int d) {
  return key(op, Date{static_cast<std::uint16_t>(y), static_cast<std::uint8_t>(m), static_cast<std::uint8_t>(d)});
}
inline SearchKey number_key(SearchOp op, std::uint64_t n) { return key(op, n); }

inline Command cmd(std::string tag, CommandBody body) { return Command{std::move(tag), std::move(body)}; }

inline std::string describe(const ParseResult& r) {
  if (const auto* e = std::get_if<ParseError>(&r)) {
    return "error kind " + std::to_string(static_cast<int>(e->kind)) + " (" + std::string(parse_error_text(e->kind)) +
           ") at offset " + std::to_string(e->offset);
  }
  const auto& c = std::get<Command>(r);
  return "command " + std::string(command_wire_name(c.name())) + " tag " + c.tag;
}

}  // namespace atrium::imap::testing
