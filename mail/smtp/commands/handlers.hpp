// Internal to mail/smtp: the command handlers (one file per command in this folder) and the
// continuations that finish a command when the driver answers its request. The dispatcher has
// already checked listener, phase, TLS and authentication (command_table.hpp); handlers check
// only what is specific to the command.
#pragma once

#include "mail/smtp/command.hpp"
#include "mail/smtp/session_core.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::smtp::detail {

void run_ehlo(SessionCore& s, const Command& c);
void run_helo(SessionCore& s, const Command& c);
void run_lhlo(SessionCore& s, const Command& c);
void run_mail(SessionCore& s, const Command& c);
void run_rcpt(SessionCore& s, const Command& c);
void run_data(SessionCore& s, const Command& c);
void run_bdat(SessionCore& s, const Command& c);
void run_rset(SessionCore& s, const Command& c);
void run_noop(SessionCore& s, const Command& c);
void run_quit(SessionCore& s, const Command& c);
void run_vrfy(SessionCore& s, const Command& c);
void run_help(SessionCore& s, const Command& c);
void run_starttls(SessionCore& s, const Command& c);
void run_auth(SessionCore& s, const Command& c);

// ehlo.cpp: the EHLO/LHLO response for the current state (capabilities that apply now).
Reply ehlo_reply(const SessionCore& s);
// ehlo.cpp: what every hello does: forget any transaction, remember the name and verb.
void greet(SessionCore& s, std::string name, HelloVerb verb);

// Continuations (in the file of the command that made the request).
void finish_starttls(SessionCore& s, std::string description);   // starttls.cpp
void finish_auth(SessionCore& s, const AuthResult& result);      // auth.cpp
void finish_mail(SessionCore& s, const SenderResult& result);    // mail.cpp
void finish_rcpt(SessionCore& s, const RecipientResult& result); // rcpt.cpp
void finish_delivery(SessionCore& s, const DeliveryResult& result); // message.cpp

// Input in the non-command states; each returns the octets of `in` consumed (at least one when
// `in` is not empty, so the pump always progresses).
std::size_t data_input(SessionCore& s, std::string_view in);   // data.cpp
std::size_t chunk_input(SessionCore& s, std::string_view in);  // bdat.cpp
void sasl_input(SessionCore& s, std::string_view line, bool bare_lf);  // auth.cpp
void sasl_line_too_long(SessionCore& s);                       // auth.cpp

// message.cpp: the end of DATA or of BDAT LAST: refuse the content or ask for delivery.
void finish_message(SessionCore& s);

}  // namespace atrium::smtp::detail
