// libFuzzer target: DATA/BDAT content decoder.
#include "tests/fuzz/mail/smtp/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::smtp::fuzz::data_reader_one_input(data, size);
}
