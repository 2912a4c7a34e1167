// libFuzzer target: Authentication-Results parsing, formatting and forged-field removal.
#include "tests/fuzz/mail/auth_dmarc/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::auth::fuzz::authres_one_input(data, size);
}
