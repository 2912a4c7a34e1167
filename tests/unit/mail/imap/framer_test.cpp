// The IMAP framer: every literal form, limits and resynchronisation, raw lines, and results that
// do not depend on how the input is cut.
#include "mail/imap/framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::imap {
namespace {

using namespace std::string_literals;

struct Event {
  FrameKind kind = FrameKind::need_more;
  std::string bytes;  // command bytes or raw line
  std::vector<LiteralSpan> literals;
  FrameError error = FrameError::line_too_long;
  std::string tag;
  std::uint64_t literal_size = 0;
  friend bool operator==(const Event&, const Event&) = default;
};

void PrintTo(const Event& e, std::ostream* os) {
  *os << "{kind " << static_cast<int>(e.kind) << " " << ::testing::PrintToString(e.bytes) << " literals "
      << e.literals.size() << " error " << static_cast<int>(e.error) << " tag " << e.tag << " size " << e.literal_size
      << "}";
}

Event command(std::string bytes, std::vector<LiteralSpan> literals = {}) {
  return Event{FrameKind::command, std::move(bytes), std::move(literals)};
}
Event continuation(std::uint64_t size) { return Event{.kind = FrameKind::continuation, .literal_size = size}; }
Event raw(std::string line) { return Event{.kind = FrameKind::raw_line, .bytes = std::move(line)}; }
Event error(FrameError e, std::string tag, std::uint64_t size = 0) {
  return Event{.kind = FrameKind::error, .error = e, .tag = std::move(tag), .literal_size = size};
}

// Feeds `input` in pieces of `step` octets (everything at once for 0), as a connection would:
// the caller's buffer keeps what the framer did not consume. Commands whose text contains
// " AUTHENTICATE" or " IDLE" are followed by one raw line, as the executor would ask.
std::vector<Event> run(Framer& f, std::string_view input, std::size_t step) {
  std::vector<Event> events;
  std::string pending;
  std::size_t fed = 0;
  int guard = 0;
  while (fed < input.size() || !pending.empty()) {
    if (fed < input.size()) {
      const std::size_t n = step == 0 ? input.size() : std::min(step, input.size() - fed);
      pending.append(input.substr(fed, n));
      fed += n;
    }
    while (true) {
      EXPECT_LT(++guard, 100000) << "framer makes no progress";
      if (guard >= 100000) return events;
      const Frame fr = f.next(pending);
      EXPECT_LE(fr.consumed, pending.size());
      Event e;
      e.kind = fr.kind;
      if (fr.kind == FrameKind::command) {
        FramedCommand c = f.take_command();
        e.bytes = std::move(c.bytes);
        e.literals = std::move(c.literals);
      } else if (fr.kind == FrameKind::raw_line) {
        e.bytes = std::string(fr.line);
      } else if (fr.kind == FrameKind::error) {
        e.error = fr.error;
        e.tag = std::string(fr.tag);
        e.literal_size = fr.literal_size;
      } else if (fr.kind == FrameKind::continuation) {
        e.literal_size = fr.literal_size;
      }
      pending.erase(0, fr.consumed);
      if (fr.kind == FrameKind::need_more) {
        EXPECT_TRUE(pending.empty()) << "need_more must consume everything";
        break;
      }
      if (e.kind == FrameKind::command &&
          (e.bytes.find(" AUTHENTICATE") != std::string::npos || e.bytes.find(" IDLE") != std::string::npos)) {
        f.expect_raw_line();
      }
      events.push_back(std::move(e));
    }
    if (fed >= input.size()) break;
  }
  return events;
}

std::vector<Event> run_whole(std::string_view input, FramerOptions options = {}) {
  Framer f(options);
  return run(f, input, 0);
}

TEST(Framer, CommandsAndLineEndings) {
  EXPECT_EQ(run_whole("a NOOP\r\n"), (std::vector{command("a NOOP")}));
  EXPECT_EQ(run_whole("a NOOP\r\nb CAPABILITY\r\n"), (std::vector{command("a NOOP"), command("b CAPABILITY")}));
  EXPECT_EQ(run_whole("a NOOP\nb NOOP\r\n"), (std::vector{command("a NOOP"), command("b NOOP")}));
  EXPECT_EQ(run_whole("\r\n\r\na NOOP\r\n\n"), (std::vector{command("a NOOP")}));
  EXPECT_EQ(run_whole("a NO\rOP\r\n"), (std::vector{command("a NO\rOP")}));  // the parser refuses the CR
  EXPECT_TRUE(run_whole("a NOOP").empty());                                  // no line end yet
}

TEST(Framer, StopsRightAfterTheCommand) {
  Framer f;
  const std::string in = "a STARTTLS\r\nb NOOP\r\n";
  const Frame fr = f.next(in);
  EXPECT_EQ(fr.kind, FrameKind::command);
  EXPECT_EQ(fr.consumed, 12u);  // what follows STARTTLS stays with the caller, who drops it
  EXPECT_EQ(f.take_command().bytes, "a STARTTLS");
}

TEST(Framer, SynchronisingLiterals) {
  const std::string in = "a LOGIN {5}\r\nalice {6}\r\nsecret\r\n";
  EXPECT_EQ(run_whole(in), (std::vector{continuation(5), continuation(6),
                                        command("a LOGIN {5}\r\nalice {6}\r\nsecret",
                                                {LiteralSpan{13, 5, true, false}, LiteralSpan{24, 6, true, false}})}));
}

TEST(Framer, NonSynchronisingAndBinaryLiterals) {
  EXPECT_EQ(run_whole("a LOGIN {5+}\r\nalice {6+}\r\nsecret\r\n"),
            (std::vector{command("a LOGIN {5+}\r\nalice {6+}\r\nsecret",
                                 {LiteralSpan{14, 5, false, false}, LiteralSpan{26, 6, false, false}})}));
  EXPECT_EQ(run_whole("a APPEND INBOX ~{3}\r\na\0b\r\n"s),
            (std::vector{continuation(3), command("a APPEND INBOX ~{3}\r\na\0b"s, {LiteralSpan{21, 3, true, true}})}));
  EXPECT_EQ(run_whole("a APPEND INBOX UTF8 (~{3+}\r\nabc)\r\n"),
            (std::vector{command("a APPEND INBOX UTF8 (~{3+}\r\nabc)", {LiteralSpan{28, 3, false, true}})}));
}

TEST(Framer, LiteralDataIsNeverScanned) {
  // The data holds a line ending and something that looks like a marker.
  const std::string data = "x\r\n{2}\r\n";
  EXPECT_EQ(run_whole("a APPEND x {8}\r\n" + data + "\r\nb NOOP\r\n"),
            (std::vector{continuation(8), command("a APPEND x {8}\r\n" + data, {LiteralSpan{16, 8, true, false}}),
                         command("b NOOP")}));
}

TEST(Framer, BareLfAfterAMarkerBecomesCrlf) {
  EXPECT_EQ(run_whole("a LOGIN {5+}\nalice x\r\n"),
            (std::vector{command("a LOGIN {5+}\r\nalice x", {LiteralSpan{14, 5, false, false}})}));
}

TEST(Framer, CrEndingLiteralDataStaysData) {
  EXPECT_EQ(run_whole("a LOGIN {2+}\r\nx\r\nb NOOP\r\n"),
            (std::vector{command("a LOGIN {2+}\r\nx\r", {LiteralSpan{14, 2, false, false}}), command("b NOOP")}));
}

TEST(Framer, EmptyLiterals) {
  EXPECT_EQ(run_whole("a LOGIN {0}\r\n {0+}\r\n\r\n"),
            (std::vector{continuation(0), command("a LOGIN {0}\r\n {0+}\r\n", {LiteralSpan{13, 0, true, false},
                                                                              LiteralSpan{20, 0, false, false}})}));
}

TEST(Framer, WhatIsNotAMarker) {
  EXPECT_EQ(run_whole("a LOGIN {} x{+}\r\n"), (std::vector{command("a LOGIN {} x{+}")}));
  EXPECT_EQ(run_whole("a LOGIN {5 \r\n"), (std::vector{command("a LOGIN {5 ")}));
  EXPECT_EQ(run_whole("a LOGIN {a}\r\n"), (std::vector{command("a LOGIN {a}")}));
}

FramerOptions small_text() { return FramerOptions{.max_line_text = 32}; }

TEST(FramerLimits, LineTooLongThenResync) {
  EXPECT_EQ(run_whole("a1 " + std::string(40, 'x') + "\r\nb NOOP\r\n", small_text()),
            (std::vector{error(FrameError::line_too_long, "a1"), command("b NOOP")}));
  // No tag to echo when the line has no SP.
  EXPECT_EQ(run_whole(std::string(40, 'x') + "\r\nb NOOP\r\n", small_text()),
            (std::vector{error(FrameError::line_too_long, ""), command("b NOOP")}));
  // The bound counts the whole command's text, across literals.
  EXPECT_EQ(run_whole("a LOGIN {3+}\r\nabc " + std::string(30, 'y') + "\r\nb NOOP\r\n", small_text()),
            (std::vector{error(FrameError::line_too_long, "a"), command("b NOOP")}));
  // 32 octets including CRLF is the most.
  EXPECT_EQ(run_whole("a NOOP " + std::string(23, 'z') + "\r\n", small_text()),
            (std::vector{command("a NOOP " + std::string(23, 'z'))}));
}

TEST(FramerLimits, SkippedLinesStillSkipNonSyncLiteralData) {
  // The client sends the data of a {n+} whatever we answer: it must not run as commands.
  EXPECT_EQ(run_whole("a1 LOGIN " + std::string(40, 'x') + " {10+}\r\nc LOGOUT\r\n\r\nb NOOP\r\n", small_text()),
            (std::vector{error(FrameError::line_too_long, "a1"), command("b NOOP")}));
  // A synchronising marker ends the refused command: the client waits, gets the error, gives up.
  EXPECT_EQ(run_whole("a1 LOGIN " + std::string(40, 'x') + " {5}\r\nb NOOP\r\n", small_text()),
            (std::vector{error(FrameError::line_too_long, "a1"), command("b NOOP")}));
}

TEST(FramerLimits, MarkerSplitBetweenBufferAndInput) {
  // The refused line's marker begins in octets already buffered; the skip must still see it.
  Framer f(small_text());
  auto events = run(f, "a1 APPEND " + std::string(15, 'x') + " {", 0);
  auto more = run(f, "3+}" + std::string(20, 'y') + "\r\n", 0);
  EXPECT_TRUE(events.empty());
  EXPECT_EQ(more, (std::vector{error(FrameError::line_too_long, "a1")}));
  f = Framer(FramerOptions{.max_line_text = 24});
  events = run(f, "a1 APPEND " + std::string(9, 'x') + " {", 0);
  more = run(f, "3+}\r\nxyz\r\nb NOOP\r\n", 0);
  EXPECT_EQ(more, (std::vector{error(FrameError::line_too_long, "a1"), command("b NOOP")}));
}

TEST(FramerLimits, LiteralTooBig) {
  const FramerOptions o{.max_literal = 10};
  EXPECT_EQ(run_whole("a APPEND x {11}\r\nb NOOP\r\n", o),
            (std::vector{error(FrameError::literal_too_big, "a", 11), command("b NOOP")}));
  EXPECT_EQ(run_whole("a APPEND x {10}\r\n0123456789\r\n", o),
            (std::vector{continuation(10), command("a APPEND x {10}\r\n0123456789", {LiteralSpan{17, 10, true, false}})}));
  // Non-synchronising: the data and the rest of the command (with its own literals) are skipped.
  EXPECT_EQ(run_whole("a APPEND x {11+}\r\n01234567890 (\\Seen) {2+}\r\nxy\r\nb NOOP\r\n", o),
            (std::vector{error(FrameError::literal_too_big, "a", 11), command("b NOOP")}));
  // A size past 63 bits on a synchronising literal is only too big.
  EXPECT_EQ(run_whole("a LOGIN {99999999999999999999}\r\nb NOOP\r\n", o),
            (std::vector{error(FrameError::literal_too_big, "a", 9223372036854775807u), command("b NOOP")}));
}

TEST(FramerLimits, LiteralMinus) {
  const FramerOptions o{.non_sync = NonSyncLiterals::small};
  const std::string big(4097, 'd');
  EXPECT_EQ(run_whole("a LOGIN {4097+}\r\n" + big + " x\r\nb NOOP\r\n", o),
            (std::vector{error(FrameError::non_sync_literal_too_big, "a", 4097), command("b NOOP")}));
  const std::string ok(4096, 'd');
  EXPECT_EQ(run_whole("a LOGIN {4096+}\r\n" + ok + " x\r\n", o).size(), 1u);
  // Synchronising literals of any size up to max_literal are fine under LITERAL-.
  EXPECT_EQ(run_whole("a LOGIN {4097}\r\n" + big + " x\r\n", o).size(), 2u);
}

TEST(FramerLimits, CommandTooBig) {
  const FramerOptions o{.max_literal = 30, .max_command = 60};
  const std::string twenty(20, 'm');
  EXPECT_EQ(run_whole("a APPEND x {20+}\r\n" + twenty + " {20+}\r\n" + twenty + " {20+}\r\n" + twenty + "\r\nb NOOP\r\n", o),
            (std::vector{error(FrameError::command_too_big, "a", 20), command("b NOOP")}));
}

TEST(FramerLimits, TextAfterLiteralsCountsTowardsTheCommand) {
  const FramerOptions o{.max_literal = 30, .max_command = 40};
  EXPECT_EQ(run_whole("a APPEND x {15+}\r\n" + std::string(15, 'm') + " (\\Seen \\Draft)\r\nb NOOP\r\n", o),
            (std::vector{error(FrameError::command_too_big, "a"), command("b NOOP")}));
}

TEST(FramerLimits, UnframeableStopsEverything) {
  EXPECT_EQ(run_whole("a LOGIN {99999999999999999999+}\r\nanything\r\nb NOOP\r\n"),
            (std::vector{error(FrameError::unframeable, "a", 9223372036854775807u)}));
  Framer f;
  run(f, "a LOGIN {99999999999999999999+}\r\n", 0);
  EXPECT_TRUE(run(f, "b NOOP\r\n", 0).empty());
  f.reset();
  EXPECT_EQ(run(f, "b NOOP\r\n", 0), (std::vector{command("b NOOP")}));
}

TEST(FramerRaw, AuthenticateAndIdle) {
  EXPECT_EQ(run_whole("a AUTHENTICATE PLAIN\r\nAGFsaWNl{5}\r\nb NOOP\r\n"),
            (std::vector{command("a AUTHENTICATE PLAIN"), raw("AGFsaWNl{5}"), command("b NOOP")}));
  EXPECT_EQ(run_whole("a AUTHENTICATE PLAIN\r\n\r\nb NOOP\r\n"),
            (std::vector{command("a AUTHENTICATE PLAIN"), raw(""), command("b NOOP")}));
  EXPECT_EQ(run_whole("a IDLE\r\nDONE\r\nb NOOP\r\n"), (std::vector{command("a IDLE"), raw("DONE"), command("b NOOP")}));
  EXPECT_EQ(run_whole("a IDLE\r\n" + std::string(40, 'x') + "\r\nb NOOP\r\n", small_text()),
            (std::vector{command("a IDLE"), error(FrameError::line_too_long, ""), command("b NOOP")}));
  // A refused raw line has no literal, even if it ends like a marker.
  EXPECT_EQ(run_whole("a IDLE\r\n" + std::string(40, 'x') + "{3+}\r\nb NOOP\r\n", small_text()),
            (std::vector{command("a IDLE"), error(FrameError::line_too_long, ""), command("b NOOP")}));
}

TEST(FramerApi, TakeCommandResetAndDiscard) {
  Framer f;
  Frame fr = f.next("a NOOP\r\n");
  ASSERT_EQ(fr.kind, FrameKind::command);
  // Not taken: the next call discards it.
  fr = f.next("b NOOP\r\n");
  ASSERT_EQ(fr.kind, FrameKind::command);
  EXPECT_EQ(f.take_command().bytes, "b NOOP");
  // A partial command is forgotten by reset().
  EXPECT_EQ(f.next("c LOGIN {3}\r\nab").kind, FrameKind::continuation);
  f.reset();
  fr = f.next("d NOOP\r\n");
  ASSERT_EQ(fr.kind, FrameKind::command);
  EXPECT_EQ(f.take_command().bytes, "d NOOP");
}

TEST(FramerApi, EndlessLineIsConsumedWithoutBuffering) {
  Framer f(FramerOptions{.max_line_text = 1024});
  const std::string chunk(64 * 1024, 'x');
  Frame fr = f.next(chunk);
  EXPECT_EQ(fr.kind, FrameKind::error);
  for (int i = 0; i < 64; ++i) {
    fr = f.next(chunk);
    EXPECT_EQ(fr.kind, FrameKind::need_more);
    EXPECT_EQ(fr.consumed, chunk.size());
  }
}

// The same stream cut every possible way gives the same events.
const std::string mixed_stream =
    "a1 CAPABILITY\r\n"
    "a2 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n"
    "\r\n"
    "a3 APPEND INBOX (\\Seen) ~{4}\r\nab\0c (\\Draft) {3+}\nxyz\r\n"s
    "a4 AUTHENTICATE PLAIN\r\ndGVzdA==\r\n"
    "a5 " + std::string(50, 'L') + " {3+}\r\nabc\r\n"
    "a6 APPEND x {11}\r\n"
    "a7 APPEND x {11+}\r\n01234567890 {2+}\r\nxy\r\n"
    "a8 IDLE\r\nDONE\r\n"
    "a9 LOGIN {0}\r\n \"\"\n";

TEST(FramerChunks, ResultsDoNotDependOnTheCuts) {
  const FramerOptions o{.max_line_text = 48, .max_literal = 10};
  const auto whole = run_whole(mixed_stream, o);
  ASSERT_EQ(whole.size(), 14u);
  for (std::size_t step = 1; step <= 19; ++step) {
    Framer f(o);
    EXPECT_EQ(run(f, mixed_stream, step), whole) << "step " << step;
  }
  // Every single cut point.
  for (std::size_t cut = 1; cut < mixed_stream.size(); ++cut) {
    Framer f(o);
    auto first = run(f, std::string_view(mixed_stream).substr(0, cut), 0);
    auto second = run(f, std::string_view(mixed_stream).substr(cut), 0);
    first.insert(first.end(), second.begin(), second.end());
    EXPECT_EQ(first, whole) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace atrium::imap
