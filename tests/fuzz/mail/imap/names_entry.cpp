// Fuzz entry: modified UTF-7, dates and sequence sets.
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

#include "mail/imap/date_time.hpp"
#include "mail/imap/mailbox_name.hpp"
#include "mail/imap/parser.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::imap::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "imap names fuzz: %s\n", what);
  std::abort();
}

void check_utf7(std::string_view in) {
  if (const auto decoded = modified_utf7_to_utf8(in)) {
    require(is_valid_mailbox_name(*decoded), "decoded name is not a valid name");
    require(utf8_to_modified_utf7(*decoded) == std::string(in), "accepted modified UTF-7 is not canonical");
  }
  if (is_valid_mailbox_name(in)) {
    const auto encoded = utf8_to_modified_utf7(in);
    require(encoded.has_value(), "valid UTF-8 does not encode");
    require(modified_utf7_to_utf8(*encoded) == std::string(in), "UTF-8 name does not round-trip");
  }
}

void check_dates(std::string_view in) {
  if (const auto dt = parse_date_time_text(in)) {
    const std::string s = format_date_time(dt->to_unix_seconds(), dt->zone_minutes);
    const auto again = parse_date_time_text(std::string_view(s).substr(1, s.size() - 2));
    require(again && again->to_unix_seconds() == dt->to_unix_seconds(), "date-time does not round-trip");
  }
  if (const auto d = parse_date_text(in)) {
    require(parse_date_text(format_date(*d)) == d, "date does not round-trip");
  }
}

void check_sequence_set(std::string_view in, std::uint32_t largest) {
  const auto set = parse_sequence_set(in);
  if (!set || set->saved) return;
  const SequenceSet::Bounds bounds{largest};
  const auto ranges = set->resolve(bounds);
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    require(ranges[i].first >= 1 && ranges[i].first <= ranges[i].last, "resolved range malformed");
    require(i == 0 || static_cast<std::uint64_t>(ranges[i - 1].last) + 1 < ranges[i].first, "ranges overlap or touch");
    require(set->contains(ranges[i].first, bounds) && set->contains(ranges[i].last, bounds), "contains disagrees");
    if (ranges[i].first > 1) require(!set->contains(ranges[i].first - 1, bounds), "contains sees a gap number");
  }
  std::uint64_t visited = 0;
  std::uint32_t last = 0;
  set->for_each(bounds, [&](std::uint32_t n) {
    require(n > last && n <= largest && set->contains(n, bounds), "for_each out of order or out of the set");
    last = n;
    ++visited;
  });
  std::uint64_t expected = 0;
  for (const SequenceRange& r : ranges) {
    if (r.first > largest) break;
    expected += std::min(r.last, largest) - r.first + 1;
  }
  require(visited == expected, "for_each count differs from the ranges");
}

}  // namespace

int names_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_utf7(in);
  check_dates(in);
  // Keep for_each cheap: a small mailbox.
  const std::uint32_t largest = size == 0 ? 0 : data[0] % 64;
  check_sequence_set(in, largest);
  return 0;
}

}  // namespace atrium::imap::fuzz
