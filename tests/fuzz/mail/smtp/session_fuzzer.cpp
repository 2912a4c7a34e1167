// libFuzzer target: a whole SMTP/LMTP session against the fake backend.
#include "tests/fuzz/mail/smtp/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::smtp::fuzz::session_one_input(data, size);
}
