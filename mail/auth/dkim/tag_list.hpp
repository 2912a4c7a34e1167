// Tag=value lists (RFC 6376 section 3.2), the syntax shared by DKIM-Signature, ARC-Seal,
// ARC-Message-Signature and DKIM key records. Pure and bounded; total over arbitrary bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth::dkim {

// Longest tag list (a header field value or a key record) we parse. Real signatures are under
// 2 KiB and key records under 1 KiB (an 8192-bit RSA key is about 1.5 KiB of base64).
inline constexpr std::size_t max_tag_list_size = 64 * 1024;
// More tags than any defined use has (DKIM-Signature defines 14).
inline constexpr std::size_t max_tags = 64;

struct Tag {
  std::string_view name;   // case-sensitive, as RFC 6376 section 3.2 says
  std::string_view value;  // leading and trailing whitespace removed; inner FWS kept
  // The raw span after '=' up to (not including) the ';' or the end: the value with the
  // whitespace around it, which is what "b= deleted, including all surrounding whitespace"
  // (RFC 6376 section 3.7) removes. Offsets into the parsed text.
  std::size_t raw_begin = 0;
  std::size_t raw_end = 0;
};

// Views into the text given to parse_tag_list: the text must outlive the TagList.
struct TagList {
  std::vector<Tag> tags;  // in order of appearance
  // The tag named `name`, or nullptr.
  const Tag* find(std::string_view name) const noexcept;
};

enum class TagListError {
  too_long,       // over max_tag_list_size or max_tags
  syntax,         // a bad tag name, no '=', a control character, or a line break not followed by WSP
  duplicate_tag,  // the same tag twice (RFC 6376 section 3.2: invalid)
};

std::string_view to_string(TagListError error);

// Parses `text` as a tag-list: tag-spec *(";" tag-spec) [";"]. Empty elements (";;" or a
// whitespace-only element) are skipped, as many verifiers do for hand-written key records.
// Values may contain any octet but ';' and controls other than FWS; 8-bit octets are kept
// (RFC 8616 allows UTF-8 in signatures).
std::variant<TagList, TagListError> parse_tag_list(std::string_view text);

// Removes folding whitespace (SP, HTAB, CR, LF) from `value`: how base64 values (b=, bh=, p=)
// and colon lists (h=) are read.
std::string strip_fws(std::string_view value);

// Splits a colon-separated list (h=, s=, t=, key h=), trimming whitespace around each item;
// empty items are dropped.
std::vector<std::string_view> split_colon_list(std::string_view value);

}  // namespace atrium::mail::auth::dkim
