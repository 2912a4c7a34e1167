// Incremental framer for IMAP client input: cuts the byte stream into whole commands with their
// literals embedded, says when to send a continuation request for a synchronising literal, and
// enforces the size limits before anything is buffered, resynchronising after every error so the
// connection can go on. Also reads the raw lines of AUTHENTICATE exchanges and IDLE's DONE.
// No I/O; one per connection; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::imap {

// Which non-synchronising literals ({n+}, ~{n+}) the server accepts (RFC 7888).
enum class NonSyncLiterals : std::uint8_t {
  any_size,  // LITERAL+
  small,     // LITERAL- (and IMAP4rev2): at most 4096 octets
};

inline constexpr std::uint64_t literal_minus_limit = 4096;

struct FramerOptions {
  // Octets of command text, line endings included and literal data excluded (RFC 9051 section
  // 4 leaves the bound to the server; 64 KiB fits any real command).
  std::size_t max_line_text = 64 * 1024;
  // Octets of one literal: the APPENDLIMIT advertised (RFC 7889).
  std::uint64_t max_literal = 50 * 1024 * 1024;
  // Octets of a whole command, text and literals (bounds MULTIAPPEND). At least
  // max_literal + max_line_text, or no message of max_literal octets could be appended.
  std::uint64_t max_command = 64 * 1024 * 1024;
  NonSyncLiterals non_sync = NonSyncLiterals::any_size;
};

// Where one literal's data lies in FramedCommand::bytes.
struct LiteralSpan {
  std::size_t offset = 0;     // of the first data octet
  std::size_t size = 0;
  bool synchronising = true;  // "{n}" rather than "{n+}"
  bool binary = false;        // literal8 "~{n}" (RFC 3516)
  friend bool operator==(const LiteralSpan&, const LiteralSpan&) = default;
};

// One command as parse_command wants it: the octets as sent, with "\r\n" after each literal
// marker (a bare LF there is rewritten to CRLF) and the final line ending removed.
struct FramedCommand {
  std::string bytes;
  std::vector<LiteralSpan> literals;  // in order of appearance
};

enum class FrameKind : std::uint8_t {
  need_more,     // all input was taken; call again with more
  command,       // a whole command is ready: take_command()
  continuation,  // a synchronising literal was accepted: send "+ ..." now, then feed its data
  raw_line,      // the line asked for by expect_raw_line(): Frame::line
  error,         // Frame::error; answer it (response.hpp append_frame_error) and go on
};

// Framing errors and how the server answers them. After each one the framer skips what belongs
// to the refused command by itself (through the end of its line, including the data of any
// non-synchronising literals announced on the way), so the next command frames normally.
enum class FrameError : std::uint8_t {
  line_too_long,             // over max_line_text: "tag BAD"
  literal_too_big,           // over max_literal: "tag NO [TOOBIG]"; no continuation is sent for
                             // a synchronising literal (the client gives the command up), the
                             // data of a non-synchronising one is read and dropped
  command_too_big,           // a literal (or text after literals) would take the command over
                             // max_command: "tag NO [TOOBIG]", handled like literal_too_big
  non_sync_literal_too_big,  // LITERAL-: "{n+}" with n > 4096: "tag BAD" (RFC 7888 section 4);
                             // the data is read and dropped
  unframeable,               // a non-synchronising literal whose size does not fit 63 bits: the
                             // stream cannot be followed; answer "* BYE" and close. The framer
                             // ignores all further input.
};

struct Frame {
  FrameKind kind = FrameKind::need_more;
  std::size_t consumed = 0;        // octets taken from the front of the input given to next()
  FrameError error = FrameError::line_too_long;  // kind == error
  std::uint64_t literal_size = 0;  // continuation, literal errors: the announced size
  std::string_view tag;            // error: the refused command's tag, empty if unreadable;
                                   // valid until the next call
  std::string_view line;           // raw_line: the line without its ending; valid until the next call
};

class Framer {
 public:
  explicit Framer(const FramerOptions& options = {});

  // Takes octets from the front of `input` and reports at most one event. Octets of an
  // unfinished command are copied into the framer (bounded by the limits), so the caller may
  // drop `consumed` octets and reuse its buffer. A command, continuation, raw line or error
  // stops consumption right after the octet that completed it: input pipelined behind a command
  // stays with the caller (who may have to drop it, e.g. after STARTTLS).
  Frame next(std::string_view input);

  // After a `command` frame: the command, moved out. Calling next() first discards it.
  FramedCommand take_command();

  // The next line is read raw (an AUTHENTICATE response or IDLE's DONE), not as a command: it
  // comes back as a raw_line frame without literal processing (line_too_long if over
  // max_line_text, after which the framer skips that line and returns to commands). Call only
  // between commands.
  void expect_raw_line();

  // Forgets all state (after STARTTLS or COMPRESS the stream restarts), keeping the options.
  void reset();

  const FramerOptions& options() const { return options_; }

 private:
  enum class State : std::uint8_t { text, literal, skip_text, skip_literal, broken };

  Frame finish_line(std::size_t consumed);
  Frame refuse(FrameError error, std::size_t consumed, std::uint64_t literal_size);
  void clear_command();

  FramerOptions options_;
  State state_ = State::text;
  bool raw_ = false;
  std::uint64_t remaining_ = 0;   // literal octets still to come (literal, skip_literal)
  std::size_t text_size_ = 0;     // text octets of the current command
  std::size_t line_start_ = 0;    // where the current line's text starts in command_.bytes
  std::string skip_tail_;         // skip_text: the last octets of the skipped line (a marker?)
  bool skip_markers_ = true;      // skip_text: false when the skipped line is a raw line
  std::string error_tag_;
  FramedCommand command_;
  bool command_ready_ = false;
};

}  // namespace atrium::imap
