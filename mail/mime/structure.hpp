// The MIME structure of a message: a tree of parts, each with byte offsets into the message (so a
// server streams sections from the stored blob without copying) and its Content-* fields.
#pragma once

#include "mail/mime/header.hpp"
#include "mail/mime/params.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::mime {

// Bounds on the work and memory one message may cost. A message beyond them is still parsed:
// what lies past a limit is kept as opaque content of the part where the limit was reached.
struct StructureLimits {
  std::size_t max_depth = 20;       // the message is depth 0; a container at max_depth is opaque
  std::size_t max_parts = 10000;    // parts in the tree, encapsulated messages included
  HeaderLimits header;              // per header block
  std::size_t max_total_header_bytes = 8 << 20;  // header bytes parsed across all parts
};

enum class PartKind {
  leaf,       // anything with a body of its own, including opaque containers
  multipart,  // children are its body parts
  message,    // message/rfc822 or message/global: one child, the encapsulated message
};

// Longest boundary kept, as Dovecot does: longer boundary parameters are cut and match by prefix.
inline constexpr std::size_t max_boundary_length = 80;

struct Part {
  // Byte offsets into the message, half-open, with
  // header_start <= header_end <= body_start <= body_end <= message size.
  // header_end is past the empty line that ends the header when there is one; a header cut short
  // (by an enclosing boundary or the end of the message) has no body: body_start == body_end.
  std::size_t header_start = 0;
  std::size_t header_end = 0;
  std::size_t body_start = 0;
  std::size_t body_end = 0;

  PartKind kind = PartKind::leaf;
  std::size_t depth = 0;                  // 0 for the message itself
  std::optional<std::size_t> parent;      // index into Message::parts
  std::vector<std::size_t> children;      // indexes into Message::parts, in order
  bool message_root = false;              // the message itself or an encapsulated message: its
                                          // header is an RFC 5322 header (ENVELOPE, HEADER)
  bool opaque = false;                    // a multipart or message part not opened because a
                                          // limit was reached; its body is kept whole

  // Content-Type. type/subtype are lowercased; the defaults are text/plain (RFC 2045 §5.2), or
  // message/rfc822 directly inside multipart/digest (RFC 2046 §5.1.5). A multipart without a
  // usable boundary parameter is read as text/plain, its parameters dropped.
  std::string type = "text";
  std::string subtype = "plain";
  std::string type_as_written;     // as in the header (case kept); empty when defaulted
  std::string subtype_as_written;
  std::vector<MimeParam> params;   // Content-Type parameters, decoded (see parse_mime_params)

  // The other Content-* fields: raw values (unfolded, trimmed), nullopt when absent. Only read
  // when the part is MIME: inside a multipart, or with MIME-Version or Content-Type in its header.
  std::optional<std::string> transfer_encoding;  // the token as written; nullopt also when invalid
  std::optional<std::string> content_id;
  std::optional<std::string> description;
  std::optional<std::string> md5;
  std::optional<std::string> location;
  std::optional<ContentDisposition> disposition;
  std::vector<std::string> language;

  std::size_t body_octets = 0;  // body size with bare LF counted as CRLF (what IMAP reports)
  std::size_t body_lines = 0;   // LF count of the body

  bool header_truncated = false;  // a header limit cut the fields read for this part

  std::string_view header_in(std::string_view message) const {
    return message.substr(header_start, header_end - header_start);
  }
  std::string_view body_in(std::string_view message) const {
    return message.substr(body_start, body_end - body_start);
  }
};

struct Message {
  // parts[0] is the message itself; a parent always comes before its children (pre-order).
  std::vector<Part> parts;
  bool truncated = false;  // some limit was reached
  std::size_t size = 0;    // size of the parsed message in bytes

  const Part& root() const { return parts.front(); }
};

// Parses `message` (CRLF or bare LF line ends). Never fails and never throws on content; work is
// linear in the message size times the depth, memory linear in the message size. Boundaries are
// matched as deployed readers do: a line "--" + boundary matches by prefix (trailing blanks and
// junk allowed), the innermost boundary is tried first and the longest match wins, a boundary of
// an enclosing multipart ends the inner ones, preamble and epilogue belong to no part, a missing
// final boundary ends the parts at the end of the message. The line end before a boundary line
// belongs to the boundary, not to the part before it.
Message parse_structure(std::string_view message, const StructureLimits& limits = {});

// The message with only its top-level header located: parts[0]'s bounds as parse_structure
// gives them, nothing below (no Content-* fields, no children, no sizes). Enough for sections
// without a part number (HEADER, HEADER.FIELDS[.NOT], TEXT, the whole message) at the cost of
// finding one empty line instead of reading the whole message.
Message locate_header(std::string_view message);

// The index of the part that an IMAP part path (1-based numbers, e.g. {1, 2, 3}) names, per RFC
// 3501 §6.4.5: numbers index the parts of a multipart; "1" of a non-multipart names that part
// itself; a number after a message/rfc822 part continues inside the encapsulated message. An
// empty path names the message. nullopt when there is no such part.
std::optional<std::size_t> find_part(const Message& m, const std::vector<std::uint32_t>& path);

}  // namespace atrium::mail::mime
