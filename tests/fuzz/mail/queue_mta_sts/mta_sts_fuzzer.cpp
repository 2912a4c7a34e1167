// libFuzzer target: MTA-STS TXT records and policy files.
#include "tests/fuzz/mail/queue_mta_sts/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::mail::queue::fuzz::mta_sts_one_input(data, size);
}
