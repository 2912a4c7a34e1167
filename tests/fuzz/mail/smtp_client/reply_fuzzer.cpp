// libFuzzer target: the SMTP client's reply parser and EHLO capabilities.
#include "tests/fuzz/mail/smtp_client/fuzz_entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return atrium::smtp::client::fuzz::reply_one_input(data, size);
}
