// Line-ending normalisation, dot-stuffing and TOP's line count over a chunked message.
#include "mail/pop3/message_encoder.hpp"

namespace atrium::pop3 {

void MessageEncoder::content(std::string& out, std::string_view run) {
  if (at_line_start_ && run.front() == '.') out += '.';
  out.append(run);
  at_line_start_ = false;
}

void MessageEncoder::end_line(std::string& out) {
  out += "\r\n";
  if (in_header_) {
    // The first empty line ends the header; it is sent, and counts as none of TOP's lines.
    if (at_line_start_) {
      in_header_ = false;
      if (body_lines_ && *body_lines_ == 0) done_ = true;
    }
  } else if (body_lines_ && ++body_lines_sent_ >= *body_lines_) {
    done_ = true;
  }
  at_line_start_ = true;
}

bool MessageEncoder::encode(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 16 + 8);
  std::size_t i = 0;
  while (i < in.size() && !done_) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (in[i] == '\n') {
        ++i;
        end_line(out);
        continue;
      }
      content(out, "\r");
    }
    const char c = in[i];
    if (c == '\r') {
      pending_cr_ = true;
      ++i;
      continue;
    }
    if (c == '\n') {
      ++i;
      end_line(out);
      continue;
    }
    std::size_t j = in.find_first_of("\r\n", i);
    if (j == std::string_view::npos) j = in.size();
    content(out, in.substr(i, j - i));
    i = j;
  }
  return !done_;
}

void MessageEncoder::finish(std::string& out) {
  if (finished_) return;
  finished_ = true;
  // A CR at the very end ends the last line like a CRLF would.
  if (!done_ && (pending_cr_ || !at_line_start_)) out += "\r\n";
  pending_cr_ = false;
  out += ".\r\n";
}

}  // namespace atrium::pop3
