// Incremental decoder for message content: DATA (dot-stuffed, ended only by CRLF.CRLF) or BDAT
// chunks (raw). Checks line endings, NULs and line lengths so nothing unsafe reaches the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::smtp {

enum class BodyFraming {
  dot_stuffed,  // DATA: RFC 5321 section 4.5.2 transparency, terminated by CRLF "." CRLF
  chunked,      // BDAT: the session counts chunk octets; no stuffing and no terminator
};

// Content that makes the message unacceptable. Only CRLF ends a line: a bare CR or bare LF is an
// error, never a line break, so "\n.\n", "\r.\r" or "\n.\r\n" can never end DATA early and a
// message cannot smuggle a second one past us or past any MTA we relay to.
enum class ContentError {
  bare_cr,        // CR not followed by LF
  bare_lf,        // LF not preceded by CR
  nul,            // a NUL octet
  line_too_long,  // more than 998 octets before CRLF (RFC 5321 section 4.5.3.1.6)
};

inline constexpr std::size_t max_text_line = 998;  // octets, excluding CRLF

// Not thread-safe; one per message. Policy: the reader always reads to the end (the terminator
// for DATA, the last chunk for BDAT) so the session stays in step with the client, but once the
// message is too big or has a content error it stops appending to the output: the caller is
// going to refuse the message anyway and must not buffer an unbounded amount of it.
class DataReader {
 public:
  // `max_message_size` bounds the decoded message in octets; 0 means no limit.
  DataReader(BodyFraming framing, std::uint64_t max_message_size);

  // Decodes `in`, appending the content (CRLF line endings, stuffing dots removed) to `out`.
  // Returns the number of octets of `in` consumed: dot_stuffed stops right after the LF that
  // ends the terminating ".\r\n" (the rest of `in` is pipelined input for the caller) and then
  // consumes nothing more; chunked consumes everything. The terminator is not part of the content.
  std::size_t feed(std::string_view in, std::string& out);

  // chunked: no more chunks will come; a trailing lone CR counts as bare. Sets done().
  void finish();

  // dot_stuffed: the terminator has been seen. chunked: finish() was called.
  bool done() const { return done_; }
  // The decoded size exceeds the limit; the content is no longer being stored.
  bool too_big() const { return too_big_; }
  // The first content error seen, if any; the content is no longer being stored.
  std::optional<ContentError> error() const { return error_; }
  // Octets of decoded content so far, including what was not stored.
  std::uint64_t size() const { return size_; }
  // Some octet had its high bit set (8-bit content).
  bool has_8bit() const { return eight_bit_; }

 private:
  enum class State : std::uint8_t { line_start, in_line, cr, dot, dot_cr };

  void emit(std::string_view bytes, std::string& out);
  void flag(ContentError e);

  BodyFraming framing_;
  std::uint64_t max_size_;
  State state_ = State::line_start;
  std::size_t line_len_ = 0;
  std::uint64_t size_ = 0;
  std::optional<ContentError> error_;
  bool too_big_ = false;
  bool eight_bit_ = false;
  bool done_ = false;
};

}  // namespace atrium::smtp
