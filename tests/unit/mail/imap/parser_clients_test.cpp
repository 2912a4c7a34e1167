// Table test: command lines real clients send (Thunderbird, Apple Mail and iOS Mail, Outlook,
// mutt/neomutt, mbsync, imapflow, K-9 Mail), each with the structure it must parse to.
#include "mail/imap/parser.hpp"
#include "tests/unit/mail/imap/builders.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::imap {
namespace {

using namespace std::string_literals;
using namespace testing;

struct Good {
  std::string client;
  std::string line;  // as framed: literals embedded, no final CRLF
  Command expected;
  WireCharset charset = WireCharset::modified_utf7;
};

void PrintTo(const Good& g, std::ostream* os) { *os << g.client << ": " << g.line; }

class ClientLines : public ::testing::TestWithParam<Good> {};

TEST_P(ClientLines, ParseToTheExpectedCommand) {
  const Good& g = GetParam();
  const ParseResult r = parse_command(g.line, ParserOptions{.charset = g.charset});
  ASSERT_TRUE(std::holds_alternative<Command>(r)) << g.line << " -> " << describe(r);
  EXPECT_TRUE(std::get<Command>(r) == g.expected) << g.line;
}

const std::vector<std::string> thunderbird_fields = {
    "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "Priority", "X-Priority", "References",
    "Newsgroups", "In-Reply-To", "Content-Type", "Reply-To"};
const std::vector<std::string> mutt_fields = {
    "DATE", "FROM", "SENDER", "SUBJECT", "TO", "CC", "MESSAGE-ID", "REFERENCES", "CONTENT-TYPE",
    "CONTENT-DESCRIPTION", "IN-REPLY-TO", "REPLY-TO", "LINES", "LIST-POST", "X-LABEL", "X-ORIGINAL-TO"};
const std::vector<std::string> k9_fields = {"date", "subject", "from", "content-type", "to", "cc",
                                            "reply-to", "message-id", "references", "in-reply-to",
                                            "X-K9mail-Identity", "Chat-Version"};

Store store(bool uid, SequenceSet s, StoreAction action, bool silent, std::vector<Flag> flags) {
  Store st;
  st.uid = uid;
  st.set = std::move(s);
  st.action = action;
  st.silent = silent;
  st.flags = std::move(flags);
  return st;
}

Fetch fetch(bool uid, SequenceSet s, std::vector<FetchAttribute> attrs) {
  Fetch f;
  f.uid = uid;
  f.set = std::move(s);
  f.attrs = std::move(attrs);
  return f;
}

Fetch changed_since(Fetch f, std::uint64_t modseq, bool vanished = false) {
  f.changed_since = modseq;
  f.vanished = vanished;
  return f;
}

Search search(bool uid, SearchKey k, std::optional<std::string> charset = std::nullopt) {
  Search s;
  s.uid = uid;
  s.key = std::move(k);
  s.charset = std::move(charset);
  return s;
}

List list(std::string reference, std::vector<std::string> patterns) {
  List l;
  l.reference = std::move(reference);
  l.patterns = std::move(patterns);
  return l;
}

Status status(std::string mailbox, std::vector<StatusItem> items) { return Status{std::move(mailbox), std::move(items)}; }

Append append(std::string mailbox, std::vector<Flag> flags, std::optional<DateTime> date, std::string_view content,
              AppendData data = AppendData::literal) {
  return Append{std::move(mailbox), {AppendMessage{std::move(flags), date, data, content}}};
}

DateTime date_time(int y, int mo, int d, int h, int mi, int s, int zone) {
  return DateTime{Date{static_cast<std::uint16_t>(y), static_cast<std::uint8_t>(mo), static_cast<std::uint8_t>(d)},
                  static_cast<std::uint8_t>(h), static_cast<std::uint8_t>(mi), static_cast<std::uint8_t>(s),
                  static_cast<std::int16_t>(zone)};
}

Id id(std::vector<std::pair<std::string, std::string>> pairs) {
  std::vector<Id::Field> fields;
  for (auto& [k, v] : pairs) fields.emplace_back(k, v);
  return Id{std::move(fields)};
}

const Good client_lines[] = {
    // ---- Thunderbird ----
    {"thunderbird", "1 capability", cmd("1", Capability{})},
    {"thunderbird", "2 authenticate PLAIN AGFsaWNlAHNlY3JldA==", cmd("2", Authenticate{"PLAIN", "AGFsaWNlAHNlY3JldA=="})},
    {"thunderbird", "3 login \"alice@example.org\" \"p@ss w\\\"rd\"", cmd("3", Login{"alice@example.org", "p@ss w\"rd"})},
    {"thunderbird", "4 ID (\"name\" \"Thunderbird\" \"version\" \"115.5.0\")",
     cmd("4", id({{"name", "Thunderbird"}, {"version", "115.5.0"}}))},
    {"thunderbird", "5 select \"INBOX\" (CONDSTORE)", cmd("5", Select{"INBOX", SelectParams{.condstore = true}})},
    {"thunderbird", "6 getquotaroot \"INBOX\"", cmd("6", GetQuotaRoot{"INBOX"})},
    {"thunderbird", "7 UID fetch 1:* (FLAGS)", cmd("7", fetch(true, set({{1, star}}), {att(FetchItem::flags)}))},
    {"thunderbird",
     "8 UID fetch 17 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID "
     "Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])",
     cmd("8", fetch(true, one(17),
                    {att(FetchItem::uid), att(FetchItem::rfc822_size), att(FetchItem::flags),
                     body(header_fields(thunderbird_fields), true)}))},
    {"thunderbird", "9 UID fetch 1:* (FLAGS) (CHANGEDSINCE 1234)",
     cmd("9", changed_since(fetch(true, set({{1, star}}), {att(FetchItem::flags)}), 1234))},
    {"thunderbird", "10 uid store 42 +Flags (\\Seen)", cmd("10", store(true, one(42), StoreAction::add, false, {"\\Seen"}))},
    {"thunderbird", "11 UID MOVE 42 \"Trash\"", cmd("11", Move{true, one(42), "Trash"})},
    {"thunderbird", "12 IDLE", cmd("12", Idle{})},
    {"thunderbird", "13 Noop", cmd("13", Noop{})},
    {"thunderbird", "14 lsub \"\" \"*\"", cmd("14", Lsub{"", "*"})},
    {"thunderbird", "15 list (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE)",
     cmd("15", [] {
       List l = list("", {"*"});
       l.selection.subscribed = true;
       l.returns.special_use = true;
       l.extended = true;
       return l;
     }())},
    {"thunderbird", "16 STATUS \"Sent\" (UIDNEXT MESSAGES UNSEEN RECENT)",
     cmd("16", status("Sent", {StatusItem::uid_next, StatusItem::messages, StatusItem::unseen, StatusItem::recent}))},
    {"thunderbird", "17 UID fetch 42 (UID RFC822.SIZE FLAGS BODY.PEEK[])",
     cmd("17", fetch(true, one(42),
                     {att(FetchItem::uid), att(FetchItem::rfc822_size), att(FetchItem::flags), body(whole(), true)}))},
    {"thunderbird", "18 UID fetch 42 (UID RFC822.SIZE BODY.PEEK[]<0.10240>)",
     cmd("18", fetch(true, one(42), {att(FetchItem::uid), att(FetchItem::rfc822_size), body(whole(), true, Partial{0, 10240})}))},
    {"thunderbird", "19 UID fetch 42 (BODY.PEEK[1.MIME] BODY.PEEK[1])",
     cmd("19", fetch(true, one(42), {body(part({1}, SectionText::mime), true), body(part({1}), true)}))},
    {"thunderbird", "20 myrights \"INBOX\"", cmd("20", MyRights{"INBOX"})},
    {"thunderbird", "21 getacl \"Shared/Team\"", cmd("21", GetAcl{"Shared/Team"})},
    {"thunderbird", "22 append \"Sent\" (\\Seen) {5}\r\nhello", cmd("22", append("Sent", {"\\Seen"}, std::nullopt, "hello"))},
    {"thunderbird", "23 expunge", cmd("23", Expunge{})},
    {"thunderbird", "24 UID EXPUNGE 40:42", cmd("24", Expunge{set({{40, 42}})})},
    {"thunderbird", "25 namespace", cmd("25", Namespace{})},
    {"thunderbird", "26 logout", cmd("26", Logout{})},
    {"thunderbird", "27 uid copy 7,9 \"Archives/2024\"", cmd("27", Copy{true, set({{7, 7}, {9, 9}}), "Archives/2024"})},
    {"thunderbird", "28 uid store 42 -Flags (\\Deleted)", cmd("28", store(true, one(42), StoreAction::remove, false, {"\\Deleted"}))},
    {"thunderbird", "29 create \"Archives/2024\"", cmd("29", Create{"Archives/2024", {}})},
    {"thunderbird", "30 subscribe \"Archives/2024\"", cmd("30", Subscribe{"Archives/2024"})},

    // ---- Apple Mail (macOS) and iOS Mail: dotted tags ----
    {"apple", "1.1 ID (\"name\" \"Mac OS X Mail\" \"version\" \"16.0 (3731.500.231)\" \"os\" \"Mac OS X\" "
              "\"os-version\" \"13.5 (22G74)\" \"vendor\" \"Apple Inc.\")",
     cmd("1.1", id({{"name", "Mac OS X Mail"}, {"version", "16.0 (3731.500.231)"}, {"os", "Mac OS X"},
                    {"os-version", "13.5 (22G74)"}, {"vendor", "Apple Inc."}}))},
    {"apple", "2.1 CAPABILITY", cmd("2.1", Capability{})},
    {"apple", "3.1 ENABLE QRESYNC", cmd("3.1", Enable{{"QRESYNC"}})},
    {"apple", "4.2 SELECT INBOX (QRESYNC (1698245011 4545 1:300))",
     cmd("4.2", Select{"INBOX", SelectParams{.qresync = QresyncParams{1698245011, 4545, set({{1, 300}}), {}, {}}}})},
    {"apple", "5.2 UID FETCH 300:* (FLAGS UID MODSEQ) (CHANGEDSINCE 4545 VANISHED)",
     cmd("5.2", changed_since(fetch(true, set({{300, star}}), {att(FetchItem::flags), att(FetchItem::uid), att(FetchItem::modseq)}),
                              4545, true))},
    {"apple", "6.2 UID FETCH 120 (BODY.PEEK[HEADER] BODY.PEEK[TEXT]<0.2048>)",
     cmd("6.2", fetch(true, one(120), {body(whole(SectionText::header), true), body(whole(SectionText::text), true, Partial{0, 2048})}))},
    {"apple", "7.2 UID FETCH 120 (INTERNALDATE UID RFC822.SIZE FLAGS MODSEQ BODY.PEEK[HEADER.FIELDS (references)])",
     cmd("7.2", fetch(true, one(120),
                      {att(FetchItem::internal_date), att(FetchItem::uid), att(FetchItem::rfc822_size), att(FetchItem::flags),
                       att(FetchItem::modseq), body(header_fields({"references"}), true)}))},
    {"apple", "8.3 IDLE", cmd("8.3", Idle{})},
    {"apple", "9.4 STATUS Drafts (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)",
     cmd("9.4", status("Drafts", {StatusItem::messages, StatusItem::uid_next, StatusItem::uid_validity, StatusItem::unseen,
                                  StatusItem::highest_modseq}))},
    {"apple", "10.2 UID STORE 120 +FLAGS.SILENT (\\Deleted \\Seen)",
     cmd("10.2", store(true, one(120), StoreAction::add, true, {"\\Deleted", "\\Seen"}))},
    {"apple", "11.2 UID COPY 120 \"Deleted Messages\"", cmd("11.2", Copy{true, one(120), "Deleted Messages"})},
    {"apple", "12.2 APPEND \"Sent Messages\" (\\Seen) \"05-Jan-2024 10:11:12 +0100\" {5+}\r\nhello",
     cmd("12.2", append("Sent Messages", {"\\Seen"}, date_time(2024, 1, 5, 10, 11, 12, 60), "hello"))},
    {"apple", "13.2 UID FETCH 120 BODYSTRUCTURE", cmd("13.2", fetch(true, one(120), {att(FetchItem::body_structure)}))},
    {"apple", "14.2 UID FETCH 120 (BODY.PEEK[2]<0.5120>)", cmd("14.2", fetch(true, one(120), {body(part({2}), true, Partial{0, 5120})}))},
    {"ios", "1 ID (\"name\" \"iPhone Mail\" \"version\" \"21F90\" \"os\" \"iOS\" \"os-version\" \"17.5.1 (21F90)\")",
     cmd("1", id({{"name", "iPhone Mail"}, {"version", "21F90"}, {"os", "iOS"}, {"os-version", "17.5.1 (21F90)"}}))},
    {"ios", "2 LIST \"\" \"*\" RETURN (SPECIAL-USE)",
     cmd("2", [] {
       List l = list("", {"*"});
       l.returns.special_use = true;
       l.extended = true;
       return l;
     }())},

    // ---- Outlook ----
    {"outlook", "A1 CAPABILITY", cmd("A1", Capability{})},
    {"outlook", "A2 AUTHENTICATE PLAIN", cmd("A2", Authenticate{"PLAIN", std::nullopt})},
    {"outlook", "A3 LIST \"\" \"\"", cmd("A3", list("", {""}))},
    {"outlook", "A4 LIST \"\" \"*\"", cmd("A4", list("", {"*"}))},
    {"outlook", "A5 SELECT \"INBOX\"", cmd("A5", Select{"INBOX", {}})},
    {"outlook", "A6 UID FETCH 1:* (UID FLAGS)", cmd("A6", fetch(true, set({{1, star}}), {att(FetchItem::uid), att(FetchItem::flags)}))},
    {"outlook", "A7 UID STORE 5 +FLAGS (\\Deleted)", cmd("A7", store(true, one(5), StoreAction::add, false, {"\\Deleted"}))},
    {"outlook", "A8 EXPUNGE", cmd("A8", Expunge{})},
    {"outlook", "A9 LSUB \"\" \"*\"", cmd("A9", Lsub{"", "*"})},
    {"outlook", "A10 DELETE \"Old/Stuff\"", cmd("A10", Delete{"Old/Stuff"})},
    {"outlook", "A11 RENAME \"Old\" \"Older\"", cmd("A11", Rename{"Old", "Older"})},
    {"outlook", "A12 UID COPY 5:7 \"Sent Items\"", cmd("A12", Copy{true, set({{5, 7}}), "Sent Items"})},
    {"outlook", "A13 UID SEARCH SINCE 02-Jan-2024", cmd("A13", search(true, date_key(SearchOp::since, 2024, 1, 2)))},
    {"outlook", "A14 APPEND \"Sent Items\" (\\Seen) \"02-Jan-2024 09:00:00 -0800\" {5}\r\nhello",
     cmd("A14", append("Sent Items", {"\\Seen"}, date_time(2024, 1, 2, 9, 0, 0, -480), "hello"))},
    {"outlook", "A15 CLOSE", cmd("A15", Close{})},

    // ---- mutt / neomutt ----
    {"mutt", "a0001 CAPABILITY", cmd("a0001", Capability{})},
    {"mutt", "a0002 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==", cmd("a0002", Authenticate{"PLAIN", "AGFsaWNlAHNlY3JldA=="})},
    {"mutt", "a0003 SELECT \"INBOX\"", cmd("a0003", Select{"INBOX", {}})},
    {"mutt", "a0004 FETCH 1:15 (UID FLAGS)", cmd("a0004", fetch(false, set({{1, 15}}), {att(FetchItem::uid), att(FetchItem::flags)}))},
    {"mutt",
     "a0005 UID FETCH 1:15 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM SENDER SUBJECT TO CC "
     "MESSAGE-ID REFERENCES CONTENT-TYPE CONTENT-DESCRIPTION IN-REPLY-TO REPLY-TO LINES LIST-POST X-LABEL X-ORIGINAL-TO)])",
     cmd("a0005", fetch(true, set({{1, 15}}),
                        {att(FetchItem::uid), att(FetchItem::flags), att(FetchItem::internal_date), att(FetchItem::rfc822_size),
                         body(header_fields(mutt_fields), true)}))},
    {"mutt", "a0006 UID STORE 12 +FLAGS.SILENT (\\Seen)", cmd("a0006", store(true, one(12), StoreAction::add, true, {"\\Seen"}))},
    {"mutt", "a0007 UID FETCH 12 BODY.PEEK[]", cmd("a0007", fetch(true, one(12), {body(whole(), true)}))},
    {"mutt", "a0008 STATUS \"INBOX\" (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)",
     cmd("a0008", status("INBOX", {StatusItem::messages, StatusItem::recent, StatusItem::uid_next, StatusItem::uid_validity,
                                   StatusItem::unseen}))},
    {"mutt", "a0009 UID SEARCH FROM \"bob\"", cmd("a0009", search(true, text_key(SearchOp::from, "bob")))},
    {"mutt", "a0010 UID STORE 1:3 -FLAGS.SILENT (\\Flagged)",
     cmd("a0010", store(true, set({{1, 3}}), StoreAction::remove, true, {"\\Flagged"}))},
    {"neomutt", "a0011 ENABLE QRESYNC", cmd("a0011", Enable{{"QRESYNC"}})},
    {"neomutt", "a0012 SELECT \"INBOX\" (QRESYNC (1234 5678 1:100))",
     cmd("a0012", Select{"INBOX", SelectParams{.qresync = QresyncParams{1234, 5678, set({{1, 100}}), {}, {}}}})},
    {"neomutt", "a0013 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5678 VANISHED)",
     cmd("a0013", changed_since(fetch(true, set({{1, star}}), {att(FetchItem::flags)}), 5678, true))},
    {"mutt", "a0014 UID SEARCH UID 1:* HEADER Message-ID \"<abc@example.org>\"",
     cmd("a0014", search(true, all_of({key(SearchOp::uid, set({{1, star}})),
                                       key(SearchOp::header, HeaderMatch{"Message-ID", "<abc@example.org>"})})))},

    // ---- mbsync (isync) ----
    {"mbsync", "1 LOGIN \"alice\" \"secret\"", cmd("1", Login{"alice", "secret"})},
    {"mbsync", "2 COMPRESS DEFLATE", cmd("2", Compress{})},
    {"mbsync", "3 UID FETCH 1:* (UID FLAGS)", cmd("3", fetch(true, set({{1, star}}), {att(FetchItem::uid), att(FetchItem::flags)}))},
    {"mbsync", "4 UID FETCH 5:10 (UID BODY.PEEK[HEADER.FIELDS (X-TUID)])",
     cmd("4", fetch(true, set({{5, 10}}), {att(FetchItem::uid), body(header_fields({"X-TUID"}), true)}))},
    {"mbsync", "5 APPEND \"INBOX\" (\\Seen) {5+}\r\nhello", cmd("5", append("INBOX", {"\\Seen"}, std::nullopt, "hello"))},
    {"mbsync", "6 UID STORE 5 +FLAGS.SILENT (\\Deleted)", cmd("6", store(true, one(5), StoreAction::add, true, {"\\Deleted"}))},
    {"mbsync", "7 UID EXPUNGE 5", cmd("7", Expunge{one(5)})},
    {"mbsync", "8 UID FETCH 5 (BODY.PEEK[])", cmd("8", fetch(true, one(5), {body(whole(), true)}))},
    {"mbsync", "9 UID FETCH 1:5,7 (UID FLAGS RFC822.SIZE)",
     cmd("9", fetch(true, set({{1, 5}, {7, 7}}), {att(FetchItem::uid), att(FetchItem::flags), att(FetchItem::rfc822_size)}))},
    {"mbsync", "10 APPEND \"INBOX\" (\\Seen) \"28-Dec-2023 13:14:15 +0000\" {5+}\r\nhello",
     cmd("10", append("INBOX", {"\\Seen"}, date_time(2023, 12, 28, 13, 14, 15, 0), "hello"))},

    // ---- imapflow ----
    {"imapflow",
     "1 ID (\"name\" \"imapflow\" \"version\" \"1.0.164\" \"vendor\" \"Postal Systems\" \"support-url\" "
     "\"https://github.com/postalsys/imapflow/issues\")",
     cmd("1", id({{"name", "imapflow"}, {"version", "1.0.164"}, {"vendor", "Postal Systems"},
                  {"support-url", "https://github.com/postalsys/imapflow/issues"}}))},
    {"imapflow", "2 ENABLE CONDSTORE UTF8=ACCEPT", cmd("2", Enable{{"CONDSTORE", "UTF8=ACCEPT"}})},
    {"imapflow", "3 SELECT INBOX (CONDSTORE)", cmd("3", Select{"INBOX", SelectParams{.condstore = true}})},
    {"imapflow", "4 FETCH 1:* (UID FLAGS BODYSTRUCTURE ENVELOPE INTERNALDATE RFC822.SIZE)",
     cmd("4", fetch(false, set({{1, star}}),
                    {att(FetchItem::uid), att(FetchItem::flags), att(FetchItem::body_structure), att(FetchItem::envelope),
                     att(FetchItem::internal_date), att(FetchItem::rfc822_size)}))},
    {"imapflow", "5 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)",
     cmd("5", status("INBOX", {StatusItem::messages, StatusItem::uid_next, StatusItem::uid_validity, StatusItem::unseen,
                               StatusItem::highest_modseq}))},
    {"imapflow", "6 UID SEARCH SINCE 1-Jan-2024", cmd("6", search(true, date_key(SearchOp::since, 2024, 1, 1)))},
    {"imapflow", "7 LIST \"\" \"*\" RETURN (SPECIAL-USE SUBSCRIBED)",
     cmd("7", [] {
       List l = list("", {"*"});
       l.returns.special_use = true;
       l.returns.subscribed = true;
       l.extended = true;
       return l;
     }())},
    {"imapflow", "8 UID MOVE 3 \"[Gmail]/Trash\"", cmd("8", Move{true, one(3), "[Gmail]/Trash"})},
    {"imapflow", "9 SELECT \"Entwürfe\"", cmd("9", Select{"Entwürfe", {}}), WireCharset::utf8},
    {"imapflow", "10 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 12)",
     cmd("10", changed_since(fetch(true, set({{1, star}}), {att(FetchItem::uid), att(FetchItem::flags)}), 12))},
    {"imapflow", "11 UID STORE 5 +FLAGS (\\Seen $Forwarded)",
     cmd("11", store(true, one(5), StoreAction::add, false, {"\\Seen", "$Forwarded"}))},

    // ---- K-9 Mail ----
    {"k9", "2 ID (\"name\" \"K-9 Mail\" \"version\" \"6.800\")", cmd("2", id({{"name", "K-9 Mail"}, {"version", "6.800"}}))},
    {"k9", "5 UID SEARCH 1:* NOT DELETED",
     cmd("5", search(true, all_of({key(SearchOp::sequence_set, set({{1, star}})), negate(key(SearchOp::deleted))})))},
    {"k9",
     "6 UID FETCH 95,96 (UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (date subject from content-type to cc "
     "reply-to message-id references in-reply-to X-K9mail-Identity Chat-Version)] FLAGS)",
     cmd("6", fetch(true, set({{95, 95}, {96, 96}}),
                    {att(FetchItem::uid), att(FetchItem::internal_date), att(FetchItem::rfc822_size),
                     body(header_fields(k9_fields), true), att(FetchItem::flags)}))},
    {"k9", "7 UID FETCH 95 (UID BODYSTRUCTURE)", cmd("7", fetch(true, one(95), {att(FetchItem::uid), att(FetchItem::body_structure)}))},
    {"k9", "8 UID FETCH 95 (UID BODY.PEEK[1.2]<0.4096>)",
     cmd("8", fetch(true, one(95), {att(FetchItem::uid), body(part({1, 2}), true, Partial{0, 4096})}))},
    {"k9", "9 UID SEARCH 1:* SINCE 10-Jan-2024 NOT DELETED",
     cmd("9", search(true, all_of({key(SearchOp::sequence_set, set({{1, star}})), date_key(SearchOp::since, 2024, 1, 10),
                                   negate(key(SearchOp::deleted))})))},
    {"k9", "10 UID COPY 95 \"Trash\"", cmd("10", Copy{true, one(95), "Trash"})},
    {"k9", "11 CREATE \"Drafts\"", cmd("11", Create{"Drafts", {}})},
    {"k9", "12 UID SEARCH HEADER MESSAGE-ID \"<x@example.org>\"",
     cmd("12", search(true, key(SearchOp::header, HeaderMatch{"MESSAGE-ID", "<x@example.org>"})))},
    {"k9", "13 UID SEARCH CHARSET UTF-8 TEXT {7}\r\nm\xc3\xbcller",
     cmd("13", search(true, text_key(SearchOp::text, "m\xc3\xbcller"), "UTF-8"))},
};

INSTANTIATE_TEST_SUITE_P(Imap, ClientLines, ::testing::ValuesIn(client_lines));

}  // namespace
}  // namespace atrium::imap
