// DATA/BDAT content decoder: a byte state machine with a fast path over ordinary text runs.
#include "mail/smtp/data_reader.hpp"

namespace atrium::smtp {

DataReader::DataReader(BodyFraming framing, std::uint64_t max_message_size)
    : framing_(framing), max_size_(max_message_size) {}

void DataReader::flag(ContentError e) {
  if (!error_) error_ = e;
}

void DataReader::emit(std::string_view bytes, std::string& out) {
  size_ += bytes.size();
  if (max_size_ != 0 && size_ > max_size_) too_big_ = true;
  if (!too_big_ && !error_) out.append(bytes);
}

std::size_t DataReader::feed(std::string_view in, std::string& out) {
  if (done_) return 0;
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = in[i];
    switch (state_) {
      case State::line_start:
        if (framing_ == BodyFraming::dot_stuffed && c == '.') {
          state_ = State::dot;
          ++i;
        } else {
          state_ = State::in_line;
        }
        break;
      case State::dot:
        if (c == '\r') {
          state_ = State::dot_cr;
          ++i;
        } else {
          state_ = State::in_line;  // a stuffed dot: dropped, `c` starts the line's content
        }
        break;
      case State::dot_cr:
        if (c == '\n') {
          done_ = true;
          return i + 1;
        }
        flag(ContentError::bare_cr);  // ".\r" then something else: the CR is bare
        state_ = State::in_line;
        break;
      case State::cr:
        if (c == '\n') {
          emit("\r\n", out);
          line_len_ = 0;
          state_ = State::line_start;
          ++i;
        } else {
          flag(ContentError::bare_cr);
          state_ = State::in_line;
        }
        break;
      case State::in_line: {
        std::size_t j = i;
        unsigned char high = 0;
        while (j < n && in[j] != '\r' && in[j] != '\n' && in[j] != '\0') {
          high |= static_cast<unsigned char>(in[j]);
          ++j;
        }
        if (j > i) {
          emit(in.substr(i, j - i), out);
          line_len_ += j - i;
          if (high & 0x80) eight_bit_ = true;
          if (line_len_ > max_text_line) flag(ContentError::line_too_long);
          i = j;
          break;
        }
        if (c == '\r') {
          state_ = State::cr;
        } else if (c == '\n') {
          // Never a line break: the next octet does not start a line, so no dot handling.
          flag(ContentError::bare_lf);
          line_len_ = 0;
        } else {
          flag(ContentError::nul);
        }
        ++i;
        break;
      }
    }
  }
  return n;
}

void DataReader::finish() {
  if (state_ == State::cr) flag(ContentError::bare_cr);
  done_ = true;
}

}  // namespace atrium::smtp
