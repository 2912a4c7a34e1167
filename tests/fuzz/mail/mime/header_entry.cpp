// Fuzz entry: one header value through every header-level decoder.
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

#include "mail/mime/address.hpp"
#include "mail/mime/charset.hpp"
#include "mail/mime/html.hpp"
#include "mail/mime/params.hpp"
#include "mail/mime/rfc2047.hpp"
#include "mail/mime/section.hpp"
#include "mail/mime/thread.hpp"
#include "mail/mime/transfer.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace atrium::mail::mime::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "mime header fuzz: %s\n", what);
  std::abort();
}

constexpr const char* charsets[] = {"utf-8",      "us-ascii", "iso-8859-1", "windows-1252", "iso-2022-jp",
                                    "shift_jis",  "utf-16",   "utf-7",      "gb2312",       "koi8-r",
                                    "x-unknown",  "big5",     "euc-kr",     "iso-8859-8-i", "utf-32"};

}  // namespace

int header_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);

  const std::string decoded = decode_header_text(value);
  require(is_valid_utf8(decoded), "decode_header_text is not UTF-8");
  require(decoded.size() <= value.size() * 3 + 16, "decode_header_text grew too much");

  const auto addresses = parse_address_list(value);
  require(addresses.size() <= max_addresses, "too many addresses");
  int depth = 0;
  for (const Address& a : addresses) {
    if (a.kind == Address::Kind::group_start) ++depth;
    if (a.kind == Address::Kind::group_end) --depth;
    require(depth == 0 || depth == 1, "groups nest or close twice");
  }
  require(depth == 0, "unbalanced group");

  require(parse_mime_params(value).size() <= max_mime_params, "too many parameters");
  if (auto ct = parse_content_type(value)) require(!ct->type.empty() && !ct->subtype.empty(), "empty type");
  (void)parse_content_disposition(value);
  (void)parse_content_language(value);
  (void)parse_transfer_encoding(value);

  const BaseSubject base = base_subject(value);
  require(is_valid_utf8(base.text), "base subject is not UTF-8");
  require(parse_message_ids(value).size() <= max_message_ids, "too many ids");

  if (size > 0) {
    const char* cs = charsets[data[0] % std::size(charsets)];
    const std::string utf8 = to_utf8(value.substr(1), cs);
    require(is_valid_utf8(utf8), "to_utf8 is not UTF-8");
    require(utf8.size() <= value.size() * 3 + 16, "to_utf8 grew too much");
  }
  require(repair_utf8(value).size() <= value.size() * 3, "repair grew too much");
  require(decode_base64(value).size() <= value.size(), "base64 grew");
  require(decode_quoted_printable(value).size() <= value.size(), "quoted-printable grew");
  require(crlf_size(value) == to_crlf(value).size(), "crlf size mismatch");

  const std::string repaired = repair_utf8(value);
  const std::string text = html_to_text(repaired, 1024);
  require(is_valid_utf8(text), "html_to_text is not UTF-8");
  require(text.size() <= 1024 + 1, "html_to_text over its limit");

  if (auto spec = parse_section_spec(value)) {
    for (std::uint32_t n : spec->part) require(n > 0, "zero part number");
  }
  return 0;
}

}  // namespace atrium::mail::mime::fuzz
