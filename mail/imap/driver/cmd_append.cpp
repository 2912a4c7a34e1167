// APPEND, with MULTIAPPEND (all messages in one store job: all or none), UIDPLUS APPENDUID,
// literal8 (BINARY) and UTF8 (UTF8=ACCEPT) data.
#include "mail/imap/driver/session_impl.hpp"

#include "mail/index/message_meta.hpp"
#include "mail/imap/response.hpp"
#include "storage/items.hpp"

#include <fmt/format.h>

#include <ctime>

namespace atrium::imap {

asio::awaitable<void> run_append(Session::Impl& s, const Command& c) {
  const auto& a = std::get<Append>(c.body);
  Account who = *s.account();
  std::string name = Session::Impl::store_name(a.mailbox);

  struct Prepared {
    storage::BlobRef blob;
    storage::MessageMeta meta;
    ParsedFlags flags;
    std::int64_t date = 0;
  };
  auto prepared = std::make_shared<std::vector<Prepared>>();
  std::uint64_t total = 0;
  for (const auto& m : a.messages) {
    if (m.data == AppendData::utf8 && !s.enabled.utf8_accept && !s.enabled.imap4rev2) {
      s.tagged(c.tag, "BAD", "UTF8 data needs ENABLE UTF8=ACCEPT");
      co_return;
    }
    if (m.content.size() > s.options.append_limit) {
      s.tagged(c.tag, "NO", "[TOOBIG] Message larger than APPENDLIMIT");
      co_return;
    }
    if (m.content.empty()) {
      s.tagged(c.tag, "NO", "[CANNOT] Empty message");
      co_return;
    }
    auto flags = parse_flags(m.flags);
    if (!flags) {
      s.tagged(c.tag, "BAD", "Unknown system flag");
      co_return;
    }
    total += m.content.size();
    Prepared p;
    p.flags = std::move(*flags);
    p.date = m.internal_date ? m.internal_date->to_unix_seconds() : static_cast<std::int64_t>(std::time(nullptr));
    prepared->push_back(std::move(p));
  }

  // Hashing, parsing and (for large messages) writing blob files are off the I/O thread.
  co_await runtime::run_blocking(s.services.store_pool, [&] {
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
      auto& p = (*prepared)[i];
      p.meta = mail::index::message_meta(a.messages[i].content);
      p.blob = s.services.store.blobs().stage(std::string(a.messages[i].content));
    }
  });

  struct Done {
    bool found = false;
    std::uint32_t uidvalidity = 0;
    std::vector<std::uint32_t> uids;
  };
  auto job = [who, name, prepared](storage::WriteTxn& t) {
    Done d;
    auto box = storage::collections::find(t, who.actor(), who.principal, storage::CollectionKind::mailbox, name);
    if (!box) return d;
    d.found = true;
    d.uidvalidity = box->uidvalidity;
    for (const auto& p : *prepared) {
      auto added = storage::items::add(t, who.actor(),
                                       {.collection = box->id,
                                        .kind = storage::ItemKind::message,
                                        .blob = p.blob,
                                        .internal_date = p.date,
                                        .flags = p.flags.bits,
                                        .keywords = storage::messages::join_keywords(p.flags.keywords),
                                        .meta = p.meta});
      d.uids.push_back(static_cast<std::uint32_t>(added.uid));
    }
    return d;
  };
  Done done = co_await s.write(std::move(job));
  if (!done.found) {
    s.tagged(c.tag, "NO", "[TRYCREATE] No such mailbox");
    co_return;
  }
  co_await s.announce_changes(Session::Impl::Announce::all, false);
  s.tagged(c.tag, "OK",
           fmt::format("[APPENDUID {} {}] APPEND completed", done.uidvalidity, format_sequence_set(done.uids)));
  (void)total;
}

}  // namespace atrium::imap
