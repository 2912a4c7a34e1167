// libFuzzer target: the IMAP framer feeding the parser.
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::imap::fuzz::framer_one_input(data, size);
}
