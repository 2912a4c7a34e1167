// AttachmentDecoders: decoders run as filters on a private file; the same attachment is decoded
// once; a failure is remembered, a timeout is not.
#include "mail/index/attachment_text.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

namespace atrium::mail::index {
namespace {

using namespace std::chrono_literals;

class AttachmentTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("atrium-attachment-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AttachmentTextTest, TheSameContentIsDecodedOnce) {
  const Decoder cat{"text/x-cat", {".cat"}, {"cat", "%f"}};
  AttachmentDecoders decoders({cat}, dir_);
  EXPECT_EQ(decoders.run(cat, "hello attachment"), "hello attachment");
  EXPECT_EQ(decoders.run(cat, "hello attachment"), "hello attachment");
  EXPECT_EQ(decoders.runs(), 1u);
  EXPECT_EQ(decoders.run(cat, "another one"), "another one");
  EXPECT_EQ(decoders.runs(), 2u);
  // The temporary files are gone.
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(AttachmentTextTest, AFailureIsRememberedATimeoutIsNot) {
  const Decoder fails{"text/x-fails", {}, {"false", "%f"}};
  process::Limits quick;
  quick.wall = 200ms;
  const Decoder slow{"text/x-slow", {}, {"sh", "-c", "sleep 5", "%f"}};
  AttachmentDecoders decoders({fails, slow}, dir_, quick);
  EXPECT_FALSE(decoders.run(fails, "x"));
  EXPECT_FALSE(decoders.run(fails, "x"));
  EXPECT_EQ(decoders.runs(), 1u);
  EXPECT_FALSE(decoders.run(slow, "x"));
  EXPECT_FALSE(decoders.run(slow, "x"));
  EXPECT_EQ(decoders.runs(), 3u) << "killed for its time: tried again";
  // The decoder is part of the key: the same bytes through another decoder run again.
  const Decoder cat{"text/x-cat", {}, {"cat", "%f"}};
  AttachmentDecoders both({fails, cat}, dir_);
  EXPECT_FALSE(both.run(fails, "same"));
  EXPECT_EQ(both.run(cat, "same"), "same");
  EXPECT_EQ(both.runs(), 2u);
}

TEST_F(AttachmentTextTest, TheCacheStaysWithinItsBound) {
  const Decoder cat{"text/x-cat", {}, {"cat", "%f"}};
  AttachmentDecoders decoders({cat}, dir_, {}, 300);  // room for about one 150-byte answer and its key
  const std::string a(150, 'a'), b(150, 'b');
  decoders.run(cat, a);
  decoders.run(cat, b);  // pushes `a` out
  decoders.run(cat, b);
  EXPECT_EQ(decoders.runs(), 2u);
  decoders.run(cat, a);
  EXPECT_EQ(decoders.runs(), 3u);
}

}  // namespace
}  // namespace atrium::mail::index
