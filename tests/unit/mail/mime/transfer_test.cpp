// Transfer decoding: base64 and quoted-printable as readers must decode them, sizes with CRLF.
#include "mail/mime/transfer.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

TEST(TransferEncoding, Classifies) {
  EXPECT_EQ(classify_transfer_encoding(std::nullopt), TransferEncoding::seven_bit);
  EXPECT_EQ(classify_transfer_encoding("7BIT"), TransferEncoding::seven_bit);
  EXPECT_EQ(classify_transfer_encoding("8bit"), TransferEncoding::eight_bit);
  EXPECT_EQ(classify_transfer_encoding("Binary"), TransferEncoding::binary);
  EXPECT_EQ(classify_transfer_encoding("BASE64"), TransferEncoding::base64);
  EXPECT_EQ(classify_transfer_encoding("Quoted-Printable"), TransferEncoding::quoted_printable);
  EXPECT_EQ(classify_transfer_encoding("x-uuencode"), TransferEncoding::unknown);
  EXPECT_EQ(classify_transfer_encoding(""), TransferEncoding::unknown);
}

TEST(Base64, DecodesLeniently) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"", ""},
      {"aGVsbG8=", "hello"},
      {"aGVs\r\nbG8=", "hello"},                // line breaks
      {"aGVsbG8", "hello"},                     // missing padding
      {"aGVs bG8h", "hell" "o!"},               // blanks
      {"aGVsbG8=trailing junk", "hello"},       // stops at the pad
      {"a*G#V%s!bG8=", "hello"},                // junk characters skipped
      {"/+/+", "\xFF\xEF\xFE"},
      {"QQ", "A"},
      {"Q", ""},                                // too short for a byte
  };
  for (const auto& c : cases) EXPECT_EQ(decode_base64(c.in), c.out) << c.in;
}

TEST(QuotedPrintable, Decodes) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"caf=C3=A9", "caf\xC3\xA9"},
      {"caf=c3=a9", "caf\xC3\xA9"},                         // lower-case hex
      {"soft=\r\nbreak", "softbreak"},
      {"soft=\nbreak", "softbreak"},
      {"soft=  \r\nbreak", "softbreak"},                    // blanks after the '='
      {"hard  \r\nbreak", "hard\r\nbreak"},                 // transport blanks removed
      {"tab\t\nx", "tab\nx"},
      {"keep =20\r\n", "keep  \r\n"},                       // encoded blanks are data
      {"a=3", "a=3"},                                       // cut escape stays
      {"a=XYb", "a=XYb"},                                   // bad escape stays
      {"end=", "end"},                                      // soft break at the end
      {"1+1=3D2", "1+1=2"},
  };
  for (const auto& c : cases) EXPECT_EQ(decode_quoted_printable(c.in), c.out) << c.in;
}

TEST(Transfer, DecodesPerEncoding) {
  EXPECT_EQ(decode_transfer("aGk=", TransferEncoding::base64), "hi");
  EXPECT_EQ(decode_transfer("h=69", TransferEncoding::quoted_printable), "hi");
  EXPECT_EQ(decode_transfer("h=69", TransferEncoding::seven_bit), "h=69");
  EXPECT_EQ(decode_transfer("aGk=", TransferEncoding::unknown), "aGk=");
}

TEST(Crlf, SizeAndConversion) {
  struct Case {
    std::string in, crlf;
  };
  const Case cases[] = {
      {"", ""},
      {"a\nb\n", "a\r\nb\r\n"},
      {"a\r\nb\r\n", "a\r\nb\r\n"},
      {"\n", "\r\n"},
      {"mixed\r\nand\nbare\rcr", "mixed\r\nand\r\nbare\rcr"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_crlf(c.in), c.crlf);
    EXPECT_EQ(crlf_size(c.in), c.crlf.size());
  }
}

}  // namespace
}  // namespace atrium::mail::mime
