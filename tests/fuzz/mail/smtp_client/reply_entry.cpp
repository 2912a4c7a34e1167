// Fuzz entry: the client's reply parser and EHLO capabilities.
#include "tests/fuzz/mail/smtp_client/fuzz_entries.hpp"

#include "mail/smtp/client/capabilities.hpp"
#include "mail/smtp/client/reply_parser.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::smtp::client::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "smtp client reply fuzz: %s\n", what);
  std::abort();
}

struct Event {
  bool error = false;
  ReplyError kind = ReplyError::bad_code;
  Reply reply;
};

bool same(const Event& a, const Event& b) {
  if (a.error != b.error) return false;
  if (a.error) return a.kind == b.kind;
  return a.reply.code == b.reply.code && a.reply.enhanced == b.reply.enhanced && a.reply.lines == b.reply.lines;
}

// Feeds `input` in pieces (sizes from `seed`; 0: all at once) the way a network reader does:
// unconsumed bytes stay and new ones are appended. Stops at the first error.
std::vector<Event> run(std::string_view input, ReplyLimits limits, unsigned seed) {
  ReplyParser parser(limits);
  std::vector<Event> events;
  std::string pending;
  std::size_t pos = 0;
  unsigned state = seed * 2654435761u + 1;
  while (pos < input.size()) {
    std::size_t piece = input.size() - pos;
    if (seed != 0) {
      state = state * 1103515245u + 12345u;
      piece = std::min<std::size_t>(piece, 1 + (state >> 16) % 64);
    }
    pending.append(input.substr(pos, piece));
    pos += piece;
    for (;;) {
      ReplyParser::Result r = parser.next(pending);
      require(r.consumed <= pending.size(), "consumed more than given");
      pending.erase(0, r.consumed);
      if (r.kind == ReplyParser::Kind::need_more) {
        require(pending.find('\n') == std::string::npos, "need_more with a complete line left");
        break;
      }
      if (r.kind == ReplyParser::Kind::error) {
        events.push_back({.error = true, .kind = r.error});
        return events;
      }
      events.push_back({.reply = std::move(r.reply)});
    }
  }
  return events;
}

void check_reply(const Reply& reply, const ReplyLimits& limits) {
  require(reply.code >= 200 && reply.code <= 599, "code out of range");
  require(!reply.lines.empty() && reply.lines.size() <= limits.max_lines, "line count out of range");
  for (const auto& line : reply.lines) {
    require(line.size() <= limits.max_line, "line over the limit");
    require(line.find('\n') == std::string::npos, "LF inside a line");
  }
  if (!reply.enhanced.empty()) {
    require(enhanced_code_length(reply.enhanced, static_cast<char>('0' + reply.code / 100)) == reply.enhanced.size(),
            "invalid enhanced code");
  }
  // Formatting and parsing again gives the same reply (the formatter repeats the enhanced code on
  // every line, so allow for the longer lines).
  const std::string wire = format_reply(reply);
  ReplyParser again({.max_line = limits.max_line + reply.enhanced.size() + 1, .max_lines = limits.max_lines});
  const ReplyParser::Result r = again.next(wire);
  require(r.kind == ReplyParser::Kind::reply && r.consumed == wire.size(), "formatted reply does not parse");
  require(r.reply.code == reply.code && r.reply.enhanced == reply.enhanced && r.reply.lines == reply.lines,
          "formatted reply parses differently");

  const Capabilities caps = parse_ehlo(reply);
  for (const std::string& m : caps.auth) require(!m.empty() && m.size() <= 20, "invalid mechanism name");
}

}  // namespace

int reply_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::size_t line_limits[] = {16, 64, 512, 4096};
  static constexpr std::size_t count_limits[] = {1, 3, 10, 100};
  const ReplyLimits limits{.max_line = line_limits[data[0] & 3], .max_lines = count_limits[(data[0] >> 2) & 3]};
  const unsigned seed = data[0] >> 4;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::vector<Event> whole = run(input, limits, 0);
  for (const Event& e : whole) {
    if (!e.error) check_reply(e.reply, limits);
  }
  if (seed != 0) {
    const std::vector<Event> cut = run(input, limits, seed);
    require(cut.size() == whole.size(), "cuts change the number of replies");
    for (std::size_t i = 0; i < cut.size(); ++i) require(same(cut[i], whole[i]), "cuts change a reply");
  }
  return 0;
}

}  // namespace atrium::smtp::client::fuzz
