#include "core/log/log.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

namespace atrium::log {
namespace {

struct Capture {
  std::mutex m;
  std::vector<std::string> lines;
  static void sink(std::string_view line, void* ctx) {
    auto* self = static_cast<Capture*>(ctx);
    std::lock_guard lock(self->m);
    self->lines.emplace_back(line);
  }
};

TEST(Log, WritesKeyValuePairsAndQuotesWhenNeeded) {
  Capture cap;
  set_sink(&Capture::sink, &cap);
  info("conn.open", "proto", "imap", "peer", "127.0.0.1:4000", "note", "two words", "n", 42);
  set_sink(nullptr, nullptr);
  ASSERT_EQ(cap.lines.size(), 1u);
  const auto& l = cap.lines[0];
  EXPECT_NE(l.find(" level=info event=conn.open proto=imap peer=127.0.0.1:4000 note=\"two words\" n=42"),
            std::string::npos)
      << l;
  EXPECT_EQ(l.rfind("ts=", 0), 0u);
}

TEST(Log, EscapesControlCharactersSoALineCannotBeForged) {
  std::string out;
  append_value(out, "a\nlevel=error \"x\"\\");
  EXPECT_EQ(out, "\"a\\nlevel=error \\\"x\\\"\\\\\"");
  out.clear();
  append_value(out, "");
  EXPECT_EQ(out, "\"\"");
}

TEST(Log, LevelFilterDropsLowerLevels) {
  Capture cap;
  set_sink(&Capture::sink, &cap);
  set_level(Level::warn);
  info("dropped");
  warn("kept");
  set_level(Level::info);
  set_sink(nullptr, nullptr);
  ASSERT_EQ(cap.lines.size(), 1u);
  EXPECT_NE(cap.lines[0].find("event=kept"), std::string::npos);
  Level l{};
  EXPECT_TRUE(parse_level("debug", l));
  EXPECT_EQ(l, Level::debug);
  EXPECT_FALSE(parse_level("loud", l));
}

}  // namespace
}  // namespace atrium::log
