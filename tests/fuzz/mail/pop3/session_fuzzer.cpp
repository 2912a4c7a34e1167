// libFuzzer target: the POP3 session entry (see fuzz_entries.hpp).
#include "tests/fuzz/mail/pop3/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::pop3::fuzz::session_one_input(data, size);
}
