// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS, the QUOTA commands and MYRIGHTS.
#include "mail/imap/driver/session_impl.hpp"

#include "core/text/ascii.hpp"
#include "mail/imap/response.hpp"
#include "storage/directory.hpp"

#include <fmt/format.h>

namespace atrium::imap {
namespace {

namespace sc = storage::collections;
constexpr auto k_mailbox = storage::CollectionKind::mailbox;

// "a/b/" means "a/b" (a trailing delimiter announces an intent to have children).
std::string trim_delimiter(std::string name) {
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  return name;
}

bool is_inbox(const std::string& name) { return name == "INBOX"; }

// Creates `name` and any missing parents in one job; the USE attribute goes to `name` only.
void create_with_parents(storage::WriteTxn& t, const Account& who, const std::string& name,
                         const std::string& special_use) {
  if (sc::find(t, who.actor(), who.principal, k_mailbox, name)) {
    throw storage::StoreError(storage::Errc::conflict, "mailbox exists");
  }
  for (std::size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
    std::string parent = name.substr(0, slash);
    if (!sc::find(t, who.actor(), who.principal, k_mailbox, parent)) {
      sc::create(t, who.actor(), {who.principal, k_mailbox, parent, ""});
    }
  }
  sc::create(t, who.actor(), {who.principal, k_mailbox, name, special_use});
}

bool has_children(storage::ReadTxn& t, const Account& who, const std::string& name) {
  std::string prefix = name + "/";
  for (const auto& c : sc::list(t, who.actor(), who.principal, k_mailbox)) {
    if (c.name.starts_with(prefix)) return true;
  }
  return false;
}

std::string status_items(Session::Impl& s, const std::vector<StatusItem>& items, const storage::messages::Status& st,
                         storage::CollectionId id) {
  std::string out;
  auto add = [&](std::string_view name, auto value) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{} {}", name, value);
  };
  for (auto item : items) {
    switch (item) {
      case StatusItem::messages: add("MESSAGES", st.messages); break;
      case StatusItem::uid_next: add("UIDNEXT", st.uidnext); break;
      case StatusItem::uid_validity: add("UIDVALIDITY", st.uidvalidity); break;
      case StatusItem::unseen: add("UNSEEN", st.unseen); break;
      case StatusItem::deleted: add("DELETED", st.deleted); break;
      case StatusItem::size: add("SIZE", st.size); break;
      case StatusItem::recent: add("RECENT", st.recent); break;
      case StatusItem::highest_modseq: add("HIGHESTMODSEQ", std::max<storage::Modseq>(st.highest_modseq, 1)); break;
      case StatusItem::append_limit: add("APPENDLIMIT", s.options.append_limit); break;
      case StatusItem::mailbox_id: add("MAILBOXID", "(" + mailbox_object_id(id) + ")"); break;
      case StatusItem::deleted_storage: add("DELETED-STORAGE", 0); break;
    }
  }
  return out;
}

}  // namespace

// Shared with LIST-STATUS: the "* STATUS" line for one mailbox, or empty when it cannot be read.
std::string status_line(Session::Impl& s, const std::string& name, const std::vector<StatusItem>& items,
                        const storage::messages::Status& st, storage::CollectionId id) {
  return fmt::format("STATUS {} ({})", s.wire_mailbox(name), status_items(s, items, st, id));
}

asio::awaitable<void> run_mailbox(Session::Impl& s, const Command& c) {
  Account who = *s.account();
  switch (c.name()) {
    case CommandName::create: {
      const auto& cr = std::get<Create>(c.body);
      std::string name = trim_delimiter(Session::Impl::store_name(cr.mailbox));
      if (is_inbox(name)) {
        s.tagged(c.tag, "NO", "[ALREADYEXISTS] INBOX exists");
        co_return;
      }
      static constexpr std::string_view k_known[] = {"\\All", "\\Archive", "\\Drafts", "\\Flagged",
                                                     "\\Junk", "\\Sent", "\\Trash"};
      if (cr.special_use.size() > 1) {
        s.tagged(c.tag, "NO", "[USEATTR] One special-use attribute per mailbox");
        co_return;
      }
      std::string use;
      if (!cr.special_use.empty()) {
        use = cr.special_use.front();
        bool known = false;
        for (auto k : k_known) known = known || k == use;
        if (!known || use == "\\All" || use == "\\Flagged") {
          s.tagged(c.tag, "NO", "[USEATTR] That special-use attribute is not supported");
          co_return;
        }
      }
      co_await s.write([&](storage::WriteTxn& t) { create_with_parents(t, who, name, use); });
      s.tagged(c.tag, "OK", "CREATE completed");
      co_return;
    }
    case CommandName::delete_: {
      std::string name = Session::Impl::store_name(std::get<Delete>(c.body).mailbox);
      if (is_inbox(name)) {
        s.tagged(c.tag, "NO", "[CANNOT] INBOX cannot be deleted");
        co_return;
      }
      co_await s.write([&](storage::WriteTxn& t) {
        auto box = sc::find(t, who.actor(), who.principal, k_mailbox, name);
        if (!box) throw storage::StoreError(storage::Errc::not_found, "no such mailbox");
        // As Dovecot: children first, so nobody loses a subtree by one command.
        if (has_children(t, who, name)) {
          throw storage::StoreError(storage::Errc::invalid, "Mailbox has children, delete them first");
        }
        sc::remove(t, who.actor(), box->id);
      });
      s.tagged(c.tag, "OK", "DELETE completed");
      co_return;
    }
    case CommandName::rename: {
      const auto& r = std::get<Rename>(c.body);
      std::string from = Session::Impl::store_name(r.from);
      std::string to = trim_delimiter(Session::Impl::store_name(r.to));
      if (is_inbox(to)) {
        s.tagged(c.tag, "NO", "[ALREADYEXISTS] INBOX exists");
        co_return;
      }
      co_await s.write([&](storage::WriteTxn& t) {
        auto box = sc::find(t, who.actor(), who.principal, k_mailbox, from);
        if (!box) throw storage::StoreError(storage::Errc::not_found, "no such mailbox");
        if (sc::find(t, who.actor(), who.principal, k_mailbox, to)) {
          throw storage::StoreError(storage::Errc::conflict, "target exists");
        }
        for (std::size_t slash = to.find('/'); slash != std::string::npos; slash = to.find('/', slash + 1)) {
          std::string parent = to.substr(0, slash);
          if (!sc::find(t, who.actor(), who.principal, k_mailbox, parent)) {
            sc::create(t, who.actor(), {who.principal, k_mailbox, parent, ""});
          }
        }
        if (from == "INBOX") {
          // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new name; INBOX stays.
          auto target = sc::create(t, who.actor(), {who.principal, k_mailbox, to, ""});
          std::vector<storage::Uid> all;
          for (const auto& m : storage::messages::list(t, who.actor(), box->id)) all.push_back(m.uid);
          storage::messages::transfer(t, who.actor(), box->id, all, target.id, storage::messages::Transfer::move);
          return;
        }
        sc::rename(t, who.actor(), box->id, to);
        storage::messages::rename_subscriptions(t, who.principal, from, to);
      });
      s.tagged(c.tag, "OK", "RENAME completed");
      co_return;
    }
    case CommandName::subscribe:
    case CommandName::unsubscribe: {
      bool sub = c.name() == CommandName::subscribe;
      std::string name = Session::Impl::store_name(sub ? std::get<Subscribe>(c.body).mailbox
                                                       : std::get<Unsubscribe>(c.body).mailbox);
      co_await s.write([&](storage::WriteTxn& t) {
        if (sub) {
          storage::messages::subscribe(t, who.principal, name);
        } else {
          storage::messages::unsubscribe(t, who.principal, name);
        }
      });
      s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
      co_return;
    }
    case CommandName::status: {
      const auto& st = std::get<Status>(c.body);
      std::string name = Session::Impl::store_name(st.mailbox);
      struct Result {
        std::optional<storage::Collection> box;
        storage::messages::Status status;
      };
      auto r = co_await s.read([&](storage::ReadTxn& t) {
        Result out;
        out.box = sc::find(t, who.actor(), who.principal, k_mailbox, name);
        if (out.box) out.status = storage::messages::status(t, who.actor(), out.box->id);
        return out;
      });
      if (!r.box) {
        s.tagged(c.tag, "NO", "[NONEXISTENT] No such mailbox");
        co_return;
      }
      s.untagged(status_line(s, name, st.items, r.status, r.box->id));
      s.tagged(c.tag, "OK", "STATUS completed");
      co_return;
    }
    case CommandName::getquotaroot:
    case CommandName::getquota: {
      auto p = co_await s.read([&](storage::ReadTxn& t) { return storage::directory::get_principal(t, who.principal); });
      bool limited = p && p->quota_bytes > 0;
      std::string quota = limited ? fmt::format("QUOTA \"\" (STORAGE {} {})", (p->used_bytes + 1023) / 1024,
                                                p->quota_bytes / 1024)
                                  : std::string();
      if (c.name() == CommandName::getquotaroot) {
        std::string name = Session::Impl::store_name(std::get<GetQuotaRoot>(c.body).mailbox);
        s.untagged(fmt::format("QUOTAROOT {}{}", s.wire_mailbox(name), limited ? " \"\"" : ""));
        if (limited) s.untagged(quota);
        s.tagged(c.tag, "OK", "GETQUOTAROOT completed");
      } else if (!limited || !std::get<GetQuota>(c.body).root.empty()) {
        s.tagged(c.tag, "NO", "[NONEXISTENT] No such quota root");
      } else {
        s.untagged(quota);
        s.tagged(c.tag, "OK", "GETQUOTA completed");
      }
      co_return;
    }
    case CommandName::setquota:
      s.tagged(c.tag, "NO", "[NOPERM] Quotas are set by the administrator");
      co_return;
    case CommandName::myrights: {
      std::string name = Session::Impl::store_name(std::get<MyRights>(c.body).mailbox);
      auto rights = co_await s.read([&](storage::ReadTxn& t) -> std::optional<std::string> {
        auto box = sc::find(t, who.actor(), who.principal, k_mailbox, name);
        if (!box) return std::nullopt;
        return storage::rights_to_string(storage::effective_rights(t, who.actor(), *box));
      });
      if (!rights) {
        s.tagged(c.tag, "NO", "[NONEXISTENT] No such mailbox");
        co_return;
      }
      s.untagged(fmt::format("MYRIGHTS {} {}", s.wire_mailbox(name), *rights));
      s.tagged(c.tag, "OK", "MYRIGHTS completed");
      co_return;
    }
    default:
      // GETACL, SETACL, DELETEACL, LISTRIGHTS arrive with sharing; ACL is not advertised.
      s.tagged(c.tag, "NO", "[CANNOT] Not supported yet");
      co_return;
  }
}

}  // namespace atrium::imap
