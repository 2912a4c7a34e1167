// libFuzzer target: messages through DKIM and ARC parsing and verification.
#include "tests/fuzz/mail/auth_dkim/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::auth::dkim::fuzz::message_one_input(data, size);
}
