// Internal to mail/pop3: the command handlers (one file per command in this folder) and the
// continuations that finish a command when the driver answers its request. The dispatcher has
// already checked the state and the cleartext-password policy (command_table.hpp); handlers
// check only what is specific to the command.
#pragma once

#include "mail/pop3/command.hpp"
#include "mail/pop3/session_core.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::pop3::detail {

void run_user(SessionCore& s, const Command& c);
void run_pass(SessionCore& s, const Command& c);
void run_stat(SessionCore& s, const Command& c);
void run_list(SessionCore& s, const Command& c);
void run_retr(SessionCore& s, const Command& c);
void run_dele(SessionCore& s, const Command& c);
void run_noop(SessionCore& s, const Command& c);
void run_rset(SessionCore& s, const Command& c);
void run_quit(SessionCore& s, const Command& c);
void run_top(SessionCore& s, const Command& c);
void run_uidl(SessionCore& s, const Command& c);
void run_capa(SessionCore& s, const Command& c);
void run_stls(SessionCore& s, const Command& c);
void run_auth(SessionCore& s, const Command& c);

// login.cpp: the part of a login PASS and AUTH share: ask the backend to verify the
// credentials, then to open the maildrop.
void request_login(SessionCore& s, std::string mechanism, std::string authcid, std::string password);
// maildrop.cpp: the index of live message `n` (1-based); otherwise replies "no such message" or
// "already deleted" and returns nullopt.
std::optional<std::size_t> live_message(SessionCore& s, MessageNumber n);
// retr.cpp: RETR and TOP: ask the driver to send message `index` after `status_line`.
void request_retrieve(SessionCore& s, std::size_t index, std::optional<std::uint64_t> body_lines,
                      std::string status_line);
// capa.cpp: the capability lines that apply now (RFC 2449 section 6).
std::vector<std::string> capabilities(const SessionCore& s);

// Continuations (in the file of the command that made the request).
void finish_starttls(SessionCore& s, std::string description);  // stls.cpp
void finish_auth(SessionCore& s, const AuthResult& result);     // login.cpp
void finish_maildrop(SessionCore& s, MaildropResult result);    // login.cpp
void finish_retrieve(SessionCore& s, RetrieveStatus status);    // retr.cpp
void finish_commit(SessionCore& s, CommitStatus status);        // quit.cpp

// auth.cpp: one SASL response line; and an over-long one (ends the exchange).
void sasl_input(SessionCore& s, std::string_view line);
void sasl_line_too_long(SessionCore& s);

}  // namespace atrium::pop3::detail
