// Line framing: LF-terminated lines, a CR before the LF stripped, bounded length.
#include "mail/pop3/line_framer.hpp"

#include <algorithm>

namespace atrium::pop3 {

LineFramer::Frame LineFramer::next(std::string_view buffered) {
  Frame f;
  std::size_t skipped = 0;
  if (skipping_) {
    std::size_t lf = buffered.find('\n');
    if (lf == std::string_view::npos) {
      f.consumed = buffered.size();  // still inside the over-long line
      return f;
    }
    skipping_ = false;
    skipped = lf + 1;
    buffered.remove_prefix(skipped);
  }
  f.consumed = skipped;
  std::string_view window = buffered.substr(0, std::min(buffered.size(), max_line_));
  std::size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    if (buffered.size() < max_line_) return f;
    f.kind = Kind::too_long;
    // Drop through the LF at once when it has already arrived, so the next line is seen now.
    std::size_t later = buffered.find('\n', max_line_);
    if (later != std::string_view::npos) {
      f.consumed += later + 1;
    } else {
      skipping_ = true;
      f.consumed += buffered.size();
    }
    return f;
  }
  f.kind = Kind::line;
  f.consumed += lf + 1;
  std::size_t len = lf;
  if (len > 0 && buffered[len - 1] == '\r') --len;
  f.line = buffered.substr(0, len);
  return f;
}

}  // namespace atrium::pop3
