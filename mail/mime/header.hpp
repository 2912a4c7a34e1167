// The RFC 5322 header-block reader: splits a header section into fields (name and unfolded raw
// value) within fixed limits. Local delivery uses it for Message-ID and Subject; the structure
// parser, ENVELOPE and search text read every part's header through it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::mime {

struct HeaderField {
  std::string name;   // as written (case kept), trailing blanks before ':' removed
  std::string value;  // unfolded (line breaks removed, RFC 5322 §2.2.3), not decoded, blanks trimmed
};

// Bounds on the work and memory one header block may cost. A message beyond them is still read:
// the reader stops collecting and says so in `HeaderBlock::truncated`.
struct HeaderLimits {
  std::size_t max_fields = 1000;           // fields kept
  std::size_t max_block_bytes = 1 << 20;   // header section scanned (1 MiB)
  std::size_t max_value_bytes = 64 << 10;  // one unfolded value (64 KiB); longer values are cut
};

struct HeaderBlock {
  std::vector<HeaderField> fields;  // in message order
  // Where the body starts: after the empty line that ends the header section; the message size
  // when there is no empty line (all header); where scanning stopped when a limit was reached.
  std::size_t body_offset = 0;
  bool truncated = false;   // a limit was reached: fields or a value were left out or cut
  std::size_t malformed = 0;  // lines that were neither a field nor a continuation (skipped)
};

// Reads the header section of `message`. Accepts CRLF and bare LF line ends. Never throws on
// malformed input (a line without a valid field name is counted and skipped; a continuation line
// with no field before it is skipped); allocation is bounded by `limits`.
HeaderBlock read_headers(std::string_view message, const HeaderLimits& limits = {});

// The value of the first field named `name` (ASCII case-insensitive), or nullopt.
std::optional<std::string_view> first_value(const HeaderBlock& block, std::string_view name);

}  // namespace atrium::mail::mime
