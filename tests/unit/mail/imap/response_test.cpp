// Response encoders: string forms, mailbox names, flag lists, sequence sets, the code table,
// status lines and the replies to framing and parse errors. Strings are also read back through
// the parser, so what the server writes is what a client reads.
#include "mail/imap/response.hpp"

#include "mail/imap/parser.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::imap {
namespace {

using namespace std::string_literals;

std::string astring(std::string_view s, WireCharset cs = WireCharset::modified_utf7) {
  std::string out;
  append_astring(out, s, cs);
  return out;
}
std::string string(std::string_view s, WireCharset cs = WireCharset::modified_utf7) {
  std::string out;
  append_string(out, s, cs);
  return out;
}
std::string mailbox(std::string_view s, WireCharset cs) {
  std::string out;
  append_mailbox(out, s, cs);
  return out;
}

TEST(Strings, ChooseAtomQuotedOrLiteral) {
  EXPECT_EQ(astring("INBOX"), "INBOX");
  EXPECT_EQ(astring("a]b"), "a]b");
  EXPECT_EQ(astring(""), "\"\"");
  EXPECT_EQ(astring("Sent Items"), "\"Sent Items\"");
  EXPECT_EQ(astring("a%b"), "\"a%b\"");
  EXPECT_EQ(astring("NIL"), "\"NIL\"");
  EXPECT_EQ(astring("nil"), "\"nil\"");
  EXPECT_EQ(astring("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
  EXPECT_EQ(string("INBOX"), "\"INBOX\"");
  EXPECT_EQ(string("two\r\nlines"), "{10}\r\ntwo\r\nlines");
  EXPECT_EQ(string("lf\n"), "{3}\r\nlf\n");
  EXPECT_EQ(string("\xc3\xa4"), "{2}\r\n\xc3\xa4");
  EXPECT_EQ(string("\xc3\xa4", WireCharset::utf8), "\"\xc3\xa4\"");
  EXPECT_EQ(string("\xff", WireCharset::utf8), "{1}\r\n\xff");
  EXPECT_EQ(string("tab\tok"), "\"tab\tok\"");
  std::string out;
  append_nstring(out, std::nullopt, WireCharset::utf8);
  out += ' ';
  append_nstring(out, "x", WireCharset::utf8);
  EXPECT_EQ(out, "NIL \"x\"");
  out.clear();
  append_literal8(out, "a\0b"s);
  EXPECT_EQ(out, "~{3}\r\na\0b"s);
}

TEST(Strings, ReadBackThroughTheParser) {
  const std::string samples[] = {"alice", "", "with space", "q\"uote", "back\\slash", "NIL", "two\r\nlines", "]",
                                 "a{3}", "~{x}", "\xc3\xa4", "(paren)", "%*"};
  for (const WireCharset cs : {WireCharset::modified_utf7, WireCharset::utf8}) {
    for (const std::string& user : samples) {
      const std::string line = "t LOGIN " + astring(user, cs) + " " + astring("pw", cs);
      const ParseResult r = parse_command(line, ParserOptions{.charset = cs});
      ASSERT_TRUE(std::holds_alternative<Command>(r)) << line;
      EXPECT_EQ(std::get<Login>(std::get<Command>(r).body).user, user) << line;
    }
  }
}

TEST(Mailboxes, EncodedPerCharset) {
  EXPECT_EQ(mailbox("INBOX", WireCharset::modified_utf7), "INBOX");
  EXPECT_EQ(mailbox("Ärger", WireCharset::modified_utf7), "&AMQ-rger");
  EXPECT_EQ(mailbox("Ärger", WireCharset::utf8), "\"Ärger\"");
  EXPECT_EQ(mailbox("a&b", WireCharset::modified_utf7), "a&-b");
  EXPECT_EQ(mailbox("a&b", WireCharset::utf8), "a&b");
  EXPECT_EQ(mailbox("Sent Items", WireCharset::modified_utf7), "\"Sent Items\"");
  EXPECT_EQ(mailbox("Entwürfe/Über", WireCharset::modified_utf7), "Entw&APw-rfe/&ANw-ber");
  // And back: SELECT of what LIST wrote names the same mailbox.
  for (const WireCharset cs : {WireCharset::modified_utf7, WireCharset::utf8}) {
    for (const std::string name : {"Ärger", "a&b", "Sent Items", "日本語/x", "INBOX"}) {
      const ParseResult r = parse_command("t SELECT " + mailbox(name, cs), ParserOptions{.charset = cs});
      ASSERT_TRUE(std::holds_alternative<Command>(r)) << name;
      EXPECT_EQ(std::get<Select>(std::get<Command>(r).body).mailbox, name);
    }
  }
}

TEST(FlagsAndSets, Format) {
  std::string out;
  append_flag_list(out, std::vector<std::string>{"\\Seen", "\\Answered", "$Forwarded"});
  EXPECT_EQ(out, "(\\Seen \\Answered $Forwarded)");
  out.clear();
  append_flag_list(out, std::vector<std::string>{});
  EXPECT_EQ(out, "()");
  EXPECT_EQ(format_sequence_set(std::vector<std::uint32_t>{1, 2, 3, 4, 5, 7, 9, 10, 11, 12}), "1:5,7,9:12");
  EXPECT_EQ(format_sequence_set(std::vector<std::uint32_t>{42}), "42");
  EXPECT_EQ(format_sequence_set(std::vector<std::uint32_t>{}), "");
  EXPECT_EQ(format_sequence_set(std::vector<std::uint32_t>{3, 3, 4, 4, 6}), "3:4,6");
  EXPECT_EQ(format_sequence_set(std::vector<std::uint32_t>{4294967294u, 4294967295u}), "4294967294:4294967295");
  out.clear();
  append_sequence_set(out, std::vector<SequenceRange>{{1, 3}, {5, 5}, {8, 9}});
  EXPECT_EQ(out, "1:3,5,8:9");
}

std::string code(const CodeText& c) {
  std::string out;
  append_code(out, c);
  return out;
}

TEST(ResponseCodes, TableIsCompleteAndConsistent) {
  for (int i = 0; i <= static_cast<int>(ResponseCode::use_attr); ++i) {
    const ResponseCodeSpec& s = response_code_spec(static_cast<ResponseCode>(i));
    EXPECT_EQ(static_cast<int>(s.code), i);
    EXPECT_FALSE(s.name.empty());
    for (char c : s.name) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '-') << s.name;
    if (s.argument != CodeArgument::required) {
      EXPECT_EQ(code(CodeText{s.code}), fmt::format("[{}]", s.name));
    }
  }
}

TEST(ResponseCodes, WithArguments) {
  EXPECT_EQ(code(CodeText{ResponseCode::try_create}), "[TRYCREATE]");
  EXPECT_EQ(code(CodeText{ResponseCode::too_big}), "[TOOBIG]");
  EXPECT_EQ(code(CodeText{ResponseCode::unknown_cte}), "[UNKNOWN-CTE]");
  EXPECT_EQ(code(CodeText{ResponseCode::read_write}), "[READ-WRITE]");
  EXPECT_EQ(code(code_uid_validity(3857529045u)), "[UIDVALIDITY 3857529045]");
  EXPECT_EQ(code(code_uid_next(4392)), "[UIDNEXT 4392]");
  EXPECT_EQ(code(code_unseen(12)), "[UNSEEN 12]");
  EXPECT_EQ(code(code_highest_modseq(715194045007u)), "[HIGHESTMODSEQ 715194045007]");
  EXPECT_EQ(code(code_append_uid(38505, std::vector<std::uint32_t>{3955})), "[APPENDUID 38505 3955]");
  EXPECT_EQ(code(code_append_uid(38505, std::vector<std::uint32_t>{3955, 3956, 3957})), "[APPENDUID 38505 3955:3957]");
  EXPECT_EQ(code(code_copy_uid(38505, std::vector<std::uint32_t>{304, 319, 320}, std::vector<std::uint32_t>{3956, 3957, 3958})),
            "[COPYUID 38505 304,319:320 3956:3958]");
  EXPECT_EQ(code(code_modified(std::vector<std::uint32_t>{7, 9})), "[MODIFIED 7,9]");
  EXPECT_EQ(code(code_permanent_flags(std::vector<std::string>{"\\Deleted", "\\Seen"}, KeywordCreation::allowed)),
            "[PERMANENTFLAGS (\\Deleted \\Seen \\*)]");
  EXPECT_EQ(code(code_permanent_flags(std::vector<std::string>{}, KeywordCreation::fixed)), "[PERMANENTFLAGS ()]");
  EXPECT_EQ(code(code_mailbox_id("F2212ea87-6097-4256-9d51-71338625")), "[MAILBOXID (F2212ea87-6097-4256-9d51-71338625)]");
  EXPECT_EQ(code(code_bad_charset(std::vector<std::string_view>{"US-ASCII", "UTF-8"})), "[BADCHARSET (US-ASCII UTF-8)]");
  EXPECT_EQ(code(code_bad_charset(std::vector<std::string_view>{})), "[BADCHARSET]");
  EXPECT_EQ(code(code_capability("IMAP4rev2 IDLE")), "[CAPABILITY IMAP4rev2 IDLE]");
}

TEST(StatusLines, Format) {
  std::string out;
  append_status(out, "a1", Condition::ok, CodeText{ResponseCode::read_write}, "SELECT completed");
  append_status(out, "", Condition::ok, code_uid_validity(1), "UIDs valid");
  append_status(out, "a2", Condition::no, CodeText{ResponseCode::try_create}, "No such mailbox");
  append_status(out, "", Condition::bye, std::nullopt, "Logging out");
  append_status(out, "a3", Condition::bad, std::nullopt, "evil\r\n* OK injected");
  append_continuation(out, "");
  append_continuation(out, "Ready for literal data");
  EXPECT_EQ(out,
            "a1 OK [READ-WRITE] SELECT completed\r\n"
            "* OK [UIDVALIDITY 1] UIDs valid\r\n"
            "a2 NO [TRYCREATE] No such mailbox\r\n"
            "* BYE Logging out\r\n"
            "a3 BAD evil  * OK injected\r\n"
            "+ \r\n"
            "+ Ready for literal data\r\n");
}

TEST(ErrorReplies, FramingAndParsing) {
  std::string out;
  append_frame_error(out, "a1", FrameError::line_too_long);
  append_frame_error(out, "a2", FrameError::literal_too_big);
  append_frame_error(out, "a3", FrameError::command_too_big);
  append_frame_error(out, "a4", FrameError::non_sync_literal_too_big);
  append_frame_error(out, "", FrameError::line_too_long);
  append_frame_error(out, "a5", FrameError::unframeable);
  EXPECT_EQ(out,
            "a1 BAD Command line too long\r\n"
            "a2 NO [TOOBIG] Literal too big\r\n"
            "a3 NO [TOOBIG] Command too big\r\n"
            "a4 BAD Non-synchronizing literal over 4096 octets\r\n"
            "* BAD Command line too long\r\n"
            "* BYE Literal size out of range\r\n");
  out.clear();
  append_parse_error(out, std::get<ParseError>(parse_command("x9 FROB")));
  append_parse_error(out, std::get<ParseError>(parse_command("")));
  EXPECT_EQ(out, "x9 BAD Unknown command\r\n* BAD Missing or invalid tag\r\n");
}

}  // namespace
}  // namespace atrium::imap
