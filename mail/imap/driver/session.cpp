// The session: state checks, dispatch, output and the untagged updates every command ends with.
#include "mail/imap/driver/session_impl.hpp"

#include "core/log/log.hpp"
#include "mail/imap/response.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace atrium::imap {
namespace {

// Syntax errors in a row before the server gives up on a client (RFC 9051 leaves the number to
// servers; Dovecot uses 20).
constexpr int k_max_bad_in_a_row = 20;
// announce_changes reads the store at least this often even when the hub told of no commit.
constexpr std::chrono::seconds k_refresh_interval{1};

enum class Needs { any, not_authenticated, authenticated, selected };

Needs needs(CommandName n) {
  switch (n) {
    case CommandName::capability:
    case CommandName::noop:
    case CommandName::logout:
    case CommandName::id: return Needs::any;
    case CommandName::starttls:
    case CommandName::authenticate:
    case CommandName::login: return Needs::not_authenticated;
    case CommandName::check:
    case CommandName::close:
    case CommandName::unselect:
    case CommandName::expunge:
    case CommandName::search:
    case CommandName::fetch:
    case CommandName::store:
    case CommandName::copy:
    case CommandName::move:
    case CommandName::sort:
    case CommandName::thread: return Needs::selected;
    default: return Needs::authenticated;
  }
}

}  // namespace

std::string command_label(const Command& command) {
  std::string name(command_wire_name(command.name()));
  return command.uid() ? "UID " + name : name;
}

std::string mailbox_object_id(storage::CollectionId id) {
  // An odd multiplier is a bijection on 64 bits: unique per mailbox, and not a counter that
  // tells how many mailboxes the server has.
  return fmt::format("F{:016x}", static_cast<std::uint64_t>(id) * 0x9E3779B97F4A7C15ull);
}

std::string email_object_id(const std::string& blob_hash) {
  std::string id = "M";  // (built by append: GCC 12 -O3 warns falsely on "M" + substr)
  id.append(blob_hash, 0, std::min<std::size_t>(24, blob_hash.size()));
  return id;
}

std::string thread_object_id(std::int64_t thread_id) { return fmt::format("T{}", thread_id); }

std::optional<std::int64_t> parse_thread_object_id(std::string_view objectid) {
  if (objectid.size() < 2 || objectid.size() > 19 || objectid[0] != 'T') return std::nullopt;
  std::int64_t v = 0;
  for (char c : objectid.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional<std::int64_t>(v) : std::nullopt;
}

std::optional<ParsedFlags> parse_flags(const std::vector<Flag>& flags) {
  ParsedFlags out;
  for (const auto& f : flags) {
    if (f == "\\Seen") out.bits |= storage::flag_seen;
    else if (f == "\\Answered") out.bits |= storage::flag_answered;
    else if (f == "\\Flagged") out.bits |= storage::flag_flagged;
    else if (f == "\\Deleted") out.bits |= storage::flag_deleted;
    else if (f == "\\Draft") out.bits |= storage::flag_draft;
    else if (f == "\\Recent") continue;
    else if (!f.empty() && f[0] == '\\') return std::nullopt;
    else out.keywords.push_back(f);
  }
  return out;
}

Session::Session(Services& services, SessionOptions options, Channel& channel, net::ConnectionInfo peer)
    : impl_(std::make_unique<Impl>(services, std::move(options), channel, std::move(peer))) {}

Session::~Session() = default;

bool Session::utf8_names() const { return impl_->charset() == WireCharset::utf8; }
bool Session::authenticated() const { return impl_->account() != nullptr; }

asio::awaitable<bool> Session::greet() {
  impl_->untagged(fmt::format("OK [CAPABILITY {}] {} Atrium IMAP ready", impl_->capability_list(),
                              impl_->options.hostname));
  co_return co_await impl_->flush();
}

asio::awaitable<bool> Session::reject(std::optional<std::string> tag, std::string_view reason) {
  auto& s = *impl_;
  if (++s.bad_in_a_row >= k_max_bad_in_a_row) {
    s.untagged("BYE Too many invalid commands");
    co_await s.flush();
    co_return false;
  }
  if (tag && !tag->empty()) {
    s.tagged(*tag, "BAD", reason);
  } else {
    s.untagged(fmt::format("BAD {}", reason));
  }
  co_return co_await s.flush();
}

asio::awaitable<bool> Session::refuse_literal(std::optional<std::string> tag, std::string_view reason) {
  auto& s = *impl_;
  if (tag && !tag->empty()) {
    s.tagged(*tag, "NO", fmt::format("[TOOBIG] {}", reason));
  } else {
    s.untagged(fmt::format("BAD {}", reason));
  }
  co_return co_await s.flush();
}

asio::awaitable<void> Session::bye(std::string_view text) {
  impl_->untagged(fmt::format("BYE {}", text));
  co_await impl_->flush();
}

asio::awaitable<bool> Session::execute(const Command& c) {
  auto& s = *impl_;
  s.bad_in_a_row = 0;
  if (std::holds_alternative<LoggedOut>(s.state)) co_return false;

  switch (needs(c.name())) {
    case Needs::any: break;
    case Needs::not_authenticated:
      if (s.account()) {
        s.tagged(c.tag, "BAD", "Already authenticated");
        co_return co_await s.flush();
      }
      break;
    case Needs::authenticated:
      if (!s.account()) {
        s.tagged(c.tag, "BAD", "Log in first");
        co_return co_await s.flush();
      }
      break;
    case Needs::selected:
      if (!s.selected()) {
        s.tagged(c.tag, "BAD", s.account() ? "No mailbox selected" : "Log in first");
        co_return co_await s.flush();
      }
      break;
  }

  try {
    switch (c.name()) {
      case CommandName::capability:
      case CommandName::noop:
      case CommandName::logout:
      case CommandName::id:
      case CommandName::enable:
      case CommandName::namespace_:
      case CommandName::check: co_await run_any_state(s, c); break;
      case CommandName::starttls:
      case CommandName::authenticate:
      case CommandName::login: co_await run_login(s, c); break;
      case CommandName::select:
      case CommandName::examine:
      case CommandName::close:
      case CommandName::unselect: co_await run_select(s, c); break;
      case CommandName::create:
      case CommandName::delete_:
      case CommandName::rename:
      case CommandName::subscribe:
      case CommandName::unsubscribe:
      case CommandName::status:
      case CommandName::getquota:
      case CommandName::getquotaroot:
      case CommandName::setquota:
      case CommandName::myrights:
      case CommandName::getacl:
      case CommandName::setacl:
      case CommandName::deleteacl:
      case CommandName::listrights: co_await run_mailbox(s, c); break;
      case CommandName::list:
      case CommandName::lsub: co_await run_list(s, c); break;
      case CommandName::append: co_await run_append(s, c); break;
      case CommandName::expunge:
      case CommandName::store:
      case CommandName::copy:
      case CommandName::move: co_await run_message(s, c); break;
      case CommandName::fetch: co_await run_fetch(s, c); break;
      case CommandName::search:
      case CommandName::sort:
      case CommandName::thread: co_await run_search(s, c); break;
      case CommandName::idle: co_await run_idle(s, c); break;
      case CommandName::compress:
        if (s.channel.compression_active()) {
          s.tagged(c.tag, "NO", "[COMPRESSIONACTIVE] DEFLATE is already active");
        } else {
          // The OK goes out uncompressed; everything after it is compressed.
          s.tagged(c.tag, "OK", "DEFLATE active");
          if (!co_await s.flush() || !s.channel.start_compression()) s.state = LoggedOut{};
        }
        break;
    }
  } catch (const std::exception& e) {
    s.store_failure(c.tag, e, command_label(c));
  }
  bool alive = co_await s.flush();
  co_return alive && !std::holds_alternative<LoggedOut>(s.state);
}

// ---- Impl ----

Account* Session::Impl::account() {
  if (auto* a = std::get_if<Authenticated>(&state)) return &a->account;
  if (auto* sel = std::get_if<Selected>(&state)) return &sel->account;
  return nullptr;
}

Selected* Session::Impl::selected() { return std::get_if<Selected>(&state); }

void Session::Impl::untagged(std::string_view line) {
  out += "* ";
  out += line;
  out += "\r\n";
}

void Session::Impl::tagged(const std::string& tag, std::string_view status, std::string_view line) {
  out += tag;
  out += ' ';
  out += status;
  out += ' ';
  out += line;
  out += "\r\n";
}

asio::awaitable<bool> Session::Impl::flush() {
  if (out.empty()) co_return true;
  std::string bytes;
  bytes.swap(out);
  co_return co_await channel.write(std::move(bytes));
}

std::string Session::Impl::capability_list() const {
  std::string caps = "IMAP4rev1 IMAP4rev2";
  bool tls = channel.tls_active();
  if (!account()) {
    if (!tls && channel.tls_available()) caps += " STARTTLS";
    if (tls || options.cleartext_login) {
      caps += " AUTH=PLAIN AUTH=LOGIN SASL-IR";
    } else {
      caps += " LOGINDISABLED";
    }
    caps += " LITERAL+ ENABLE ID";
    return caps;
  }
  caps +=
      " LITERAL+ ENABLE ID IDLE NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE CREATE-SPECIAL-USE"
      " LIST-EXTENDED LIST-STATUS STATUS=SIZE CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN SAVEDATE"
      " OBJECTID BINARY UTF8=ACCEPT MULTIAPPEND QUOTA QUOTA=RES-STORAGE SORT SORT=DISPLAY"
      " THREAD=ORDEREDSUBJECT THREAD=REFERENCES COMPRESS=DEFLATE";
  caps += fmt::format(" APPENDLIMIT={}", options.append_limit);
  return caps;
}

std::string Session::Impl::wire_mailbox(std::string_view name) const {
  // Always a string, never a bare atom: clients parse Dovecot's quoted form best.
  std::string out;
  if (charset() == WireCharset::utf8) {
    append_string(out, name, charset());
  } else {
    auto encoded = utf8_to_modified_utf7(name);
    append_string(out, encoded ? *encoded : std::string(name), charset());
  }
  return out;
}

asio::awaitable<std::optional<storage::Collection>> Session::Impl::find_mailbox(const std::string& name) {
  Account who = *account();
  std::string store = store_name(name);
  co_return co_await read([&](storage::ReadTxn& t) {
    return storage::collections::find(t, who.actor(), who.principal, storage::CollectionKind::mailbox, store);
  });
}

std::string Session::Impl::flag_list(std::uint32_t flags, const std::string& keywords, bool recent) const {
  std::string out = "(";
  auto add = [&](std::string_view f) {
    if (out.size() > 1) out += ' ';
    out += f;
  };
  if (flags & storage::flag_seen) add("\\Seen");
  if (flags & storage::flag_answered) add("\\Answered");
  if (flags & storage::flag_flagged) add("\\Flagged");
  if (flags & storage::flag_deleted) add("\\Deleted");
  if (flags & storage::flag_draft) add("\\Draft");
  if (recent && rev1()) add("\\Recent");
  for (const auto& k : storage::messages::split_keywords(keywords)) add(k);
  out += ')';
  return out;
}

std::string Session::Impl::fetch_flags_line(const MailboxView& view, const storage::messages::Summary& m,
                                            bool with_uid) const {
  auto seq = view.sequence_of(m.uid);
  std::string line = fmt::format("{} FETCH (", seq.value_or(0));
  if (with_uid || enabled.qresync) line += fmt::format("UID {} ", m.uid);
  line += "FLAGS " + flag_list(m.flags, m.keywords, view.is_recent(m.uid));
  if (modseqs_on()) line += fmt::format(" MODSEQ ({})", m.modseq);
  line += ')';
  return line;
}

void Session::Impl::announce_expunged(const std::vector<storage::Uid>& expunged,
                                      const std::vector<storage::Uid>& view_before) {
  if (expunged.empty()) return;
  if (enabled.qresync) {
    std::vector<std::uint32_t> u(expunged.begin(), expunged.end());
    untagged("VANISHED " + format_sequence_set(u));
    return;
  }
  for (auto n : expunge_sequence_numbers(view_before, expunged)) untagged(fmt::format("{} EXPUNGE", n));
}

CommitCount CommitCount::watch(storage::NotifyHub& hub, storage::PrincipalId account) {
  CommitCount c;
  c.subscription = hub.subscribe(account, [commits = c.commits](const storage::Notification&) {
    commits->fetch_add(1, std::memory_order_acq_rel);
  });
  c.refreshed = std::chrono::steady_clock::now();
  return c;
}

asio::awaitable<void> Session::Impl::announce_changes(Announce what, bool uid_command, Refresh refresh) {
  auto* sel = selected();
  if (!sel) co_return;
  MailboxView& view = *sel->view;
  auto expunges = what == Announce::all ? MailboxView::Expunges::tell : MailboxView::Expunges::hold;
  // Nothing committed to the account since the last refresh, and no expunge held back to tell
  // now: the store has nothing new for this view. Commits by another process (the admin CLI) do
  // not reach the hub; the store is read at least every k_refresh_interval for them.
  const auto now = std::chrono::steady_clock::now();
  const std::uint64_t commits = sel->commits.count();
  const bool nothing_new = commits == sel->commits.seen && now - sel->commits.refreshed < k_refresh_interval &&
                           !(expunges == MailboxView::Expunges::tell && view.holds_expunges());
  if (refresh == Refresh::after_commit && nothing_new) {
    co_return;
  }
  auto before = view.uids();
  auto recent_before = view.recent_count();
  Account who = sel->account;
  ViewUpdate update = co_await read([&](storage::ReadTxn& t) { return view.refresh(t, who.actor(), expunges); });
  sel->commits.seen = commits;
  sel->commits.refreshed = now;
  if (update.mailbox_gone) {
    untagged("BYE The selected mailbox was deleted");
    state = LoggedOut{};
    co_return;
  }
  announce_expunged(update.expunged, before);
  if (update.exists) {
    untagged(fmt::format("{} EXISTS", update.exists));
    if (rev1() && view.recent_count() != recent_before) untagged(fmt::format("{} RECENT", view.recent_count()));
  }
  for (const auto& m : update.flag_changes) untagged(fetch_flags_line(view, m, uid_command));
}

std::vector<storage::Uid> Session::Impl::resolve(const SequenceSet& set, bool uid, bool* bad) const {
  const auto& sel = std::get<Selected>(state);
  const MailboxView& view = *sel.view;
  std::vector<storage::Uid> out;
  if (set.saved) {
    if (!saved_valid) return out;
    for (auto u : saved) {
      if (view.sequence_of(u)) out.push_back(u);
    }
    return out;
  }
  const auto& uids = view.uids();
  if (uid) {
    SequenceSet::Bounds b{static_cast<std::uint32_t>(view.max_uid())};
    for (const auto& r : set.resolve(b)) {
      auto lo = std::lower_bound(uids.begin(), uids.end(), static_cast<storage::Uid>(r.first));
      auto hi = std::upper_bound(uids.begin(), uids.end(), static_cast<storage::Uid>(r.last));
      out.insert(out.end(), lo, hi);
    }
    return out;
  }
  if (set.highest_explicit() > view.exists() && bad) *bad = true;
  set.for_each({view.exists()}, [&](std::uint32_t n) { out.push_back(uids[n - 1]); });
  return out;
}

void Session::Impl::store_failure(const std::string& tag, const std::exception& e, std::string_view what) {
  if (auto* se = dynamic_cast<const storage::StoreError*>(&e)) {
    switch (se->code()) {
      case storage::Errc::not_found: tagged(tag, "NO", "[NONEXISTENT] No such mailbox or message"); return;
      case storage::Errc::conflict: tagged(tag, "NO", "[ALREADYEXISTS] It exists already"); return;
      case storage::Errc::access_denied: tagged(tag, "NO", "[NOPERM] Permission denied"); return;
      case storage::Errc::quota: tagged(tag, "NO", "[OVERQUOTA] Quota exceeded"); return;
      case storage::Errc::invalid: tagged(tag, "NO", fmt::format("[CANNOT] {}", se->what())); return;
      case storage::Errc::unavailable:
        tagged(tag, "NO", "[UNAVAILABLE] Temporary failure, try again");
        log::warn("imap.store_unavailable", "conn", peer.id, "command", what, "reason", se->what());
        return;
      case storage::Errc::corrupt: break;
    }
  }
  log::error("imap.command_failed", "conn", peer.id, "command", what, "reason", e.what());
  tagged(tag, "NO", "[SERVERBUG] Internal error");
}

}  // namespace atrium::imap
