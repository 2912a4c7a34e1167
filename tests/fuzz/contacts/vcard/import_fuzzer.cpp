// libFuzzer target: the contacts import path (parse, write, convert, query, partial retrieval).
#include "tests/fuzz/contacts/vcard/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::contacts::fuzz::import_one_input(data, size);
}
