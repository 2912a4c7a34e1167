// libFuzzer target: tag lists, key records, base64.
#include "tests/fuzz/mail/auth_dkim/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::auth::dkim::fuzz::record_one_input(data, size);
}
