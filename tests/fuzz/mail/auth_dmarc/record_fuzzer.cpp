// libFuzzer target: the DMARC record parser.
#include "tests/fuzz/mail/auth_dmarc/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::auth::fuzz::record_one_input(data, size);
}
