// libFuzzer target: mail/mime, header entry.
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::mime::fuzz::header_one_input(data, size);
}
