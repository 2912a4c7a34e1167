// CAPABILITY, NOOP, CHECK, LOGOUT, ID, ENABLE and NAMESPACE.
#include "mail/imap/driver/session_impl.hpp"

#include "core/log/log.hpp"
#include "core/text/ascii.hpp"
#include "mail/imap/response.hpp"

#include <fmt/format.h>

namespace atrium::imap {

asio::awaitable<void> run_any_state(Session::Impl& s, const Command& c) {
  switch (c.name()) {
    case CommandName::capability:
      s.untagged("CAPABILITY " + s.capability_list());
      s.tagged(c.tag, "OK", "CAPABILITY completed");
      break;
    case CommandName::noop:
    case CommandName::check:
      co_await s.announce_changes(Session::Impl::Announce::all, false);
      s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
      break;
    case CommandName::logout:
      s.untagged("BYE Logging out");
      s.tagged(c.tag, "OK", "LOGOUT completed");
      s.state = LoggedOut{};
      break;
    case CommandName::id: {
      const auto& id = std::get<Id>(c.body);
      if (id.fields) {
        std::string fields;
        for (const auto& [k, v] : *id.fields) {
          if (!fields.empty()) fields += ' ';
          fields += k + "=" + v.value_or("NIL");
        }
        log::info("imap.client_id", "conn", s.peer.id, "id", fields);
      }
      s.untagged("ID (\"name\" \"Atrium\" \"vendor\" \"Atrium\")");
      s.tagged(c.tag, "OK", "ID completed");
      break;
    }
    case CommandName::enable: {
      std::string turned;
      for (const auto& cap : std::get<Enable>(c.body).capabilities) {
        bool* flag = nullptr;
        if (cap == "IMAP4REV2") flag = &s.enabled.imap4rev2;
        if (cap == "UTF8=ACCEPT") flag = &s.enabled.utf8_accept;
        if (cap == "CONDSTORE") flag = &s.enabled.condstore;
        if (cap == "QRESYNC") {
          flag = &s.enabled.qresync;
          s.enabled.condstore = true;  // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3)
        }
        if (flag && !*flag) {
          *flag = true;
          turned += ' ';
          turned += cap;
        }
      }
      // RFC 5161: the ENABLED response lists only what this command turned on.
      s.untagged("ENABLED" + turned);
      s.tagged(c.tag, "OK", "ENABLE completed");
      break;
    }
    case CommandName::namespace_:
      // Personal namespace only until sharing: other users' and shared mailboxes come with ACLs.
      s.untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
      s.tagged(c.tag, "OK", "NAMESPACE completed");
      break;
    default: s.tagged(c.tag, "BAD", "Unexpected command"); break;
  }
  co_return;
}

}  // namespace atrium::imap
