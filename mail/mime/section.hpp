// IMAP body sections (RFC 3501 §6.4.5, RFC 9051 §6.4.5) and BINARY (RFC 3516): what to send for
// BODY[section] and BINARY[section], as a byte range of the stored message or as built content.
#pragma once

#include "mail/mime/structure.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::mime {

struct SectionSpec {
  enum class Text {
    none,               // the whole part (the whole message when `part` is empty)
    header,             // HEADER
    header_fields,      // HEADER.FIELDS (fields)
    header_fields_not,  // HEADER.FIELDS.NOT (fields)
    text,               // TEXT
    mime,               // MIME: the part's MIME header; needs a part number
  };
  std::vector<std::uint32_t> part;  // 1-based part numbers; empty for the message itself
  Text text = Text::none;
  std::vector<std::string> fields;  // header_fields and header_fields_not: field names as given
};

// Parses what stands between the brackets of BODY[...] or BODY.PEEK[...]: "", "1.2", "HEADER",
// "TEXT", "2.MIME", "1.HEADER.FIELDS (From To)", "HEADER.FIELDS.NOT (\"X-Y\")", keywords in any
// case. nullopt for anything else (the server answers BAD): a zero or overlong part number, MIME
// without a part number, an empty field list.
std::optional<SectionSpec> parse_section_spec(std::string_view spec);

// A range of the message: [offset, offset + length).
struct ByteRange {
  std::size_t offset = 0;
  std::size_t length = 0;
};

struct SectionContent {
  // Most sections are a range of the stored message, sent without copying; HEADER.FIELDS[.NOT]
  // is built. Either is the exact content to send (as a literal; a server storing bare LF should
  // send it through to_crlf and count its size with crlf_size).
  std::variant<ByteRange, std::string> data;
  bool found = true;  // false: the part does not exist; the content is empty, as RFC 3501 wants
};

// What BODY[spec] returns, per RFC 3501 §6.4.5:
//  - no part number: the message; HEADER / TEXT / HEADER.FIELDS[.NOT] of it;
//  - a part number alone: that part's body (part 1 of a non-multipart message is its body; a
//    message/rfc822 part's body is the whole encapsulated message);
//  - n.HEADER, n.TEXT, n.HEADER.FIELDS[.NOT]: of the message encapsulated in part n, which must be
//    message/rfc822 (or message/global); otherwise not found;
//  - n.MIME: part n's MIME header (for the encapsulated root n.1 of a message/rfc822 part that is
//    the encapsulated message's header);
//  - HEADER.FIELDS keeps each matching field's original bytes, folding included, in message
//    order, and ends with the empty line (CRLF) — "\r\n" alone when nothing matches; .NOT keeps
//    every other field. Names compare ignoring ASCII case.
// `message` must be the bytes `parsed` was made from.
SectionContent fetch_section(std::string_view message, const Message& parsed, const SectionSpec& spec);

// The bytes of `content`: a view into `message` or into the built string.
std::string_view section_bytes(std::string_view message, const SectionContent& content);

enum class BinaryStatus {
  ok,
  unknown_cte,  // the part's Content-Transfer-Encoding cannot be decoded: answer [UNKNOWN-CTE]
  not_found,    // no such part
};

struct BinaryContent {
  BinaryStatus status = BinaryStatus::ok;
  std::variant<ByteRange, std::string> data;  // decoded content (base64, quoted-printable) or a
                                              // range when the body is not encoded
};

// BINARY[part] (RFC 3516): the part's body with its transfer encoding removed. An empty path is
// the whole message, unchanged. Multipart and message parts are returned unchanged (RFC 2045
// allows them no encoding). 7bit, 8bit and binary bodies come back as ranges.
BinaryContent fetch_binary(std::string_view message, const Message& parsed, const std::vector<std::uint32_t>& part);

// BINARY.SIZE[part]: the size of what fetch_binary returns; nullopt for unknown_cte and
// not_found.
std::optional<std::size_t> binary_size(std::string_view message, const Message& parsed,
                                       const std::vector<std::uint32_t>& part);

std::string_view binary_bytes(std::string_view message, const BinaryContent& content);

}  // namespace atrium::mail::mime
