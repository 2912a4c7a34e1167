// libFuzzer target: dav/xml request entry.
#include "tests/fuzz/dav/xml/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::dav::xml::fuzz::request_one_input(data, size);
}
