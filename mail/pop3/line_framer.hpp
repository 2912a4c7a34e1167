// Incremental framer for POP3 command lines and SASL responses over buffered input, with a hard
// bound so that a peer that never sends LF cannot make us buffer without limit.
#pragma once

#include <cstddef>
#include <string_view>

namespace atrium::pop3 {

class LineFramer {
 public:
  enum class Kind {
    need_more,  // no complete line yet; `consumed` is 0, or the octets of an over-long line skipped
    line,       // `line` is one line without its CRLF (or bare LF: POP3 clients get that leniency)
    too_long,   // no LF within the bound: reported once; the framer then drops everything up to
                // and including the next LF
  };
  struct Frame {
    Kind kind = Kind::need_more;
    std::size_t consumed = 0;  // octets of the input to drop from the front
    std::string_view line;     // points into the input; valid until the caller drops it
  };

  // `max_line` bounds a line INCLUDING its line ending.
  explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}

  // Looks for the next line at the front of `buffered` (all input not consumed yet).
  Frame next(std::string_view buffered);

  // Forgets a pending skip (after STLS the cleartext stream is gone).
  void reset() { skipping_ = false; }

 private:
  std::size_t max_line_;
  bool skipping_ = false;
};

}  // namespace atrium::pop3
