// Wire names of the IMAP commands and STATUS items.
#include "mail/imap/command.hpp"

#include "core/text/ascii.hpp"

#include <array>

namespace atrium::imap {
namespace {

constexpr std::array<std::string_view, command_count> command_names = {
    "CAPABILITY", "NOOP",     "LOGOUT",     "ID",          "STARTTLS",  "AUTHENTICATE", "LOGIN",
    "ENABLE",     "SELECT",   "EXAMINE",    "CREATE",      "DELETE",    "RENAME",       "SUBSCRIBE",
    "UNSUBSCRIBE", "LIST",    "LSUB",       "NAMESPACE",   "STATUS",    "APPEND",       "IDLE",
    "COMPRESS",   "GETQUOTA", "GETQUOTAROOT", "SETQUOTA",  "SETACL",    "DELETEACL",    "GETACL",
    "LISTRIGHTS", "MYRIGHTS", "CHECK",      "CLOSE",       "UNSELECT",  "EXPUNGE",      "SEARCH",
    "FETCH",      "STORE",    "COPY",       "MOVE",        "SORT",      "THREAD",
};

constexpr std::array<std::string_view, 11> status_names = {
    "MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE",
    "RECENT", "HIGHESTMODSEQ", "APPENDLIMIT", "MAILBOXID", "DELETED-STORAGE",
};
static_assert(static_cast<std::size_t>(StatusItem::deleted_storage) + 1 == status_names.size());

}  // namespace

bool Command::uid() const {
  return std::visit(
      [](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, Expunge>) {
          return c.uids.has_value();
        } else if constexpr (requires { c.uid; }) {
          return static_cast<bool>(c.uid);
        } else {
          return false;
        }
      },
      body);
}

std::string_view command_wire_name(CommandName name) { return command_names.at(static_cast<std::size_t>(name)); }

std::optional<CommandName> command_from_name(std::string_view name) {
  for (std::size_t i = 0; i < command_names.size(); ++i) {
    if (text::iequals(name, command_names[i])) return static_cast<CommandName>(i);
  }
  return std::nullopt;
}

std::string_view status_item_name(StatusItem item) { return status_names.at(static_cast<std::size_t>(item)); }

}  // namespace atrium::imap
