// libFuzzer target: mail/mime, message entry.
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::mime::fuzz::message_one_input(data, size);
}
