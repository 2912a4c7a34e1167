// Table tests for the SMTP command parser: every command, every ESMTP parameter, good and bad.
#include "mail/smtp/parser.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace atrium::smtp {
namespace {

using namespace std::string_literals;

Path addr(std::string local, std::string domain) { return Path::from_parts(std::move(local), std::move(domain)); }

MailParams mail_params(auto&&... setters) {
  MailParams p;
  (setters(p), ...);
  return p;
}

struct Good {
  std::string line;
  Command expected;
};

class ParseGood : public ::testing::TestWithParam<Good> {};

TEST_P(ParseGood, ParsesToTheExpectedCommand) {
  const Good& g = GetParam();
  ParseResult r = parse_command(g.line);
  ASSERT_TRUE(std::holds_alternative<Command>(r))
      << g.line << " -> error kind " << static_cast<int>(std::get<SyntaxError>(r).kind);
  EXPECT_EQ(std::get<Command>(r), g.expected) << g.line;
}

MailParams size(std::uint64_t n) {
  MailParams p;
  p.size = n;
  return p;
}

RcptParams notify(bool never, std::uint8_t bits) {
  RcptParams p;
  p.notify = DsnNotify{never, bits};
  return p;
}

const Good good_lines[] = {
    {"EHLO client.example.org", Ehlo{"client.example.org"}},
    {"ehlo Client.Example.ORG", Ehlo{"Client.Example.ORG"}},
    {"EHLO [192.0.2.1]", Ehlo{"[192.0.2.1]"}},
    {"EHLO [IPv6:2001:db8::1]", Ehlo{"[IPv6:2001:db8::1]"}},
    {"EHLO my_pc", Ehlo{"my_pc"}},                  // lenient: underscores are common
    {"EHLO host.example.", Ehlo{"host.example."}},  // lenient: trailing dot
    {"EHLO 192.0.2.1", Ehlo{"192.0.2.1"}},          // lenient: bare IPv4
    {"EHLO x  ", Ehlo{"x"}},                        // trailing spaces tolerated
    {"HELO relay.example", Helo{"relay.example"}},
    {"LHLO mta.example", Lhlo{"mta.example"}},
    {"MAIL FROM:<>", Mail{Path::null(), {}}},
    {"mail from:<>", Mail{Path::null(), {}}},
    {"MAIL FROM: <a@b.example>", Mail{addr("a", "b.example"), {}}},  // space after colon tolerated
    {"MAIL FROM:<A.B@Mixed.Example>", Mail{addr("A.B", "mixed.example"), {}}},
    {"MAIL FROM:<a@b.example> SIZE=1000", Mail{addr("a", "b.example"), size(1000)}},
    {"MAIL FROM:<a@b.example> SIZE=99999999999999999999",
     Mail{addr("a", "b.example"), size(std::numeric_limits<std::uint64_t>::max())}},
    {"MAIL FROM:<a@b.example> BODY=8BITMIME",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.body = BodyType::eight_bit_mime; })}},
    {"MAIL FROM:<a@b.example> body=7bit",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.body = BodyType::seven_bit; })}},
    {"MAIL FROM:<a@b.example> BODY=BINARYMIME",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.body = BodyType::binary_mime; })}},
    {"MAIL FROM:<a@b.example> SMTPUTF8",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.smtputf8 = true; })}},
    {"MAIL FROM:<a@b.example> RET=FULL",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.ret = DsnRet::full; })}},
    {"MAIL FROM:<a@b.example> RET=hdrs",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.ret = DsnRet::headers; })}},
    {"MAIL FROM:<a@b.example> ENVID=QQ314159+2Bx",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.envid = "QQ314159+x"; })}},
    {"MAIL FROM:<a@b.example> AUTH=<>",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.auth = "<>"; })}},
    {"MAIL FROM:<a@b.example> AUTH=alice+40b.example",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) { p.auth = "alice@b.example"; })}},
    {"MAIL FROM:<a@b.example>  SIZE=5   BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=x",
     Mail{addr("a", "b.example"), mail_params([](MailParams& p) {
            p.size = 5;
            p.body = BodyType::eight_bit_mime;
            p.smtputf8 = true;
            p.ret = DsnRet::headers;
            p.envid = "x";
          })}},
    {"RCPT TO:<Postmaster>", Rcpt{Path::postmaster(), {}}},
    {"RCPT TO:<POSTMASTER>", Rcpt{Path::postmaster(), {}}},
    {"RCPT TO:<postmaster@local.test>", Rcpt{addr("postmaster", "local.test"), {}}},
    {"RCPT TO:<b@c.example> NOTIFY=NEVER", Rcpt{addr("b", "c.example"), notify(true, 0)}},
    {"RCPT TO:<b@c.example> NOTIFY=SUCCESS,FAILURE",
     Rcpt{addr("b", "c.example"), notify(false, DsnNotify::success | DsnNotify::failure)}},
    {"RCPT TO:<b@c.example> notify=delay", Rcpt{addr("b", "c.example"), notify(false, DsnNotify::delay)}},
    {"RCPT TO:<b@c.example> ORCPT=rfc822;b+40c.example",
     Rcpt{addr("b", "c.example"), RcptParams{.orcpt = DsnOrcpt{"rfc822", "b@c.example"}}}},
    {"RCPT TO:<a@[192.0.2.1]>", Rcpt{addr("a", "[192.0.2.1]"), {}}},
    {"RCPT TO:<a@[IPv6:::1]>", Rcpt{addr("a", "[IPv6:::1]"), {}}},
    {"DATA", Data{}},
    {"data", Data{}},
    {"BDAT 100", Bdat{100, false}},
    {"BDAT 0 LAST", Bdat{0, true}},
    {"bdat 5 last", Bdat{5, true}},
    {"BDAT 18446744073709551615", Bdat{std::numeric_limits<std::uint64_t>::max(), false}},
    {"RSET", Rset{}},
    {"NOOP", Noop{}},
    {"NOOP anything at all", Noop{}},
    {"QUIT", Quit{}},
    {"VRFY alice", Vrfy{"alice"}},
    {"VRFY Alice Smith <alice@local.test>", Vrfy{"Alice Smith <alice@local.test>"}},
    {"HELP", Help{}},
    {"HELP MAIL", Help{}},
    {"STARTTLS", Starttls{}},
    {"starttls", Starttls{}},
    {"AUTH PLAIN", Auth{"PLAIN", std::nullopt}},
    {"AUTH plain AGFsaWNlAHNlY3JldA==", Auth{"plain", "AGFsaWNlAHNlY3JldA=="}},
    {"AUTH LOGIN =", Auth{"LOGIN", "="}},
};

INSTANTIATE_TEST_SUITE_P(Smtp, ParseGood, ::testing::ValuesIn(good_lines));

struct Bad {
  std::string line;
  SyntaxErrorKind kind;
  std::optional<Verb> verb;
};

class ParseBad : public ::testing::TestWithParam<Bad> {};

TEST_P(ParseBad, ReturnsTheExpectedError) {
  const Bad& b = GetParam();
  ParseResult r = parse_command(b.line);
  ASSERT_TRUE(std::holds_alternative<SyntaxError>(r)) << b.line;
  EXPECT_EQ(std::get<SyntaxError>(r).kind, b.kind) << b.line;
  EXPECT_EQ(std::get<SyntaxError>(r).verb, b.verb) << b.line;
}

using enum SyntaxErrorKind;
constexpr auto mail_v = Verb::mail;
constexpr auto rcpt_v = Verb::rcpt;

const Bad bad_lines[] = {
    {"", unknown_command, std::nullopt},
    {"   ", unknown_command, std::nullopt},
    {"FOO", unknown_command, std::nullopt},
    {"EXPN staff", unknown_command, std::nullopt},
    {"MAILFROM:<>", unknown_command, std::nullopt},
    {"NOOP\0"s, invalid_character, std::nullopt},  // the verb is the whole word
    {"NOOP\tx", invalid_character, std::nullopt},
    {"NOOP \x01", invalid_character, Verb::noop},
    {"MAIL FROM:<a@b.example>\r", invalid_character, mail_v},
    {"QUIT\x7f", invalid_character, std::nullopt},
    {"RCPT TO:<\xff@b.example>", invalid_character, rcpt_v},
    {"NOOP " + std::string(510, 'x'), line_too_long, Verb::noop},
    {"MAIL FROM:<a@b.example> ENVID=" + std::string(4100, 'x'), line_too_long, mail_v},
    {"AUTH PLAIN " + std::string(12300, 'A'), line_too_long, Verb::auth},
    {"EHLO", missing_argument, Verb::ehlo},
    {"EHLO a b", bad_domain, Verb::ehlo},
    {"EHLO a..b", bad_domain, Verb::ehlo},
    {"EHLO [300.1.1.1]", bad_domain, Verb::ehlo},
    {"EHLO host<x>", bad_domain, Verb::ehlo},
    {"HELO", missing_argument, Verb::helo},
    {"LHLO", missing_argument, Verb::lhlo},
    {"MAIL", missing_argument, mail_v},
    {"MAIL FROM:", missing_argument, mail_v},
    {"MAIL TO:<a@b.example>", bad_path, mail_v},
    {"MAIL FROM:a@b.example", bad_path, mail_v},
    {"MAIL FROM:<a@b.example", bad_path, mail_v},
    {"MAIL FROM:<a@b.example>x", bad_path, mail_v},
    {"MAIL FROM:<a..b@c.example>", bad_path, mail_v},
    {"MAIL FROM:<.a@c.example>", bad_path, mail_v},
    {"MAIL FROM:<a.@c.example>", bad_path, mail_v},
    {"MAIL FROM:<a b@c.example>", bad_path, mail_v},
    {"MAIL FROM:<a@-c.example>", bad_path, mail_v},
    {"MAIL FROM:<a@c_d.example>", bad_path, mail_v},
    {"MAIL FROM:<a@c..example>", bad_path, mail_v},
    {"MAIL FROM:<a@c.example.>", bad_path, mail_v},
    {"MAIL FROM:<a@>", bad_path, mail_v},
    {"MAIL FROM:<@b.example>", bad_path, mail_v},
    {"MAIL FROM:<a@b@c.example>", bad_path, mail_v},
    {"MAIL FROM:<\"unterminated@b.example>", bad_path, mail_v},
    {"MAIL FROM:<a@[1.2.3]>", bad_path, mail_v},
    {"MAIL FROM:<a@[IPv6:zz::1]>", bad_path, mail_v},
    {"MAIL FROM:<Postmaster>", bad_path, mail_v},
    {"RCPT TO:<>", bad_path, rcpt_v},
    {"RCPT", missing_argument, rcpt_v},
    {"RCPT TO:<@a.example:>", bad_path, rcpt_v},
    {"RCPT TO:<@a.example,b.example:u@c.example>", bad_path, rcpt_v},
    {"RCPT TO:<" + std::string(65, 'a') + "@b.example>", path_too_long, rcpt_v},
    {"RCPT TO:<a@" + std::string(60, 'b') + "." + std::string(60, 'b') + "." + std::string(60, 'b') + "." +
         std::string(60, 'b') + "." + std::string(20, 'b') + ">",
     path_too_long, rcpt_v},
    {"MAIL FROM:<a@b.example> FOO=1", unknown_parameter, mail_v},
    {"MAIL FROM:<a@b.example> NOTIFY=NEVER", unknown_parameter, mail_v},
    {"MAIL FROM:<a@b.example> -X=1", unknown_parameter, mail_v},
    {"RCPT TO:<a@b.example> SIZE=1", unknown_parameter, rcpt_v},
    {"RCPT TO:<a@b.example> RET=FULL", unknown_parameter, rcpt_v},
    {"MAIL FROM:<a@b.example> SIZE=abc", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SIZE=", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SIZE", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SIZE=-1", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SIZE=123456789012345678901", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SIZE=1=2", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SIZE=1 SIZE=2", duplicate_parameter, mail_v},
    {"MAIL FROM:<a@b.example> BODY=9BIT", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> BODY", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> BODY=7BIT BODY=8BITMIME", duplicate_parameter, mail_v},
    {"MAIL FROM:<a@b.example> SMTPUTF8=yes", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> SMTPUTF8 SMTPUTF8", duplicate_parameter, mail_v},
    {"MAIL FROM:<a@b.example> RET=ALL", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> RET=FULL RET=HDRS", duplicate_parameter, mail_v},
    {"MAIL FROM:<a@b.example> ENVID=a+zz", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> ENVID=a+2", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> ENVID=a+2b", bad_parameter_value, mail_v},  // hex must be upper case
    {"MAIL FROM:<a@b.example> ENVID=+0A", bad_parameter_value, mail_v},   // decodes to a control
    {"MAIL FROM:<a@b.example> ENVID=" + std::string(101, 'x'), bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> ENVID=x ENVID=y", duplicate_parameter, mail_v},
    {"MAIL FROM:<a@b.example> AUTH", bad_parameter_value, mail_v},
    {"MAIL FROM:<a@b.example> AUTH=+00", bad_parameter_value, mail_v},
    {"RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> NOTIFY=", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> NOTIFY=SUCCESS,", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> NOTIFY=SOMETIMES", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> NOTIFY=FAILURE NOTIFY=DELAY", duplicate_parameter, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=rfc822", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=;a@b.example", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=rfc822;", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=rfc(822);a", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=rfc822;a+0Db", bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=rfc822;" + std::string(500, 'x'), bad_parameter_value, rcpt_v},
    {"RCPT TO:<a@b.example> ORCPT=rfc822;a ORCPT=rfc822;b", duplicate_parameter, rcpt_v},
    {"DATA x", unexpected_argument, Verb::data},
    {"RSET now", unexpected_argument, Verb::rset},
    {"QUIT please", unexpected_argument, Verb::quit},
    {"STARTTLS x", unexpected_argument, Verb::starttls},
    {"VRFY", missing_argument, Verb::vrfy},
    {"BDAT", bad_chunk_size, Verb::bdat},
    {"BDAT x", bad_chunk_size, Verb::bdat},
    {"BDAT -1", bad_chunk_size, Verb::bdat},
    {"BDAT 10 FIRST", bad_chunk_size, Verb::bdat},
    {"BDAT 1 LAST x", bad_chunk_size, Verb::bdat},
    {"BDAT 18446744073709551616", bad_chunk_size, Verb::bdat},
    {"BDAT 123456789012345678901", bad_chunk_size, Verb::bdat},
    {"AUTH", missing_argument, Verb::auth},
    {"AUTH PLAIN a b", unexpected_argument, Verb::auth},
};

INSTANTIATE_TEST_SUITE_P(Smtp, ParseBad, ::testing::ValuesIn(bad_lines));

TEST(Parser, Utf8AddressesAreFlaggedNotRefused) {
  ParseResult r = parse_command("RCPT TO:<用户@例子.测试>");
  ASSERT_TRUE(std::holds_alternative<Command>(r));
  const Rcpt& rcpt = std::get<Rcpt>(std::get<Command>(r));
  EXPECT_TRUE(rcpt.forward_path.has_utf8());
  EXPECT_EQ(rcpt.forward_path.mailbox(), "用户@例子.测试");
  r = parse_command("MAIL FROM:<ascii@example.org> SMTPUTF8");
  EXPECT_FALSE(std::get<Mail>(std::get<Command>(r)).reverse_path.has_utf8());
}

TEST(Parser, LineLimitsAreInclusiveOfCrlf) {
  // 512 octets with CRLF is the most a plain command may have.
  EXPECT_TRUE(std::holds_alternative<Command>(parse_command("NOOP " + std::string(505, 'x'))));
  EXPECT_FALSE(std::holds_alternative<Command>(parse_command("NOOP " + std::string(506, 'x'))));
  std::string rcpt = "RCPT TO:<a@b.example> ORCPT=rfc822;" + std::string(400, 'x');
  EXPECT_TRUE(std::holds_alternative<Command>(parse_command(rcpt)));
}

TEST(Xtext, DecodesAndEncodes) {
  EXPECT_EQ(decode_xtext("abc"), "abc");
  EXPECT_EQ(decode_xtext("a+2Bb+3Dc"), "a+b=c");
  EXPECT_EQ(decode_xtext(""), "");
  EXPECT_FALSE(decode_xtext("a=b"));
  EXPECT_FALSE(decode_xtext("a b"));
  EXPECT_FALSE(decode_xtext("+"));
  EXPECT_FALSE(decode_xtext("+4"));
  EXPECT_FALSE(decode_xtext("+4g"));
  EXPECT_FALSE(decode_xtext("\xff"));
  for (std::string raw : {"plain"s, "a+b=c d"s, "\x01\x7f+"s, "ünï"s}) {
    std::string encoded = encode_xtext(raw);
    EXPECT_EQ(decode_xtext(encoded), raw) << encoded;
  }
}

TEST(Verbs, NamesRoundTrip) {
  for (std::size_t i = 0; i < verb_count; ++i) {
    auto v = static_cast<Verb>(i);
    EXPECT_EQ(verb_from_name(verb_name(v)), v);
  }
  EXPECT_EQ(verb_from_name("starttls"), Verb::starttls);
  EXPECT_FALSE(verb_from_name("EXPN"));
}

}  // namespace
}  // namespace atrium::smtp
