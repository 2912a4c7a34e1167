// Command-line framing: LF-terminated lines, CR stripped, bounded length.
#include "mail/smtp/line_framer.hpp"

#include <algorithm>

namespace atrium::smtp {

LineFramer::Frame LineFramer::next(std::string_view buffered) {
  Frame f;
  while (skipping_) {
    std::size_t lf = buffered.find('\n');
    if (lf == std::string_view::npos) {
      f.consumed = buffered.size();
      return f;  // need_more; everything seen so far belongs to the overlong line
    }
    skipping_ = false;
    f.consumed = lf + 1;
    buffered.remove_prefix(lf + 1);
    // Fall through to look for a line after the skipped one; offsets are relative to the
    // original input, so account for what was skipped.
    Frame rest = next(buffered);
    rest.consumed += f.consumed;
    return rest;
  }
  std::string_view window = buffered.substr(0, std::min(buffered.size(), max_line_));
  std::size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    if (buffered.size() < max_line_) return f;
    skipping_ = true;
    f.kind = Kind::too_long;
    f.consumed = max_line_;
    // Drop through the LF now if it is already here, so the caller sees the next line at once.
    std::size_t later = buffered.find('\n', max_line_);
    if (later != std::string_view::npos) {
      skipping_ = false;
      f.consumed = later + 1;
    }
    return f;
  }
  f.kind = Kind::line;
  f.consumed = lf + 1;
  std::size_t len = lf;
  if (len > 0 && buffered[len - 1] == '\r') {
    --len;
  } else {
    f.bare_lf = true;
  }
  f.line = buffered.substr(0, len);
  return f;
}

}  // namespace atrium::smtp
