// Incremental framer for command lines (and SASL responses) over buffered input, with a hard
// bound so a peer that never sends LF cannot make us buffer without limit.
#pragma once

#include <cstddef>
#include <string_view>

namespace atrium::smtp {

class LineFramer {
 public:
  enum class Kind {
    need_more,  // no complete line yet; `consumed` is 0 (or the skipped octets, see below)
    line,       // `line` is one line without its ending; `bare_lf` when it ended in LF alone
    too_long,   // no LF within the bound: the octets so far are dropped and the framer skips
                // everything up to and including the next LF (reported once, as this kind)
  };
  struct Frame {
    Kind kind = Kind::need_more;
    std::size_t consumed = 0;  // octets of the input to drop from the front
    std::string_view line;     // points into the input; valid until the caller drops it
    bool bare_lf = false;
  };

  // `max_line` bounds a line INCLUDING its CRLF.
  explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}

  // Looks for the next line at the front of `buffered` (all input not yet consumed).
  Frame next(std::string_view buffered);

  // Forgets a pending skip (after STARTTLS the old stream is gone).
  void reset() { skipping_ = false; }

 private:
  std::size_t max_line_;
  bool skipping_ = false;
};

}  // namespace atrium::smtp
