// Table tests for the IMAP parser beyond the client lines: every extension's grammar (mostly the
// RFCs' own examples), the bad inputs that must be answered BAD, and the parser's contracts.
#include "mail/imap/parser.hpp"
#include "tests/unit/mail/imap/builders.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::imap {
namespace {

using namespace std::string_literals;
using namespace testing;

Command parsed(const std::string& line, WireCharset charset = WireCharset::modified_utf7) {
  const ParseResult r = parse_command(line, ParserOptions{.charset = charset});
  EXPECT_TRUE(std::holds_alternative<Command>(r)) << line << " -> " << describe(r);
  if (!std::holds_alternative<Command>(r)) return Command{};
  return std::get<Command>(r);
}

template <class T>
T body_of(const std::string& line, WireCharset charset = WireCharset::modified_utf7) {
  const Command c = parsed(line, charset);
  const T* t = std::get_if<T>(&c.body);
  EXPECT_NE(t, nullptr) << line;
  return t ? *t : T{};
}

// ---- good lines by command ----

TEST(ParseFetch, MacrosExpandInRfcOrder) {
  const std::vector<FetchAttribute> fast = {att(FetchItem::flags), att(FetchItem::internal_date), att(FetchItem::rfc822_size)};
  std::vector<FetchAttribute> all = fast;
  all.push_back(att(FetchItem::envelope));
  std::vector<FetchAttribute> full = all;
  full.push_back(att(FetchItem::body));
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 FAST").attrs, fast);
  EXPECT_EQ(body_of<Fetch>("a FETCH 1:* all").attrs, all);
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 Full").attrs, full);
}

TEST(ParseFetch, SectionsAndPartials) {
  EXPECT_EQ(body_of<Fetch>("a FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])").attrs,
            (std::vector{att(FetchItem::flags), body(header_fields({"DATE", "FROM"}), false)}));
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 BODY[HEADER.FIELDS.NOT (Received X-Spam)]").attrs,
            (std::vector{body(header_fields({"Received", "X-Spam"}, SectionText::header_fields_not), false)}));
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 (BODY[1.2.MIME] BODY[3.HEADER] BODY[4.TEXT] BODY[4.1])").attrs,
            (std::vector{body(part({1, 2}, SectionText::mime), false), body(part({3}, SectionText::header), false),
                         body(part({4}, SectionText::text), false), body(part({4, 1}), false)}));
  Section fields_of_part{{2}, SectionText::header_fields, {"Subject"}};
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 BODY.PEEK[2.HEADER.FIELDS (Subject)]<10.20>").attrs,
            (std::vector{body(fields_of_part, true, Partial{10, 20})}));
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 BODY[]<0.18446744>").attrs, (std::vector{body(whole(), false, Partial{0, 18446744})}));
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 (BODY BODYSTRUCTURE ENVELOPE)").attrs,
            (std::vector{att(FetchItem::body), att(FetchItem::body_structure), att(FetchItem::envelope)}));
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT RFC822.SIZE)").attrs,
            (std::vector{att(FetchItem::rfc822), att(FetchItem::rfc822_header), att(FetchItem::rfc822_text),
                         att(FetchItem::rfc822_size)}));
  // Field names are astrings.
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 BODY[HEADER.FIELDS (\"Subject\" {4}\r\nDate)]").attrs,
            (std::vector{body(header_fields({"Subject", "Date"}), false)}));
}

TEST(ParseFetch, BinaryAndObjectIds) {
  FetchAttribute peek{FetchItem::binary, part({1, 2}), true, Partial{0, 100}};
  FetchAttribute size{FetchItem::binary_size, part({2}), false, std::nullopt};
  FetchAttribute all{FetchItem::binary, whole(), false, std::nullopt};
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 (BINARY.PEEK[1.2]<0.100> BINARY.SIZE[2] BINARY[])").attrs, (std::vector{peek, size, all}));
  EXPECT_EQ(body_of<Fetch>("a UID FETCH 1 (EMAILID THREADID SAVEDATE MODSEQ)").attrs,
            (std::vector{att(FetchItem::email_id), att(FetchItem::thread_id), att(FetchItem::save_date), att(FetchItem::modseq)}));
}

TEST(ParseFetch, SequenceSetsAndSavedResult) {
  EXPECT_EQ(body_of<Fetch>("a FETCH $ (FLAGS)").set, saved());
  EXPECT_EQ(body_of<Fetch>("a FETCH *:4,2,7:* FLAGS").set, set({{star, 4}, {2, 2}, {7, star}}));
  EXPECT_EQ(body_of<Fetch>("a FETCH 4294967295 FLAGS").set, one(4294967295u));
  const Fetch f = body_of<Fetch>("a FETCH 1 FLAGS (CHANGEDSINCE 0)");
  EXPECT_EQ(f.changed_since, 0u);
  EXPECT_EQ(body_of<Fetch>("a FETCH 1 FLAGS (changedsince 9223372036854775807)").changed_since, 9223372036854775807u);
}

TEST(ParseStore, FormsAndModifiers) {
  Store s = body_of<Store>("a STORE 2:4 +FLAGS (\\Deleted)");
  EXPECT_EQ(s.action, StoreAction::add);
  EXPECT_EQ(s.flags, (std::vector<Flag>{"\\Deleted"}));
  s = body_of<Store>("a STORE 1 FLAGS ()");
  EXPECT_EQ(s.action, StoreAction::replace);
  EXPECT_TRUE(s.flags.empty());
  s = body_of<Store>("a STORE 1 -FLAGS \\seen $Forwarded \\DRAFT");
  EXPECT_EQ(s.action, StoreAction::remove);
  EXPECT_EQ(s.flags, (std::vector<Flag>{"\\Seen", "$Forwarded", "\\Draft"}));
  s = body_of<Store>("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)");
  EXPECT_EQ(s.unchanged_since, 320162338u);
  EXPECT_TRUE(s.silent);
  EXPECT_EQ(s.set, set({{7, 7}, {5, 5}, {9, 9}}));
  s = body_of<Store>("a STORE 1 FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\X-Ext keyword)");
  EXPECT_EQ(s.flags, (std::vector<Flag>{"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\X-Ext", "keyword"}));
}

TEST(ParseSearch, RfcExamples) {
  EXPECT_EQ(body_of<Search>("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"").key,
            all_of({key(SearchOp::flagged), date_key(SearchOp::since, 1994, 2, 1), negate(text_key(SearchOp::from, "Smith"))}));
  EXPECT_EQ(body_of<Search>("A283 SEARCH TEXT \"string not in mailbox\"").key,
            text_key(SearchOp::text, "string not in mailbox"));
  const Search lit = body_of<Search>("A284 SEARCH CHARSET UTF-8 TEXT {12}\r\nXXXXXXXXXXXX");
  EXPECT_EQ(lit.charset, "UTF-8");
  EXPECT_EQ(lit.key, text_key(SearchOp::text, "XXXXXXXXXXXX"));
  EXPECT_EQ(body_of<Search>("a SEARCH OR (SEEN FLAGGED) NOT (DELETED)").key,
            either(all_of({key(SearchOp::seen), key(SearchOp::flagged)}), negate(key(SearchOp::deleted))));
  EXPECT_EQ(body_of<Search>("a SEARCH (((ALL)))").key, key(SearchOp::all));
}

TEST(ParseSearch, EveryKey) {
  const std::pair<std::string, SearchKey> cases[] = {
      {"ALL", key(SearchOp::all)}, {"ANSWERED", key(SearchOp::answered)}, {"DELETED", key(SearchOp::deleted)},
      {"DRAFT", key(SearchOp::draft)}, {"FLAGGED", key(SearchOp::flagged)}, {"SEEN", key(SearchOp::seen)},
      {"UNANSWERED", key(SearchOp::unanswered)}, {"UNDELETED", key(SearchOp::undeleted)},
      {"UNDRAFT", key(SearchOp::undraft)}, {"UNFLAGGED", key(SearchOp::unflagged)}, {"UNSEEN", key(SearchOp::unseen)},
      {"RECENT", key(SearchOp::recent)}, {"NEW", key(SearchOp::new_)}, {"OLD", key(SearchOp::old)},
      {"SAVEDATESUPPORTED", key(SearchOp::saved_date_supported)},
      {"BCC b", text_key(SearchOp::bcc, "b")}, {"BODY \"x y\"", text_key(SearchOp::body, "x y")},
      {"CC c", text_key(SearchOp::cc, "c")}, {"FROM f", text_key(SearchOp::from, "f")},
      {"SUBJECT \"\"", text_key(SearchOp::subject, "")}, {"TEXT t", text_key(SearchOp::text, "t")},
      {"TO t", text_key(SearchOp::to, "t")}, {"KEYWORD $Junk", text_key(SearchOp::keyword, "$Junk")},
      {"UNKEYWORD $NotJunk", text_key(SearchOp::unkeyword, "$NotJunk")},
      {"EMAILID M6d99ac3275bb4e", text_key(SearchOp::email_id, "M6d99ac3275bb4e")},
      {"THREADID T64b478a75b7ea9", text_key(SearchOp::thread_id, "T64b478a75b7ea9")},
      {"HEADER X-Spam \"\"", key(SearchOp::header, HeaderMatch{"X-Spam", ""})},
      {"BEFORE 5-Jan-2024", date_key(SearchOp::before, 2024, 1, 5)},
      {"ON \"05-jan-2024\"", date_key(SearchOp::on, 2024, 1, 5)},
      {"SINCE 29-Feb-2024", date_key(SearchOp::since, 2024, 2, 29)},
      {"SENTBEFORE 1-Dec-1999", date_key(SearchOp::sent_before, 1999, 12, 1)},
      {"SENTON 31-Dec-1999", date_key(SearchOp::sent_on, 1999, 12, 31)},
      {"SENTSINCE 1-Jan-2000", date_key(SearchOp::sent_since, 2000, 1, 1)},
      {"SAVEDBEFORE 1-Jan-2024", date_key(SearchOp::saved_before, 2024, 1, 1)},
      {"SAVEDON 2-Jan-2024", date_key(SearchOp::saved_on, 2024, 1, 2)},
      {"SAVEDSINCE 3-Jan-2024", date_key(SearchOp::saved_since, 2024, 1, 3)},
      {"LARGER 10000", number_key(SearchOp::larger, 10000)}, {"SMALLER 0", number_key(SearchOp::smaller, 0)},
      {"OLDER 3600", number_key(SearchOp::older, 3600)}, {"YOUNGER 60", number_key(SearchOp::younger, 60)},
      {"MODSEQ 620162338", key(SearchOp::modseq, ModSeqMatch{620162338, std::nullopt})},
      {"MODSEQ \"/flags/\\\\draft\" all 620162338",
       key(SearchOp::modseq, ModSeqMatch{620162338, ModSeqEntry{"\\Draft", ModSeqEntryType::all}})},
      {"MODSEQ \"/flags/$Junk\" priv 5", key(SearchOp::modseq, ModSeqMatch{5, ModSeqEntry{"$Junk", ModSeqEntryType::priv}})},
      {"UID 1:5,9", key(SearchOp::uid, set({{1, 5}, {9, 9}}))}, {"UID $", key(SearchOp::uid, saved())},
      {"2,4:*", key(SearchOp::sequence_set, set({{2, 2}, {4, star}}))}, {"$", key(SearchOp::sequence_set, saved())},
      {"NOT NOT SEEN", negate(negate(key(SearchOp::seen)))},
      {"OR OR SEEN DRAFT FLAGGED", either(either(key(SearchOp::seen), key(SearchOp::draft)), key(SearchOp::flagged))},
      {"all", key(SearchOp::all)},
  };
  for (const auto& [criteria, expected] : cases) {
    EXPECT_EQ(body_of<Search>("a SEARCH " + criteria).key, expected) << criteria;
  }
}

TEST(ParseSearch, ReturnOptionsAndCharset) {
  Search s = body_of<Search>("a SEARCH RETURN (MIN MAX COUNT) UNSEEN");
  EXPECT_EQ(s.returns, (SearchReturn{.min = true, .max = true, .count = true}));
  s = body_of<Search>("a UID SEARCH RETURN () ALL");
  EXPECT_EQ(s.returns, (SearchReturn{.all = true}));
  s = body_of<Search>("a SEARCH RETURN (SAVE) FROM \"alice\"");
  EXPECT_EQ(s.returns, (SearchReturn{.save = true}));
  s = body_of<Search>("a SEARCH RETURN (ALL SAVE) CHARSET \"UTF-8\" SUBJECT \"\xc3\xa4\"", WireCharset::utf8);
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.key, text_key(SearchOp::subject, "\xc3\xa4"));
  EXPECT_FALSE(body_of<Search>("a SEARCH ALL").returns);
}

TEST(ParseSearch, DepthLimitIsAnOption) {
  std::string nested = "a SEARCH ";
  for (int i = 0; i < 5; ++i) nested += "NOT ";
  nested += "ALL";
  EXPECT_TRUE(std::holds_alternative<Command>(parse_command(nested, ParserOptions{.max_search_depth = 5})));
  const ParseResult r = parse_command(nested, ParserOptions{.max_search_depth = 4});
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  EXPECT_EQ(std::get<ParseError>(r).kind, ParseErrorKind::search_too_deep);
}

TEST(ParseSortThread, Rfc5256) {
  Sort s = body_of<Sort>("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994");
  EXPECT_EQ(s.criteria, (std::vector{SortCriterion{SortKey::subject, false}}));
  EXPECT_EQ(s.charset, "UTF-8");
  EXPECT_EQ(s.key, date_key(SearchOp::since, 1994, 2, 1));
  s = body_of<Sort>("A283 UID SORT (REVERSE DATE SIZE DISPLAYFROM reverse arrival) US-ASCII ALL NOT DELETED");
  EXPECT_TRUE(s.uid);
  EXPECT_EQ(s.criteria, (std::vector{SortCriterion{SortKey::date, true}, SortCriterion{SortKey::size, false},
                                     SortCriterion{SortKey::display_from, false}, SortCriterion{SortKey::arrival, true}}));
  EXPECT_EQ(s.key, all_of({key(SearchOp::all), negate(key(SearchOp::deleted))}));
  s = body_of<Sort>("a SORT RETURN (MIN COUNT) (CC TO FROM) UTF-8 ALL");
  EXPECT_EQ(s.returns, (SearchReturn{.min = true, .count = true}));
  Thread t = body_of<Thread>("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000");
  EXPECT_EQ(t.algorithm, ThreadAlgorithm::ordered_subject);
  EXPECT_EQ(t.key, date_key(SearchOp::since, 2000, 3, 5));
  t = body_of<Thread>("A284 UID THREAD REFERENCES US-ASCII TEXT \"gewp\"");
  EXPECT_TRUE(t.uid);
  EXPECT_EQ(t.algorithm, ThreadAlgorithm::references);
}

TEST(ParseList, ExtendedForms) {
  List l = body_of<List>("A02 LIST (SUBSCRIBED) \"\" \"*\"");
  EXPECT_TRUE(l.selection.subscribed);
  EXPECT_TRUE(l.extended);
  l = body_of<List>("A03 LIST () \"\" \"%\" RETURN (CHILDREN)");
  EXPECT_EQ(l.selection, ListSelection{});
  EXPECT_TRUE(l.returns.children);
  EXPECT_TRUE(l.extended);
  l = body_of<List>("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)");
  EXPECT_TRUE(l.selection.remote);
  l = body_of<List>("A05 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)");
  EXPECT_TRUE(l.selection.recursive_match);
  l = body_of<List>("A06 LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\" Trash)");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "Drafts", "Sent/%", "Trash"}));
  EXPECT_TRUE(l.extended);
  l = body_of<List>("A07 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN MESSAGES) SUBSCRIBED)");
  EXPECT_EQ(l.returns.status, (std::vector{StatusItem::messages, StatusItem::unseen}));
  EXPECT_TRUE(l.returns.subscribed);
  l = body_of<List>("t1 LIST (SPECIAL-USE) \"\" \"*\"");
  EXPECT_TRUE(l.selection.special_use);
  l = body_of<List>("a LIST \"\" \"*\"");
  EXPECT_FALSE(l.extended);
  l = body_of<List>("a LIST ~/Mail/ %");
  EXPECT_EQ(l.reference, "~/Mail/");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"%"}));
  l = body_of<List>("a LIST \"\" Entw&APw-rfe/*");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{"Entwürfe/*"}));
  l = body_of<List>("a LIST inbox *");
  EXPECT_EQ(l.reference, "inbox");  // references are not INBOX-normalised
}

TEST(ParseMailbox, SelectExamineCreateStatus) {
  EXPECT_EQ(body_of<Select>("a select inbox").mailbox, "INBOX");
  EXPECT_EQ(body_of<Select>("a SELECT \"Inbox\"").mailbox, "INBOX");
  EXPECT_EQ(body_of<Select>("a SELECT INBOX.Sent").mailbox, "INBOX.Sent");
  EXPECT_EQ(body_of<Select>("a SELECT \"&AMQ-rger\"").mailbox, "Ärger");
  EXPECT_EQ(body_of<Select>("a SELECT \"\xc3\x84rger\"", WireCharset::utf8).mailbox, "Ärger");
  EXPECT_EQ(body_of<Select>("a SELECT \"&AMQ-rger\"", WireCharset::utf8).mailbox, "&AMQ-rger");
  EXPECT_EQ(body_of<Select>("a SELECT {4}\r\nTest").mailbox, "Test");
  EXPECT_EQ(body_of<Select>("a SELECT \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"").mailbox, "~peter/mail/台北/日本語");
  EXPECT_EQ(body_of<Select>("a SELECT INBOX ()").params, SelectParams{});
  const Examine e = body_of<Examine>("a EXAMINE \"Archive\" (CONDSTORE)");
  EXPECT_EQ(e.mailbox, "Archive");
  EXPECT_TRUE(e.params.condstore);
  const Select q = body_of<Select>(
      "B01 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970:29979)))");
  ASSERT_TRUE(q.params.qresync);
  EXPECT_EQ(q.params.qresync->uid_validity, 67890007u);
  EXPECT_EQ(q.params.qresync->modseq, 90060115194045000u);
  EXPECT_EQ(q.params.qresync->known_uids, set({{1, 29997}}));
  EXPECT_EQ(q.params.qresync->known_sequence_set, set({{5000, 5000}, {7500, 7500}, {9000, 9000}, {9990, 9999}}));
  EXPECT_EQ(q.params.qresync->known_uid_set, set({{15000, 15000}, {22500, 22500}, {27000, 27000}, {29970, 29979}}));
  const Select q2 = body_of<Select>("a SELECT INBOX (CONDSTORE QRESYNC (1 2 (1 5)))");
  EXPECT_TRUE(q2.params.condstore);
  EXPECT_FALSE(q2.params.qresync->known_uids);
  EXPECT_EQ(q2.params.qresync->known_uid_set, one(5));

  EXPECT_EQ(body_of<Create>("t1 CREATE \"Drafts\" (USE (\\drafts))"), (Create{"Drafts", {"\\Drafts"}}));
  EXPECT_EQ(body_of<Create>("t1 CREATE Stuff (USE (\\Archive \\Important))"), (Create{"Stuff", {"\\Archive", "\\Important"}}));
  EXPECT_EQ(body_of<Create>("t1 CREATE Stuff (USE ())"), (Create{"Stuff", {}}));
  EXPECT_EQ(body_of<Status>("a STATUS blurdybloop (UIDNEXT MESSAGES SIZE DELETED APPENDLIMIT MAILBOXID DELETED-STORAGE)").items,
            (std::vector{StatusItem::uid_next, StatusItem::messages, StatusItem::size, StatusItem::deleted,
                         StatusItem::append_limit, StatusItem::mailbox_id, StatusItem::deleted_storage}));
}

TEST(ParseAppend, MultiappendBinaryAndUtf8) {
  const std::string line = "A003 APPEND saved-messages (\\Seen) {3}\r\nabc (\\Draft $Label) \"05-Jan-2024 10:11:12 +0100\" {2+}\r\nxy";
  const Append a = body_of<Append>(line);
  ASSERT_EQ(a.messages.size(), 2u);
  EXPECT_EQ(a.messages[0].flags, (std::vector<Flag>{"\\Seen"}));
  EXPECT_EQ(a.messages[0].content, "abc");
  EXPECT_EQ(a.messages[1].flags, (std::vector<Flag>{"\\Draft", "$Label"}));
  ASSERT_TRUE(a.messages[1].internal_date);
  EXPECT_EQ(a.messages[1].internal_date->to_unix_seconds(), 1704445872);
  EXPECT_EQ(a.messages[1].content, "xy");

  const std::string binary = "A APPEND INBOX ~{4}\r\nab\0c"s;
  const Append b = body_of<Append>(binary);
  EXPECT_EQ(b.messages[0].data, AppendData::literal8);
  EXPECT_EQ(b.messages[0].content, "ab\0c"s);
  // The content is a view into the parsed bytes, not a copy.
  EXPECT_EQ(b.messages[0].content.data(), binary.data() + binary.size() - 4);

  // Keep the bytes alive while the Append is used: content points into them.
  const std::string utf8 = "A APPEND INBOX () \" 5-Jan-2024 00:00:00 -0000\" UTF8 (~{3+}\r\nabc)";
  const Append u = body_of<Append>(utf8);
  EXPECT_EQ(u.messages[0].data, AppendData::utf8);
  EXPECT_EQ(u.messages[0].content, "abc");
  EXPECT_EQ(u.messages[0].internal_date->date, (Date{2024, 1, 5}));
  EXPECT_TRUE(u.messages[0].flags.empty());

  const std::string empty_line = "A APPEND Drafts {0}\r\n";
  const Append empty = body_of<Append>(empty_line);
  EXPECT_EQ(empty.messages[0].content, "");
}

TEST(ParseOther, SimpleCommands) {
  EXPECT_EQ(parsed("a STARTTLS").body, (CommandBody{Starttls{}}));
  EXPECT_EQ(parsed("a UNSELECT").body, (CommandBody{Unselect{}}));
  EXPECT_EQ(parsed("a CHECK").body, (CommandBody{Check{}}));
  EXPECT_EQ(parsed("a NOOP  ").body, (CommandBody{Noop{}}));  // trailing spaces tolerated
  EXPECT_EQ(parsed("a ID NIL").body, (CommandBody{Id{}}));
  EXPECT_EQ(parsed("a ID ()").body, (CommandBody{Id{std::vector<Id::Field>{}}}));
  EXPECT_EQ(parsed("a ID (\"name\" NIL)").body, (CommandBody{Id{std::vector<Id::Field>{{"name", std::nullopt}}}}));
  EXPECT_EQ(parsed("a authenticate xoauth2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQ==").body,
            (CommandBody{Authenticate{"XOAUTH2", "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQ=="}}));
  EXPECT_EQ(parsed("a AUTHENTICATE PLAIN =").body, (CommandBody{Authenticate{"PLAIN", "="}}));
  EXPECT_EQ(parsed("a LOGIN {5+}\r\nalice {6}\r\nsecret").body, (CommandBody{Login{"alice", "secret"}}));
  EXPECT_EQ(parsed("a LOGIN alice ]pass[").body, (CommandBody{Login{"alice", "]pass["}}));
  EXPECT_EQ(parsed("G1 GETQUOTA \"\"").body, (CommandBody{GetQuota{""}}));
  EXPECT_EQ(parsed("S1 SETQUOTA \"\" (STORAGE 512 message 1000)").body,
            (CommandBody{SetQuota{"", {QuotaLimit{"STORAGE", 512}, QuotaLimit{"MESSAGE", 1000}}}}));
  EXPECT_EQ(parsed("S2 SETQUOTA \"\" ()").body, (CommandBody{SetQuota{"", {}}}));
  EXPECT_EQ(parsed("A SETACL INBOX/Drafts smith +lrswida").body,
            (CommandBody{SetAcl{"INBOX/Drafts", "smith", RightsChange::add, "lrswida"}}));
  EXPECT_EQ(parsed("A SETACL INBOX fred -w").body, (CommandBody{SetAcl{"INBOX", "fred", RightsChange::remove, "w"}}));
  EXPECT_EQ(parsed("A SETACL INBOX fred \"\"").body, (CommandBody{SetAcl{"INBOX", "fred", RightsChange::replace, ""}}));
  EXPECT_EQ(parsed("A DELETEACL INBOX smith").body, (CommandBody{DeleteAcl{"INBOX", "smith"}}));
  EXPECT_EQ(parsed("A LISTRIGHTS ~/Mail/saved smith").body, (CommandBody{ListRights{"~/Mail/saved", "smith"}}));
  EXPECT_EQ(parsed("a MOVE 1:3 Archive").body, (CommandBody{Move{false, set({{1, 3}}), "Archive"}}));
  EXPECT_EQ(parsed("a COPY $ Archive").body, (CommandBody{Copy{false, saved(), "Archive"}}));
}

TEST(ParseOther, UidPrefixAndNames) {
  for (const std::string name : {"FETCH 1 FLAGS", "STORE 1 FLAGS ()", "COPY 1 x", "MOVE 1 x", "SEARCH ALL", "EXPUNGE 1",
                                 "SORT (DATE) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL"}) {
    const Command c = parsed("a UID " + name);
    EXPECT_TRUE(c.uid()) << name;
    const Command plain = parsed("a " + name.substr(0, name.find(' ')) + (name.starts_with("EXPUNGE") ? "" : name.substr(name.find(' '))));
    EXPECT_FALSE(plain.uid()) << name;
  }
  for (std::size_t i = 0; i < command_count; ++i) {
    const auto n = static_cast<CommandName>(i);
    EXPECT_EQ(command_from_name(command_wire_name(n)), n);
  }
  EXPECT_EQ(command_from_name("getQuotaRoot"), CommandName::getquotaroot);
  EXPECT_FALSE(command_from_name("XLIST"));
}

// ---- bad lines ----

struct Bad {
  std::string line;
  ParseErrorKind kind;
  std::string tag = "a";
  WireCharset charset = WireCharset::modified_utf7;
};

void PrintTo(const Bad& b, std::ostream* os) { *os << ::testing::PrintToString(b.line); }

class ParseBad : public ::testing::TestWithParam<Bad> {};

TEST_P(ParseBad, IsRefusedWithTheExpectedKindAndTag) {
  const Bad& b = GetParam();
  const ParseResult r = parse_command(b.line, ParserOptions{.charset = b.charset});
  ASSERT_TRUE(std::holds_alternative<ParseError>(r)) << b.line;
  const ParseError& e = std::get<ParseError>(r);
  EXPECT_EQ(e.kind, b.kind) << b.line << " -> " << parse_error_text(e.kind);
  EXPECT_EQ(e.tag, b.tag) << b.line;
  EXPECT_LE(e.offset, b.line.size());
}

using enum ParseErrorKind;

std::string nested_not(int n) {
  std::string s = "a SEARCH ";
  for (int i = 0; i < n; ++i) s += "NOT ";
  return s + "ALL";
}
std::string nested_parens(int n) { return "a SEARCH " + std::string(n, '(') + "ALL" + std::string(n, ')'); }
std::string many_id_pairs(int n) {
  std::string s = "a ID (";
  for (int i = 0; i < n; ++i) s += (i ? " \"k" : "\"k") + std::to_string(i) + "\" \"v\"";
  return s + ")";
}

const Bad bad_lines[] = {
    // tag and name
    {"", missing_tag, ""},
    {"   ", missing_tag, ""},
    {"+ NOOP", missing_tag, ""},
    {"* NOOP", missing_tag, ""},
    {"a\tNOOP", missing_tag, ""},
    {"a{ NOOP", missing_tag, ""},
    {"a", missing_command},
    {"a ", missing_command},
    {"a  NOOP", expected_space},
    {"a FOO", unknown_command},
    {"a X-GM-FOO", unknown_command},
    {"a XLIST \"\" *", unknown_command},
    {"a UID NOOP", unknown_command},
    {"a UID LIST \"\" *", unknown_command},
    {"a UID", missing_argument},
    {"tag123 DONE", unknown_command, "tag123"},
    {"a NOOP extra", unexpected_argument},
    {"a CAPABILITY x", unexpected_argument},
    {"a NOOP\r", invalid_character},
    {"a LOGOUT\x01", invalid_character},
    // strings and literals
    {"a LOGIN alice", missing_argument},
    {"a LOGIN alice \"secret", bad_string},
    {"a LOGIN \"al\\ice\" x", bad_string},
    {"a LOGIN \"a\0b\" x"s, invalid_character},
    {"a LOGIN {5}\r\nabc", bad_literal},
    {"a LOGIN {3}\r\na\0c x"s, bad_literal},
    {"a LOGIN ~{3}\r\nabc x", bad_literal},
    {"a LOGIN {3}abc x", bad_literal},
    {"a LOGIN {x}\r\nabc x", bad_literal},
    {"a LOGIN {99999999999999999999}\r\nabc x", bad_literal},
    {"a LOGIN \"\xff\" x", invalid_character, "a", WireCharset::utf8},
    {"a LOGIN alice (x)", bad_argument},
    // mailbox names
    {"a SELECT", missing_argument},
    {"a SELECT \"&Jjo\"", bad_mailbox_name},
    {"a SELECT \"&AGE-\"", bad_mailbox_name},
    {"a SELECT \"\xc3\x84rger\"", bad_mailbox_name},
    {"a SELECT \"a\x01" "b\"", bad_mailbox_name},
    {"a SELECT \"a\x01" "b\"", bad_mailbox_name, "a", WireCharset::utf8},
    {"a CREATE {3}\r\na\x7f" "b", bad_mailbox_name, "a", WireCharset::utf8},
    {"a SELECT INBOX (FOO)", bad_modifier},
    {"a SELECT INBOX (CONDSTORE CONDSTORE)", bad_modifier},
    {"a SELECT INBOX (QRESYNC (0 1))", bad_modifier},
    {"a SELECT INBOX (QRESYNC (1))", expected_space},
    {"a SELECT INBOX (QRESYNC (1 2 1:*))", bad_sequence_set},
    {"a SELECT INBOX (QRESYNC (1 2 (1:5)))", expected_space},
    {"a SELECT INBOX CONDSTORE", unexpected_argument},
    {"a RENAME a", missing_argument},
    // sequence sets
    {"a FETCH 0 FLAGS", bad_sequence_set},
    {"a FETCH 1: FLAGS", bad_sequence_set},
    {"a FETCH 1,,2 FLAGS", bad_sequence_set},
    {"a FETCH 01 FLAGS", bad_sequence_set},
    {"a FETCH 4294967296 FLAGS", bad_sequence_set},
    {"a FETCH 1:-1 FLAGS", bad_sequence_set},
    {"a FETCH $,1 FLAGS", expected_space},
    {"a FETCH FLAGS", bad_sequence_set},
    // fetch
    {"a FETCH 1", missing_argument},
    {"a FETCH 1 (FLAGS", missing_argument},
    {"a FETCH 1 (FOO)", bad_fetch_attribute},
    {"a FETCH 1 (ALL)", bad_fetch_attribute},
    {"a FETCH 1 ()", bad_fetch_attribute},
    {"a FETCH 1 BODY.PEEK", missing_argument},
    {"a FETCH 1 (BODY.PEEK FLAGS)", bad_fetch_attribute},
    {"a FETCH 1 BODY[MIME]", bad_section},
    {"a FETCH 1 BODY[1.TEXT.X]", bad_section},
    {"a FETCH 1 BODY[HEADER.FIELDS ()]", bad_section},
    {"a FETCH 1 BODY[HEADER.FIELDS (a:b)]", bad_section},
    {"a FETCH 1 BODY[HEADER.FIELDS]", expected_space},
    {"a FETCH 1 BODY[0]", bad_section},
    {"a FETCH 1 BODY[1.]", bad_section},
    {"a FETCH 1 BODY[]<0.0>", bad_section},
    {"a FETCH 1 BODY[]<5>", bad_section},
    {"a FETCH 1 BODY[", bad_section},
    {"a FETCH 1 BINARY[HEADER]", bad_section},
    {"a FETCH 1 BINARY.SIZE[1]<0.5>", unexpected_argument},
    {"a FETCH 1 BINARY", missing_argument},
    {"a FETCH 1 FLAGS (VANISHED)", bad_modifier},
    {"a UID FETCH 1 FLAGS (VANISHED)", bad_modifier},
    {"a UID FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)", bad_modifier},
    {"a UID FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)", bad_modifier},
    {"a UID FETCH 1 FLAGS (FOO)", bad_modifier},
    {"a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 123) VANISHED", unexpected_argument},
    // store
    {"a STORE 1 FLAGS", missing_argument},
    {"a STORE 1 +FLAG (\\Seen)", bad_argument},
    {"a STORE 1 FLAGS (\\)", bad_flag},
    {"a STORE 1 FLAGS (\\Seen", missing_argument},
    {"a STORE 1 FLAGS (\\Seen]", bad_flag},
    {"a STORE 1 FLAGS (\\*)", bad_flag},
    {"a STORE 1 (UNCHANGEDSINCE) FLAGS ()", expected_space},
    {"a STORE 1 (FOO 1) FLAGS ()", bad_modifier},
    // search
    {"a SEARCH", missing_argument},
    {"a SEARCH FOO", bad_search_key},
    {"a SEARCH FUZZY TEXT x", bad_search_key},
    {"a SEARCH SINCE 32-Jan-2024", bad_date},
    {"a SEARCH SINCE 29-Feb-2023", bad_date},
    {"a SEARCH SINCE 1-Foo-2024", bad_date},
    {"a SEARCH SINCE 1-Jan-24", bad_date},
    {"a SEARCH SINCE \"1-Jan-2024", bad_date},
    {"a SEARCH OR SEEN", missing_argument},
    {"a SEARCH (SEEN", missing_argument},
    {"a SEARCH (SEEN]", bad_search_key},
    {"a SEARCH ()", bad_search_key},
    {"a SEARCH NOT", missing_argument},
    {"a SEARCH OLDER 0", bad_number},
    {"a SEARCH LARGER -1", bad_number},
    {"a SEARCH EMAILID a.b", bad_search_key},
    {"a SEARCH KEYWORD \\Seen", bad_search_key},
    {"a SEARCH MODSEQ \"/flags/\\\\Seen\" private 5", bad_search_key},
    {"a SEARCH MODSEQ \"/annotations/x\" all 5", bad_search_key},
    {"a SEARCH RETURN (FOO) ALL", bad_modifier},
    {"a SEARCH RETURN ALL", bad_modifier},
    {"a SEARCH CHARSET", missing_argument},
    {nested_not(33), search_too_deep},
    {nested_parens(40), search_too_deep},
    {"a SORT (FOO) UTF-8 ALL", bad_argument},
    {"a SORT (DATE) ALL", missing_argument},
    {"a SORT DATE UTF-8 ALL", bad_argument},
    {"a THREAD REFS UTF-8 ALL", bad_argument},
    // list, status, create
    {"a LIST", missing_argument},
    {"a LIST \"\"", missing_argument},
    {"a LIST (FOO) \"\" *", bad_list_option},
    {"a LIST (RECURSIVEMATCH) \"\" *", bad_list_option},
    {"a LIST (REMOTE RECURSIVEMATCH) \"\" *", bad_list_option},
    {"a LIST \"\" * RETURN (FOO)", bad_list_option},
    {"a LIST \"\" * RETURN (STATUS (FOO))", bad_status_item},
    {"a LIST \"\" * FOO", unexpected_argument},
    {"a LIST \"\" ()", bad_argument},
    {"a STATUS INBOX ()", bad_status_item},
    {"a STATUS INBOX (MESSAGES FOO)", bad_status_item},
    {"a STATUS INBOX MESSAGES", bad_status_item},
    {"a CREATE x (USE (Drafts))", bad_argument},
    {"a CREATE x (FOO)", bad_modifier},
    {"a CREATE x (USE (\\Drafts) USE (\\Sent))", bad_modifier},
    // append
    {"a APPEND INBOX", missing_argument},
    {"a APPEND INBOX (\\Seen)", missing_argument},
    {"a APPEND INBOX hello", bad_literal},
    {"a APPEND INBOX \"5-Jan-2024 10:00:00 +0000\" {1}\r\nx", bad_date},
    {"a APPEND INBOX \"05-Jan-2024 24:00:00 +0000\" {1}\r\nx", bad_date},
    {"a APPEND INBOX \"05-Jan-2024 10:00:00 +2400\" {1}\r\nx", bad_date},
    {"a APPEND INBOX \"05-Jan-2024 10:00:00 0000\" {1}\r\nx", bad_date},
    {"a APPEND INBOX UTF8 ({1}\r\nx)", bad_literal},
    {"a APPEND INBOX UTF8 (~{1}\r\nx", missing_argument},
    {"a APPEND INBOX UTF8 (~{1}\r\nx]", bad_argument},
    {"a APPEND INBOX {3}\r\na\0b"s, bad_literal},
    {"a APPEND INBOX {1}\r\nx trailing", bad_literal},
    // authentication and the rest
    {"a AUTHENTICATE", missing_argument},
    {"a AUTHENTICATE PLAIN abc", bad_argument},
    {"a AUTHENTICATE PLAIN ab=c", bad_argument},
    {"a AUTHENTICATE PLAIN a===", bad_argument},
    {"a AUTHENTICATE PLAIN dGVzdA== x", unexpected_argument},
    {"a COMPRESS GZIP", bad_argument},
    {"a ENABLE", missing_argument},
    {"a ID", missing_argument},
    {"a ID (\"name\")", expected_space},
    {"a ID (name \"x\")", bad_argument},
    {many_id_pairs(31), too_many_items},
    {"a ID (\"" + std::string(31, 'k') + "\" \"v\")", too_many_items},
    {"a ID (\"k\" \"" + std::string(1025, 'v') + "\")", too_many_items},
    {"a SETACL INBOX bob +l-x", bad_argument},
    {"a SETQUOTA \"\" (STORAGE)", expected_space},
    {"a SETQUOTA \"\" STORAGE 5", bad_argument},
    {"a EXPUNGE 1", unexpected_argument},
    {"a UID EXPUNGE", missing_argument},
    {"a COPY 1 ", missing_argument},
    {"a MOVE 1", missing_argument},
};

INSTANTIATE_TEST_SUITE_P(Imap, ParseBad, ::testing::ValuesIn(bad_lines));

TEST(ParseErrors, CarryTheCommandAndUidFlag) {
  ParseResult r = parse_command("x1 UID FETCH 1 (FOO)");
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  const ParseError& e = std::get<ParseError>(r);
  EXPECT_EQ(e.tag, "x1");
  EXPECT_EQ(e.command, CommandName::fetch);
  EXPECT_TRUE(e.uid);
  EXPECT_EQ(e.offset, std::string("x1 UID FETCH 1 (").size());
  r = parse_command("x2 BLURDY");
  EXPECT_FALSE(std::get<ParseError>(r).command);
}

TEST(ParseErrors, EveryKindHasAText) {
  for (int i = 0; i <= static_cast<int>(too_many_items); ++i) {
    const std::string_view t = parse_error_text(static_cast<ParseErrorKind>(i));
    EXPECT_FALSE(t.empty()) << i;
    EXPECT_EQ(t.find_first_of("\r\n"), std::string_view::npos) << i;
  }
}

TEST(ParseSequenceSet, OnItsOwn) {
  EXPECT_EQ(parse_sequence_set("1:5,7,9:*"), set({{1, 5}, {7, 7}, {9, star}}));
  EXPECT_EQ(parse_sequence_set("$"), saved());
  EXPECT_FALSE(parse_sequence_set(""));
  EXPECT_FALSE(parse_sequence_set("1 "));
  EXPECT_FALSE(parse_sequence_set("1,"));
}

}  // namespace
}  // namespace atrium::imap
