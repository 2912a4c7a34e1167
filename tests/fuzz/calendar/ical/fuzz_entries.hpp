// Entry points shared by the libFuzzer target (clang) and calendar_ical_fuzz_replay (every
// compiler): each runs one input through calendar/ and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::calendar::fuzz {

// The import path: the input as a PUT body (parse with small limits), then, for a valid object,
// expansion, a calendar-query, calendar-data output and free/busy over a fixed window; also the
// input as a calendar-timezone. Checks: bounds ordered, instances ordered and capped, periods
// inside the range, and the serialised object re-parses to the same UID and kind.
int import_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::calendar::fuzz
