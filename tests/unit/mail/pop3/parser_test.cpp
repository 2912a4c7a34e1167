// parse_command: table tests for every verb, its argument rules and its errors.
#include "mail/pop3/parser.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace atrium::pop3 {
namespace {

Command ok(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_TRUE(std::holds_alternative<Command>(r)) << line;
  return std::holds_alternative<Command>(r) ? std::get<Command>(r) : Command{Noop{}};
}

SyntaxError fails(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_TRUE(std::holds_alternative<SyntaxError>(r)) << line;
  return std::holds_alternative<SyntaxError>(r) ? std::get<SyntaxError>(r) : SyntaxError{};
}

constexpr auto max64 = std::numeric_limits<std::uint64_t>::max();

TEST(Pop3Parser, EveryVerbInAnyCase) {
  EXPECT_EQ(ok("USER alice"), (Command{User{"alice"}}));
  EXPECT_EQ(ok("pass secret"), (Command{Pass{"secret"}}));
  EXPECT_EQ(ok("Stat"), (Command{Stat{}}));
  EXPECT_EQ(ok("LIST"), (Command{List{}}));
  EXPECT_EQ(ok("list 3"), (Command{List{3}}));
  EXPECT_EQ(ok("RETR 1"), (Command{Retr{1}}));
  EXPECT_EQ(ok("DELE 12"), (Command{Dele{12}}));
  EXPECT_EQ(ok("NOOP"), (Command{Noop{}}));
  EXPECT_EQ(ok("RSET"), (Command{Rset{}}));
  EXPECT_EQ(ok("QUIT"), (Command{Quit{}}));
  EXPECT_EQ(ok("TOP 2 0"), (Command{Top{2, 0}}));
  EXPECT_EQ(ok("UIDL"), (Command{Uidl{}}));
  EXPECT_EQ(ok("uidl 4"), (Command{Uidl{4}}));
  EXPECT_EQ(ok("CAPA"), (Command{Capa{}}));
  EXPECT_EQ(ok("STLS"), (Command{Stls{}}));
  EXPECT_EQ(ok("AUTH"), (Command{Auth{}}));
  EXPECT_EQ(ok("AUTH plain"), (Command{Auth{"plain", std::nullopt}}));
  EXPECT_EQ(ok("AUTH PLAIN AGEAYg=="), (Command{Auth{"PLAIN", "AGEAYg=="}}));
  EXPECT_EQ(ok("AUTH PLAIN ="), (Command{Auth{"PLAIN", "="}}));
}

TEST(Pop3Parser, PassKeepsEverySpace) {
  EXPECT_EQ(ok("PASS  two  spaces "), (Command{Pass{" two  spaces "}}));
  EXPECT_EQ(ok("PASS p\xC3\xA4ss"), (Command{Pass{"p\xC3\xA4ss"}}));
  EXPECT_EQ(fails("PASS").kind, SyntaxErrorKind::missing_argument);
  EXPECT_EQ(fails("PASS ").kind, SyntaxErrorKind::missing_argument);
}

TEST(Pop3Parser, UserTrimsOuterSpaces) {
  EXPECT_EQ(ok("USER   alice@example.test  "), (Command{User{"alice@example.test"}}));
  EXPECT_EQ(ok("USER j\xC3\xB6rg"), (Command{User{"j\xC3\xB6rg"}}));
  EXPECT_EQ(fails("USER").kind, SyntaxErrorKind::missing_argument);
  EXPECT_EQ(fails("USER    ").kind, SyntaxErrorKind::missing_argument);
}

TEST(Pop3Parser, ToleratesRunsOfSpacesAndTrailingSpaces) {
  EXPECT_EQ(ok("TOP   2    7  "), (Command{Top{2, 7}}));
  EXPECT_EQ(ok("STAT "), (Command{Stat{}}));
}

TEST(Pop3Parser, UnknownCommands) {
  for (std::string_view line : {"", " ", "FOO", "APOP alice 0123", "RETRX 1", "STA", "\xC3\xA4", " STAT"}) {
    auto e = fails(line);
    EXPECT_EQ(e.kind, SyntaxErrorKind::unknown_command) << line;
    EXPECT_FALSE(e.verb.has_value());
  }
}

TEST(Pop3Parser, ArgumentCounts) {
  EXPECT_EQ(fails("STAT 1").kind, SyntaxErrorKind::unexpected_argument);
  EXPECT_EQ(fails("QUIT now").kind, SyntaxErrorKind::unexpected_argument);
  EXPECT_EQ(fails("RETR").kind, SyntaxErrorKind::missing_argument);
  EXPECT_EQ(fails("RETR 1 2").kind, SyntaxErrorKind::unexpected_argument);
  EXPECT_EQ(fails("TOP 1").kind, SyntaxErrorKind::missing_argument);
  EXPECT_EQ(fails("TOP 1 2 3").kind, SyntaxErrorKind::unexpected_argument);
  EXPECT_EQ(fails("LIST 1 2").kind, SyntaxErrorKind::unexpected_argument);
  EXPECT_EQ(fails("AUTH PLAIN x y").kind, SyntaxErrorKind::unexpected_argument);
  EXPECT_EQ(fails("DELE").verb, Verb::dele);
}

TEST(Pop3Parser, NumbersAreDigitsAndSaturate) {
  for (std::string_view line : {"RETR one", "RETR -1", "RETR +1", "RETR 1.0", "RETR 0x1", "TOP 1 -5", "LIST ?"}) {
    EXPECT_EQ(fails(line).kind, SyntaxErrorKind::bad_number) << line;
  }
  EXPECT_EQ(ok("RETR 0"), (Command{Retr{0}}));
  EXPECT_EQ(ok("RETR 18446744073709551615"), (Command{Retr{max64}}));
  EXPECT_EQ(ok("RETR 18446744073709551616"), (Command{Retr{max64}}));
  EXPECT_EQ(ok("DELE 999999999999999999999999999999999999999999999999"), (Command{Dele{max64}}));
  EXPECT_EQ(ok("TOP 1 99999999999999999999999"), (Command{Top{1, max64}}));
  EXPECT_EQ(ok("RETR 0007"), (Command{Retr{7}}));
}

TEST(Pop3Parser, ControlCharactersAndEightBit) {
  EXPECT_EQ(fails(std::string_view("NOOP\0", 5)).kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails(std::string_view("USER a\0b", 8)).kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails(std::string_view("PASS a\0b", 8)).kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails("STAT\t").kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails("PASS a\rb").kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails("PASS a\x7F").kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails("LIST \xC3\xA9").kind, SyntaxErrorKind::invalid_character);
  EXPECT_EQ(fails("AUTH PL\xC3\x84IN").kind, SyntaxErrorKind::invalid_character);
}

TEST(Pop3Parser, LineLimits) {
  // 255 octets with CRLF: 253 without.
  std::string at_limit = "NOOP" + std::string(249, ' ');
  EXPECT_EQ(ok(at_limit), (Command{Noop{}}));
  EXPECT_EQ(fails(at_limit + " ").kind, SyntaxErrorKind::line_too_long);
  std::string long_user = "USER " + std::string(1017, 'a');  // 1022 + CRLF = 1024
  EXPECT_EQ(ok(long_user), (Command{User{std::string(1017, 'a')}}));
  EXPECT_EQ(fails(long_user + "a").kind, SyntaxErrorKind::line_too_long);
  EXPECT_EQ(fails("RETR " + std::string(300, '1')).kind, SyntaxErrorKind::line_too_long);
  EXPECT_EQ(fails("RETR " + std::string(300, '1')).verb, Verb::retr);
}

TEST(Pop3Parser, VerbNamesRoundTrip) {
  for (std::size_t i = 0; i < verb_count; ++i) {
    auto v = static_cast<Verb>(i);
    EXPECT_EQ(verb_from_name(verb_name(v)), v);
  }
  EXPECT_FALSE(verb_from_name("APOP"));
}

}  // namespace
}  // namespace atrium::pop3
