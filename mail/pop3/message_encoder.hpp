// RETR and TOP content on the wire (RFC 1939 section 3), produced incrementally from the stored
// message in chunks of any size, so a large message never has to be in memory at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::pop3 {

// Every line ending of the stored message (CRLF, or a bare LF) becomes CRLF; a line starting
// with '.' gets one more '.'; finish() ends an unterminated last line and appends the ".CRLF"
// terminator. A CR not followed by LF is content and is passed on as it is. With a TOP limit
// the encoder passes the header, the empty line after it and that many body lines, then
// ignores the rest; a message without an empty line is all header and is passed whole.
class MessageEncoder {
 public:
  // nullopt: the whole message (RETR); n: the header and the first n body lines (TOP n).
  explicit MessageEncoder(std::optional<std::uint64_t> body_lines = std::nullopt) : body_lines_(body_lines) {}

  // Appends the wire form of `chunk` to `out`. Returns false once TOP's limit is reached: the
  // caller may stop reading, and further input is ignored.
  bool encode(std::string_view chunk, std::string& out);
  // Appends CRLF when the last line had no line ending, then ".\r\n". Call once, at the end.
  void finish(std::string& out);
  // TOP's limit has been reached.
  bool complete() const { return done_; }

 private:
  void content(std::string& out, std::string_view run);
  void end_line(std::string& out);

  std::optional<std::uint64_t> body_lines_;
  std::uint64_t body_lines_sent_ = 0;
  bool at_line_start_ = true;
  bool pending_cr_ = false;  // the last octet seen was a CR: the next one says whether it ends a line
  bool in_header_ = true;
  bool done_ = false;
  bool finished_ = false;
};

}  // namespace atrium::pop3
