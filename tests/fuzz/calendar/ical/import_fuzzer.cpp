// libFuzzer target: the calendar import path (parse, expand, query, output, free/busy).
#include "tests/fuzz/calendar/ical/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::calendar::fuzz::import_one_input(data, size);
}
