// libFuzzer target: modified UTF-7, IMAP dates and sequence sets.
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::imap::fuzz::names_one_input(data, size);
}
