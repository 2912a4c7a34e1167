// Entry points shared by the libFuzzer targets (clang) and dav_xml_fuzz_replay (every compiler):
// each runs one input through dav/xml and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::dav::xml::fuzz {

// The input as a body for every request parser (PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, REPORT),
// under the default limits and under small ones. Checks: parsed documents re-serialise to
// fragments that re-parse to themselves, dead property fragments re-parse to their names, filter
// roots are VCALENDAR, time ranges are ordered, and a multistatus written from what was parsed
// is well-formed XML.
int request_one_input(const std::uint8_t* data, std::size_t size);

// The input as a request path, Depth, If-Match and Destination header value. Checks: a decoded
// path has no dot segments or NUL and survives encode/decode; etag lists are never empty; the
// writer's output for the input as text re-parses.
int headers_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::dav::xml::fuzz
