// libFuzzer target: SMTP command parser, path grammar, xtext.
#include "tests/fuzz/mail/smtp/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::smtp::fuzz::parser_one_input(data, size);
}
