// libFuzzer target: SPF macro-string parsing and expansion.
#include "tests/fuzz/mail/auth_spf/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::auth::spf::fuzz::macro_one_input(data, size);
}
