// libFuzzer target: check_host over a fixed StaticResolver zone with the input as the record.
#include "tests/fuzz/mail/auth_spf/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::auth::spf::fuzz::check_one_input(data, size);
}
