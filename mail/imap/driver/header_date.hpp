// The Date: header as SEARCH SENT* and SORT DATE read it: lenient, never throws.
#pragma once

#include "mail/imap/date_time.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace atrium::imap {

struct HeaderDate {
  Date day;                   // the calendar day as written (its own zone), for SENT*
  bool has_time = false;      // a time of day was found
  std::int64_t utc_seconds = 0;  // the instant in UTC when has_time (midnight UTC otherwise)
};

// "Tue, 1 Jul 2003 10:52:37 +0200" and the obsolete forms (two-digit years, no weekday, no
// zone). nullopt when no day-month-year is found.
std::optional<HeaderDate> parse_header_date(std::string_view value);

}  // namespace atrium::imap
