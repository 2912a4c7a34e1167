// libFuzzer target: the IMAP command parser and the response encoders.
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::imap::fuzz::parser_one_input(data, size);
}
