// The typed form of a CalDAV calendar-query filter (RFC 4791 §9.7) and of the calendar-data
// options of a report (§9.6): dav/ parses XML into these, calendar/ evaluates them. No XML and no
// libical types here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atrium::calendar {

// Seconds since the Unix epoch, UTC. RFC 4791 time ranges are always UTC ("…Z").
using UtcSeconds = std::int64_t;

// CALDAV:time-range: either end may be absent (open). Matching follows RFC 4791 §9.9.
struct TimeRange {
  std::optional<UtcSeconds> start;
  std::optional<UtcSeconds> end;
};

// RFC 4790 collations a text-match may name; anything else is refused by the parser with
// CALDAV:supported-collation.
enum class Collation { ascii_casemap, unicode_casemap, octet };

enum class MatchType { contains, equals, starts_with, ends_with };  // RFC 5689/6352 match-type; CalDAV uses contains

struct TextMatch {
  std::string text;  // UTF-8
  Collation collation = Collation::ascii_casemap;
  MatchType match = MatchType::contains;
  bool negate = false;
};

// CALDAV:param-filter: is-not-defined, or a text-match, or (neither) "is defined".
struct ParamFilter {
  std::string name;  // upper-cased parameter name, e.g. "PARTSTAT"
  bool is_not_defined = false;
  std::optional<TextMatch> text;
};

// CALDAV:prop-filter.
struct PropFilter {
  std::string name;  // upper-cased property name, e.g. "UID", "ATTENDEE"
  bool is_not_defined = false;
  std::optional<TimeRange> time_range;
  std::optional<TextMatch> text;
  std::vector<ParamFilter> params;
};

// CALDAV:comp-filter; the root is always VCALENDAR.
struct CompFilter {
  std::string name;  // upper-cased component name: VCALENDAR, VEVENT, VTODO, VJOURNAL, VALARM, …
  bool is_not_defined = false;
  std::optional<TimeRange> time_range;
  std::vector<PropFilter> props;
  std::vector<CompFilter> comps;
};

struct Filter {
  CompFilter root;  // name == "VCALENDAR"
};

// CALDAV:calendar-data in a report's prop: which parts of each object to return (§9.6).
struct CalendarDataRequest {
  // Partial retrieval (CALDAV:comp / CALDAV:prop); empty = the whole object.
  struct Comp {
    std::string name;
    bool all_props = true;
    std::vector<std::string> props;  // when !all_props
    bool all_comps = true;
    std::vector<Comp> comps;         // when !all_comps
  };
  std::optional<Comp> comp;
  std::optional<TimeRange> expand;                  // CALDAV:expand (both ends required)
  std::optional<TimeRange> limit_recurrence_set;    // CALDAV:limit-recurrence-set
  std::optional<TimeRange> limit_freebusy_set;      // CALDAV:limit-freebusy-set
};

}  // namespace atrium::calendar
