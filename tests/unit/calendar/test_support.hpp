// Helpers for the calendar/ tests: UTC literals, inline iCalendar text, corpus files.
#pragma once

#include "calendar/object.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

namespace atrium::calendar::testing {

// "20260224T150000Z" or "20260224" (midnight UTC) as UTC seconds; timegm keeps the tests
// independent of the library's own date arithmetic.
inline UtcSeconds utc(const char* text) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (std::sscanf(text, "%4d%2d%2dT%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) < 3) ADD_FAILURE() << text;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<UtcSeconds>(timegm(&tm));
}

// A VCALENDAR (VERSION, PRODID) around the given content lines, CRLF-terminated.
inline std::string ics(std::initializer_list<std::string_view> lines) {
  std::string out = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium tests//EN\r\n";
  for (std::string_view l : lines) {
    out += l;
    out += "\r\n";
  }
  out += "END:VCALENDAR\r\n";
  return out;
}

inline std::string read_corpus(std::string_view name) {
  std::ifstream in(std::string(ATRIUM_CALENDAR_CORPUS_DIR) + "/" + std::string(name), std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Parses text that must be valid; the test fails (and the call throws) otherwise.
inline Object parse_ok(std::string_view text, const ParseOptions& options = {}) {
  ParseResult r = parse(text, options);
  if (const auto* e = std::get_if<ParseError>(&r)) ADD_FAILURE() << to_string(e->code) << ": " << e->message;
  return std::get<Object>(std::move(r));
}

inline Object corpus_object(std::string_view name, const ParseOptions& options = {}) {
  return parse_ok(read_corpus(name), options);
}

}  // namespace atrium::calendar::testing
