// HELP (RFC 5321 section 4.1.1.8): the verbs this listener knows, from the command table.
#include "mail/smtp/command_table.hpp"
#include "mail/smtp/commands/handlers.hpp"

namespace atrium::smtp::detail {

void run_help(SessionCore& s, const Command&) { s.reply(ReplyId::help, known_verbs(s.options.mode)); }

}  // namespace atrium::smtp::detail
