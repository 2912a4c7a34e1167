// The IMAP framer: lines, literal markers at line ends, limits and resynchronisation.
#include "mail/imap/framer.hpp"

#include "mail/imap/reader.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <optional>

namespace atrium::imap {
namespace {

// Tags longer than this are not echoed in error replies ("* BAD" instead): a reply must not
// grow with what the client sends.
constexpr std::size_t max_reply_tag = 64;
// Octets of a skipped line kept to spot a literal marker at its end: "~{", 20 digits, "+}", CR.
constexpr std::size_t marker_window = 32;
constexpr std::uint64_t max_literal_size = std::numeric_limits<std::int64_t>::max();  // number64

struct Marker {
  std::uint64_t size = 0;
  bool synchronising = true;
  bool binary = false;
  bool overflow = false;  // the size does not fit number64
};

// A literal marker "{n}", "{n+}", "~{n}" or "~{n+}" ending `line`. "{" can only start a literal
// in a valid command (it is an atom-special and no other token contains it outside quoted
// strings, which cannot span lines), so a marker at the end of a line is one.
std::optional<Marker> trailing_marker(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  line.remove_suffix(1);
  Marker m;
  if (!line.empty() && line.back() == '+') {
    m.synchronising = false;
    line.remove_suffix(1);
  }
  std::size_t d = line.size();
  while (d > 0 && line[d - 1] >= '0' && line[d - 1] <= '9') --d;
  if (d == line.size() || d == 0 || line[d - 1] != '{') return std::nullopt;
  m.binary = d >= 2 && line[d - 2] == '~';
  for (char c : line.substr(d)) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (m.size > (max_literal_size - digit) / 10) {
      m.overflow = true;
      m.size = max_literal_size;
      break;
    }
    m.size = m.size * 10 + digit;
  }
  return m;
}

// The tag at the front of a command, if it is a valid one and short enough to echo.
std::string leading_tag(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && i <= max_reply_tag && detail::is_tag_char(bytes[i])) ++i;
  if (i == 0 || i > max_reply_tag || i >= bytes.size() || bytes[i] != ' ') return {};
  return std::string(bytes.substr(0, i));
}

}  // namespace

Framer::Framer(const FramerOptions& options) : options_(options) {}

void Framer::clear_command() {
  command_.bytes.clear();
  command_.literals.clear();
  text_size_ = 0;
  line_start_ = 0;
  command_ready_ = false;
}

void Framer::reset() {
  clear_command();
  command_.bytes.shrink_to_fit();
  state_ = State::text;
  raw_ = false;
  remaining_ = 0;
  skip_tail_.clear();
  skip_markers_ = true;
  error_tag_.clear();
}

void Framer::expect_raw_line() {
  if (command_ready_) clear_command();  // the command that asked for it is done with
  assert(state_ == State::text && command_.bytes.empty() && "expect_raw_line() only between commands");
  raw_ = true;
}

FramedCommand Framer::take_command() {
  assert(command_ready_ && "take_command() without a command frame");
  FramedCommand out = std::move(command_);
  command_ = FramedCommand{};
  clear_command();
  return out;
}

Frame Framer::refuse(FrameError error, std::size_t consumed, std::uint64_t literal_size) {
  Frame f;
  f.kind = FrameKind::error;
  f.consumed = consumed;
  f.error = error;
  f.literal_size = literal_size;
  f.tag = error_tag_;
  return f;
}

// Called when command_.bytes ends with the LF of a complete line.
Frame Framer::finish_line(std::size_t consumed) {
  command_.bytes.pop_back();
  // A CR right before the LF ends the line only if it is text: the last octet of a literal's
  // data followed by a bare LF stays data.
  if (command_.bytes.size() > line_start_ && command_.bytes.back() == '\r') command_.bytes.pop_back();
  if (raw_) {
    raw_ = false;
    Frame f;
    f.kind = FrameKind::raw_line;
    f.consumed = consumed;
    f.line = command_.bytes;
    command_ready_ = false;
    text_size_ = 0;
    return f;
  }
  const std::optional<Marker> m = trailing_marker(std::string_view(command_.bytes).substr(line_start_));
  if (!m) {
    if (command_.bytes.empty()) {
      // An empty line between commands carries nothing; some clients send one after a literal.
      clear_command();
      return Frame{};
    }
    command_ready_ = true;
    return Frame{.kind = FrameKind::command, .consumed = consumed};
  }
  std::optional<FrameError> refused;
  if (m->overflow) {
    refused = m->synchronising ? FrameError::literal_too_big : FrameError::unframeable;
  } else if (m->size > options_.max_literal) {
    refused = FrameError::literal_too_big;
  } else if (!m->synchronising && options_.non_sync == NonSyncLiterals::small && m->size > literal_minus_limit) {
    refused = FrameError::non_sync_literal_too_big;
  } else if (command_.bytes.size() + 2 + m->size > options_.max_command) {
    refused = FrameError::command_too_big;
  }
  if (refused) {
    error_tag_ = leading_tag(command_.bytes);
    clear_command();
    if (m->synchronising) {
      state_ = State::text;  // the client waits for "+" or the tagged reply, then gives up
    } else if (*refused == FrameError::unframeable) {
      state_ = State::broken;
    } else {
      state_ = m->size == 0 ? State::skip_text : State::skip_literal;
      remaining_ = m->size;
      skip_tail_.clear();
    }
    return refuse(*refused, consumed, m->size);
  }
  command_.bytes += "\r\n";
  const std::size_t size = static_cast<std::size_t>(m->size);
  command_.literals.push_back(LiteralSpan{command_.bytes.size(), size, m->synchronising, m->binary});
  command_.bytes.reserve(command_.bytes.size() + size);
  if (size == 0) {
    line_start_ = command_.bytes.size();
  } else {
    state_ = State::literal;
    remaining_ = size;
  }
  if (m->synchronising) return Frame{.kind = FrameKind::continuation, .consumed = consumed, .literal_size = size};
  return Frame{};  // keep reading: the data follows at once
}

Frame Framer::next(std::string_view input) {
  // Whatever the previous frame handed out is no longer needed.
  if (command_ready_) clear_command();
  if (state_ == State::text && !raw_ && command_.literals.empty() && text_size_ == 0) command_.bytes.clear();
  error_tag_.clear();

  std::size_t pos = 0;
  while (pos < input.size()) {
    switch (state_) {
      case State::broken:
        pos = input.size();
        break;

      case State::literal:
      case State::skip_literal: {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size() - pos));
        if (state_ == State::literal) command_.bytes.append(input.substr(pos, take));
        pos += take;
        remaining_ -= take;
        if (remaining_ == 0) {
          if (state_ == State::literal) {
            line_start_ = command_.bytes.size();
            state_ = State::text;
          } else {
            skip_tail_.clear();
            state_ = State::skip_text;
          }
        }
        break;
      }

      case State::skip_text: {
        const std::size_t lf = input.find('\n', pos);
        const std::size_t end = lf == std::string_view::npos ? input.size() : lf;
        skip_tail_.append(input.substr(pos, end - pos));
        if (skip_tail_.size() > marker_window) skip_tail_.erase(0, skip_tail_.size() - marker_window);
        if (lf == std::string_view::npos) {
          pos = input.size();
          break;
        }
        pos = lf + 1;
        if (!skip_tail_.empty() && skip_tail_.back() == '\r') skip_tail_.pop_back();
        const std::optional<Marker> m = skip_markers_ ? trailing_marker(skip_tail_) : std::nullopt;
        skip_tail_.clear();
        skip_markers_ = true;
        if (m && !m->synchronising) {
          // The client sends this data whatever we answered: it must not be read as commands.
          if (m->overflow) {
            state_ = State::broken;
            return refuse(FrameError::unframeable, pos, m->size);
          }
          remaining_ = m->size;
          if (remaining_ > 0) state_ = State::skip_literal;
        } else {
          state_ = State::text;  // the refused command is over
        }
        break;
      }

      case State::text: {
        const std::size_t lf = input.find('\n', pos);
        const std::size_t end = lf == std::string_view::npos ? input.size() : lf + 1;
        const std::size_t n = end - pos;
        // Which bound the line crosses first decides the error, so the answer does not depend
        // on how the input was cut.
        const std::uint64_t text_room = options_.max_line_text - text_size_;
        const std::uint64_t command_room = options_.max_command - command_.bytes.size();
        if (n > text_room || n > command_room) {
          const bool text_too_long = text_room <= command_room;
          // The tag may straddle what is buffered and what just arrived. Only octets within the
          // bound count: however the input was cut, those have all arrived by now.
          const std::size_t visible = std::min<std::uint64_t>(
              max_reply_tag + 1, command_.bytes.size() + std::min(text_room, command_room));
          std::string head = command_.bytes.substr(0, visible);
          if (head.size() < visible) head.append(input.substr(pos, visible - head.size()));
          error_tag_ = leading_tag(head);
          // The skip must see the end of this line whole to spot a literal marker there, and part
          // of the line may already be buffered.
          const std::string_view line = std::string_view(command_.bytes).substr(line_start_);
          skip_tail_.assign(line.substr(line.size() - std::min(line.size(), marker_window)));
          // A raw line (AUTHENTICATE, DONE) has no literals, whatever it ends with.
          skip_markers_ = !raw_;
          clear_command();
          raw_ = false;
          state_ = State::skip_text;
          return refuse(text_too_long ? FrameError::line_too_long : FrameError::command_too_big, pos, 0);
        }
        command_.bytes.append(input.substr(pos, n));
        text_size_ += n;
        pos = end;
        if (lf == std::string_view::npos) break;
        Frame f = finish_line(pos);
        if (f.kind != FrameKind::need_more) return f;
        break;
      }
    }
  }
  return Frame{.kind = FrameKind::need_more, .consumed = pos};
}

}  // namespace atrium::imap
