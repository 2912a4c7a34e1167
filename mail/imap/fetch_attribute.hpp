// FETCH data items as the parser produces them (RFC 9051 section 6.4.5, RFC 3516 BINARY,
// RFC 7162 MODSEQ, RFC 8474 EMAILID/THREADID, RFC 8514 SAVEDATE). Macros arrive expanded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atrium::imap {

enum class FetchItem : std::uint8_t {
  envelope,        // ENVELOPE
  flags,           // FLAGS
  internal_date,   // INTERNALDATE
  rfc822,          // RFC822: like BODY[] (sets \Seen), answered as "RFC822"
  rfc822_header,   // RFC822.HEADER: like BODY.PEEK[HEADER], answered as "RFC822.HEADER"
  rfc822_size,     // RFC822.SIZE
  rfc822_text,     // RFC822.TEXT: like BODY[TEXT] (sets \Seen), answered as "RFC822.TEXT"
  body,            // BODY without a section: the non-extensible BODYSTRUCTURE
  body_structure,  // BODYSTRUCTURE
  uid,             // UID
  body_section,    // BODY[section]<partial> and BODY.PEEK[...] (see FetchAttribute::peek)
  binary,          // BINARY[part]<partial> and BINARY.PEEK[...] (RFC 3516)
  binary_size,     // BINARY.SIZE[part] (RFC 3516)
  modseq,          // MODSEQ (RFC 7162)
  email_id,        // EMAILID (RFC 8474)
  thread_id,       // THREADID (RFC 8474)
  save_date,       // SAVEDATE (RFC 8514)
};

// What a section names within the part that `part` designates.
enum class SectionText : std::uint8_t {
  none,               // the whole part: BODY[] or BODY[1.2]
  header,             // HEADER
  header_fields,      // HEADER.FIELDS (list)
  header_fields_not,  // HEADER.FIELDS.NOT (list)
  text,               // TEXT
  mime,               // MIME: the part's own MIME header; only with a non-empty `part`
};

// section-spec (RFC 9051 section 9). For BINARY and BINARY.SIZE only `part` is used.
struct Section {
  std::vector<std::uint32_t> part;  // "1.2.3" -> {1, 2, 3}; empty: the message itself
  SectionText text = SectionText::none;
  // header_fields(_not): the field names as sent (compare case-insensitively); never empty.
  std::vector<std::string> fields;
  friend bool operator==(const Section&, const Section&) = default;
};

// "<offset.length>": octets [offset, offset + length) of the section's content. length > 0.
struct Partial {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  friend bool operator==(const Partial&, const Partial&) = default;
};

struct FetchAttribute {
  FetchItem item = FetchItem::flags;
  Section section;                 // body_section, binary, binary_size
  bool peek = false;               // BODY.PEEK / BINARY.PEEK: do not set \Seen
  std::optional<Partial> partial;  // body_section and binary only
  friend bool operator==(const FetchAttribute&, const FetchAttribute&) = default;
};

// Whether fetching `attr` sets \Seen on a message opened read-write (RFC 9051 section 6.4.5):
// BODY[...] and BINARY[...] without PEEK, RFC822 and RFC822.TEXT.
inline bool sets_seen(const FetchAttribute& attr) {
  switch (attr.item) {
    case FetchItem::body_section:
    case FetchItem::binary: return !attr.peek;
    case FetchItem::rfc822:
    case FetchItem::rfc822_text: return true;
    default: return false;
  }
}

}  // namespace atrium::imap
