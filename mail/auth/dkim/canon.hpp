// DKIM canonicalization (RFC 6376 section 3.4): splitting a message into header fields and body,
// and the simple and relaxed forms of each. Pure; shared by DKIM and ARC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::auth::dkim {

enum class Canon { simple, relaxed };

// One header field of a message. Views into the (CRLF-normalised) message text.
struct HeaderField {
  std::string_view name;  // as written, without trailing WSP before the ':'; "" for a line without ':'
  std::string_view raw;   // the whole field, name to the end of its last line, without the final CRLF
};

// A message with CRLF line ends, split at the first empty line. The views in `fields` and `body`
// point into the message given, which must outlive this object; only a message with bare LF line
// ends is copied (into a normalised text of its own). It can be neither copied nor moved (the
// views may point into it).
class SplitMessage {
 public:
  // Bare LF line ends become CRLF (tolerance for messages stored with Unix line ends); a bare CR
  // is left alone. Lines before the first empty line are header fields (a line starting with WSP
  // continues the previous field); with no empty line, everything is header and the body is empty.
  explicit SplitMessage(std::string_view message);
  SplitMessage(const SplitMessage&) = delete;
  SplitMessage& operator=(const SplitMessage&) = delete;

  const std::vector<HeaderField>& fields() const noexcept { return fields_; }
  std::string_view body() const noexcept { return body_; }
  std::string_view text() const noexcept { return text_; }

 private:
  std::string normalised_;  // used only when the message had bare LF line ends
  std::string_view text_;
  std::vector<HeaderField> fields_;
  std::string_view body_;
};

// `message` with every LF not preceded by CR turned into CRLF.
std::string normalize_line_ends(std::string_view message);

// The canonical form of one header field including its trailing CRLF (RFC 6376 section 3.4.1
// and 3.4.2). Relaxed: lower-case name, unfolded, WSP runs as one SP, no WSP around the colon or
// at the end.
std::string canonicalize_header(const HeaderField& field, Canon canon);

// The canonical form of a body (RFC 6376 sections 3.4.3 and 3.4.4): trailing empty lines
// removed; simple turns an empty body into CRLF, relaxed also reduces WSP runs to one SP and
// drops WSP at line ends, and leaves an empty body empty. A last line without CRLF gets one.
std::string canonicalize_body(std::string_view body, Canon canon);

// Case-insensitive ASCII comparison of header field names.
bool same_field_name(std::string_view a, std::string_view b) noexcept;

// Splits "HeaderName: value" into a HeaderField (name trimmed of trailing WSP). Used for fields
// built by signers before they are in a message.
HeaderField make_header_field(std::string_view raw);

}  // namespace atrium::mail::auth::dkim
