// The command table: complete, consistent with the parser, and the RFC 9051 section 5.5 rules.
#include "mail/imap/command_table.hpp"

#include "mail/imap/parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::imap {
namespace {

using namespace command_flag;

Command parsed(const std::string& line) {
  ParseResult r = parse_command(line);
  EXPECT_TRUE(std::holds_alternative<Command>(r)) << line;
  return std::holds_alternative<Command>(r) ? std::get<Command>(r) : Command{};
}

TEST(CommandTable, OneRowPerCommandInOrder) {
  const auto rows = command_table();
  ASSERT_EQ(rows.size(), command_count);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(rows[i].name), i);
    EXPECT_NE(rows[i].states, 0) << command_wire_name(rows[i].name);
    EXPECT_EQ(&command_spec(rows[i].name), &rows[i]);
  }
}

TEST(CommandTable, States) {
  auto in = [](CommandName n, SessionState s) { return command_spec(n).allowed_in(s); };
  for (CommandName n : {CommandName::capability, CommandName::noop, CommandName::logout, CommandName::id}) {
    EXPECT_TRUE(in(n, SessionState::not_authenticated));
    EXPECT_TRUE(in(n, SessionState::authenticated));
    EXPECT_TRUE(in(n, SessionState::selected));
  }
  for (CommandName n : {CommandName::starttls, CommandName::login, CommandName::authenticate}) {
    EXPECT_TRUE(in(n, SessionState::not_authenticated));
    EXPECT_FALSE(in(n, SessionState::authenticated));
    EXPECT_FALSE(in(n, SessionState::selected));
  }
  EXPECT_TRUE(in(CommandName::enable, SessionState::authenticated));
  EXPECT_FALSE(in(CommandName::enable, SessionState::selected));
  for (CommandName n : {CommandName::select, CommandName::list, CommandName::append, CommandName::idle,
                        CommandName::status, CommandName::getquotaroot, CommandName::myrights}) {
    EXPECT_FALSE(in(n, SessionState::not_authenticated)) << command_wire_name(n);
    EXPECT_TRUE(in(n, SessionState::authenticated)) << command_wire_name(n);
    EXPECT_TRUE(in(n, SessionState::selected)) << command_wire_name(n);
  }
  for (CommandName n : {CommandName::fetch, CommandName::store, CommandName::expunge, CommandName::close,
                        CommandName::unselect, CommandName::move, CommandName::sort}) {
    EXPECT_FALSE(in(n, SessionState::authenticated)) << command_wire_name(n);
    EXPECT_TRUE(in(n, SessionState::selected)) << command_wire_name(n);
  }
}

TEST(CommandTable, TlsAndCapabilities) {
  for (const CommandSpec& s : command_table()) {
    const bool pre_tls = s.name == CommandName::capability || s.name == CommandName::noop ||
                         s.name == CommandName::logout || s.name == CommandName::id || s.name == CommandName::starttls;
    EXPECT_EQ(s.has(allowed_before_tls), pre_tls) << command_wire_name(s.name);
  }
  EXPECT_TRUE(command_spec(CommandName::login).has(authenticates));
  EXPECT_TRUE(command_spec(CommandName::starttls).has(drops_pipelined_input));
  EXPECT_TRUE(command_spec(CommandName::compress).has(drops_pipelined_input));
  EXPECT_EQ(command_spec(CommandName::move).capability, "MOVE");
  EXPECT_EQ(command_spec(CommandName::compress).capability, "COMPRESS=DEFLATE");
  EXPECT_EQ(command_spec(CommandName::fetch).capability, "");
  EXPECT_TRUE(command_spec(CommandName::lsub).has(rev1_only));
}

// The table's UID flag and the parser agree: "UID <name>" parses exactly for those commands.
TEST(CommandTable, UidFormsMatchTheParser) {
  for (const CommandSpec& s : command_table()) {
    const ParseResult r = parse_command("a UID " + std::string(command_wire_name(s.name)));
    const auto* e = std::get_if<ParseError>(&r);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->kind != ParseErrorKind::unknown_command, s.has(has_uid_form)) << command_wire_name(s.name);
  }
}

TEST(CommandTraits, FollowTheArguments) {
  EXPECT_TRUE(traits_of(parsed("a FETCH 1 FLAGS")).uses_sequence_numbers);
  EXPECT_FALSE(traits_of(parsed("a UID FETCH 1 FLAGS")).uses_sequence_numbers);
  EXPECT_TRUE(traits_of(parsed("a UID SEARCH 1:5 SEEN")).uses_sequence_numbers);
  EXPECT_TRUE(traits_of(parsed("a UID SORT (DATE) UTF-8 NOT 2")).uses_sequence_numbers);
  EXPECT_FALSE(traits_of(parsed("a UID SEARCH UID 1:5")).uses_sequence_numbers);
  EXPECT_FALSE(traits_of(parsed("a FETCH 1 FLAGS")).may_send_expunge);
  EXPECT_TRUE(traits_of(parsed("a UID FETCH 1 FLAGS")).may_send_expunge);
  EXPECT_TRUE(traits_of(parsed("a COPY 1 x")).may_send_expunge);
  EXPECT_TRUE(traits_of(parsed("a NOOP")).may_send_expunge);
  EXPECT_TRUE(traits_of(parsed("a FETCH 1 BODY[]")).writes_messages);
  EXPECT_TRUE(traits_of(parsed("a FETCH 1 RFC822.TEXT")).writes_messages);
  EXPECT_FALSE(traits_of(parsed("a FETCH 1 (BODY.PEEK[] RFC822.HEADER)")).writes_messages);
  EXPECT_TRUE(traits_of(parsed("a IDLE")).exclusive);
}

TEST(Concurrency, Rfc9051Section5_5) {
  auto together = [](const std::string& running, const std::string& next) {
    return may_run_concurrently(parsed(running), parsed(next));
  };
  // The RFC's examples of sequences that must wait.
  EXPECT_FALSE(together("a NOOP", "b STORE 1 +FLAGS (\\Seen)"));        // FETCH + NOOP + STORE
  EXPECT_FALSE(together("a STORE 1 +FLAGS (\\Seen)", "b COPY 1 x"));    // STORE + COPY + FETCH
  EXPECT_FALSE(together("a COPY 1 x", "b FETCH 1 FLAGS"));
  EXPECT_FALSE(together("a COPY 1 x", "b COPY 2 x"));                    // COPY + COPY
  EXPECT_FALSE(together("a CHECK", "b FETCH 1 FLAGS"));                  // CHECK + FETCH
  // And of sequences that may overlap.
  EXPECT_TRUE(together("a FETCH 1 FLAGS", "b STORE 1 +FLAGS (\\Seen)"));
  EXPECT_TRUE(together("a SEARCH ALL", "b FETCH 1 FLAGS"));
  EXPECT_TRUE(together("a UID FETCH 1 FLAGS", "b UID STORE 1 +FLAGS (\\Seen)"));
  EXPECT_TRUE(together("a STATUS x (MESSAGES)", "b LIST \"\" *"));
  // Exclusive commands and writers.
  EXPECT_FALSE(together("a SELECT x", "b NOOP"));
  EXPECT_FALSE(together("a NOOP", "b SELECT x"));
  EXPECT_FALSE(together("a FETCH 1 BODY[]", "b FETCH 1 FLAGS"));
  EXPECT_FALSE(together("a UID EXPUNGE 1", "b FETCH 1 FLAGS"));
  EXPECT_FALSE(together("a UID EXPUNGE 1", "b UID FETCH 1 FLAGS"));
  EXPECT_TRUE(together("a UID EXPUNGE 1", "b LIST \"\" *"));
}

}  // namespace
}  // namespace atrium::imap
