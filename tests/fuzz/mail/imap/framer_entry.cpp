// Fuzz entry: the framer over a stream cut two ways, and the parser on every framed command.
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

#include "mail/imap/framer.hpp"
#include "mail/imap/parser.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::imap::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "imap framer fuzz: %s\n", what);
  std::abort();
}

struct Event {
  FrameKind kind;
  std::string bytes;
  std::vector<LiteralSpan> literals;
  FrameError error;
  std::string tag;
  std::uint64_t size;
  friend bool operator==(const Event&, const Event&) = default;
};

void check_command(const FramedCommand& c, const FramerOptions& o) {
  std::uint64_t literal_octets = 0;
  std::size_t previous_end = 0;
  for (const LiteralSpan& s : c.literals) {
    require(s.offset >= previous_end && s.offset + s.size <= c.bytes.size(), "literal span out of place");
    require(s.offset >= 3 && c.bytes.compare(s.offset - 3, 3, "}\r\n") == 0, "literal not after a marker");
    require(s.size <= o.max_literal, "literal over the limit");
    literal_octets += s.size;
    previous_end = s.offset + s.size;
  }
  require(c.bytes.size() <= o.max_command, "command over the limit");
  // Text excludes literal data; "\r\n" after a bare-LF marker adds at most one octet per literal.
  require(c.bytes.size() - literal_octets <= o.max_line_text + c.literals.size(), "command text over the limit");
  for (const WireCharset cs : {WireCharset::modified_utf7, WireCharset::utf8}) {
    (void)parse_command(c.bytes, ParserOptions{.charset = cs});
  }
}

bool wants_raw_line(const FramedCommand& c) {
  const ParseResult r = parse_command(c.bytes);
  const auto* cmd = std::get_if<Command>(&r);
  return cmd != nullptr && (cmd->name() == CommandName::authenticate || cmd->name() == CommandName::idle);
}

std::vector<Event> run(std::string_view in, const FramerOptions& o, unsigned pattern) {
  Framer f(o);
  std::vector<Event> events;
  std::string pending;
  std::size_t fed = 0;
  unsigned k = 0;
  while (fed < in.size()) {
    const std::size_t piece = pattern == 0 ? in.size() : 1 + (k++ * 7 + pattern) % (pattern + 5);
    const std::size_t n = std::min(piece, in.size() - fed);
    pending.append(in.substr(fed, n));
    fed += n;
    for (int guard = 0;; ++guard) {
      require(guard < 1000000, "framer makes no progress");
      const Frame fr = f.next(pending);
      require(fr.consumed <= pending.size(), "consumed more than given");
      Event e{fr.kind, {}, {}, fr.error, std::string(fr.tag), fr.literal_size};
      bool raw = false;
      if (fr.kind == FrameKind::command) {
        FramedCommand c = f.take_command();
        check_command(c, o);
        raw = wants_raw_line(c);
        e.bytes = std::move(c.bytes);
        e.literals = std::move(c.literals);
      } else if (fr.kind == FrameKind::raw_line) {
        require(fr.line.size() <= o.max_line_text, "raw line over the limit");
        e.bytes = std::string(fr.line);
      }
      pending.erase(0, fr.consumed);
      if (fr.kind == FrameKind::need_more) {
        require(pending.empty(), "need_more left input behind");
        break;
      }
      if (fr.kind != FrameKind::error) e.error = FrameError::line_too_long;
      events.push_back(std::move(e));
      if (raw) f.expect_raw_line();
    }
  }
  return events;
}

}  // namespace

int framer_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t control = data[0];
  const unsigned pattern = data[1] % 31 + 1;
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  FramerOptions o;
  o.max_line_text = (control & 1) ? 64 : 4096;
  o.max_literal = (control & 2) ? 16 : 1 << 20;
  o.max_command = (control & 4) ? 48 : 2 << 20;
  if (o.max_command < o.max_literal) o.max_literal = o.max_command;
  o.non_sync = (control & 8) ? NonSyncLiterals::small : NonSyncLiterals::any_size;
  const auto whole = run(in, o, 0);
  const auto cut = run(in, o, pattern);
  require(whole == cut, "events depend on how the input is cut");
  return 0;
}

}  // namespace atrium::imap::fuzz
