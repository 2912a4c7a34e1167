// SEARCH and UID SEARCH with ESEARCH (RFC 4731) and SEARCHRES (RFC 5182) result forms. Keys on
// flags, sizes, dates, UIDs and modseqs use the store's rows. TEXT, BODY, FROM, TO, CC, BCC,
// SUBJECT (and HEADER on those five fields) ask the full-text index (word-prefix match); the few
// messages stored since the indexer's cursor are read instead. Without an index, when it is far
// behind for longer than the caller waits, and for other HEADER fields, the message is read
// (decoded, case-insensitive substring match).
#include "mail/imap/driver/session_impl.hpp"

#include "core/log/log.hpp"
#include "core/text/ascii.hpp"
#include "mail/imap/driver/header_date.hpp"
#include "mail/imap/response.hpp"
#include "mail/mime/header.hpp"
#include "mail/mime/rfc2047.hpp"
#include "mail/mime/search_text.hpp"
#include "mail/mime/structure.hpp"
#include "storage/blobs.hpp"
#include "storage/search/index.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>

namespace atrium::imap {
namespace {

namespace mime = mail::mime;
using storage::search::Scope;

// Results of the keys the full-text index answered, by key.
using IndexedSets = std::map<const SearchKey*, std::vector<storage::Uid>>;

// The index scope of a key it can answer.
std::optional<Scope> index_scope(const SearchKey& k) {
  switch (k.op) {
    case SearchOp::text: return Scope::text;
    case SearchOp::body: return Scope::body;
    case SearchOp::from: return Scope::from;
    case SearchOp::to: return Scope::to;
    case SearchOp::cc: return Scope::cc;
    case SearchOp::bcc: return Scope::bcc;
    case SearchOp::subject: return Scope::subject;
    case SearchOp::header: {
      const auto& h = std::get<HeaderMatch>(k.arg);
      if (h.value.empty()) return std::nullopt;  // "has the field": read the header
      if (text::iequals(h.name, "From")) return Scope::from;
      if (text::iequals(h.name, "To")) return Scope::to;
      if (text::iequals(h.name, "Cc")) return Scope::cc;
      if (text::iequals(h.name, "Bcc")) return Scope::bcc;
      if (text::iequals(h.name, "Subject")) return Scope::subject;
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

const std::string& index_query(const SearchKey& k) {
  if (k.op == SearchOp::header) return std::get<HeaderMatch>(k.arg).value;
  return std::get<std::string>(k.arg);
}

void collect_indexable(const SearchKey& k, std::vector<const SearchKey*>& out) {
  if (index_scope(k)) out.push_back(&k);
  for (const auto& c : k.children) collect_indexable(c, out);
}

// Whether `k` can be evaluated from UIDs and sequence numbers alone.
bool row_free(const SearchKey& k, const IndexedSets& sets) {
  if (sets.contains(&k)) return true;
  switch (k.op) {
    case SearchOp::uid:
    case SearchOp::sequence_set: return true;
    case SearchOp::and_:
    case SearchOp::or_:
    case SearchOp::not_:
      return std::all_of(k.children.begin(), k.children.end(), [&](const SearchKey& c) { return row_free(c, sets); });
    default: return false;
  }
}

// Whether every message `k` matches is known to be stored (an index result), so a message
// expunged elsewhere but still in the view cannot match, as the row scan would skip it.
bool only_stored(const SearchKey& k, const IndexedSets& sets) {
  if (sets.contains(&k)) return true;
  switch (k.op) {
    case SearchOp::and_:
      return std::any_of(k.children.begin(), k.children.end(), [&](const SearchKey& c) { return only_stored(c, sets); });
    case SearchOp::or_:
      return std::all_of(k.children.begin(), k.children.end(), [&](const SearchKey& c) { return only_stored(c, sets); });
    default: return false;
  }
}

// Whether evaluating `k` needs the message rows (flags, sizes, dates...).
bool needs_rows(const SearchKey& k, const IndexedSets& sets) { return !(row_free(k, sets) && only_stored(k, sets)); }

bool needs_content(const SearchKey& k, const IndexedSets& sets) {
  if (sets.contains(&k)) return false;
  switch (k.op) {
    case SearchOp::bcc:
    case SearchOp::body:
    case SearchOp::cc:
    case SearchOp::from:
    case SearchOp::subject:
    case SearchOp::text:
    case SearchOp::to:
    case SearchOp::header:
    case SearchOp::sent_before:
    case SearchOp::sent_on:
    case SearchOp::sent_since: return true;
    default: break;
  }
  return std::any_of(k.children.begin(), k.children.end(), [&](const SearchKey& c) { return needs_content(c, sets); });
}

bool uses_modseq(const SearchKey& k) {
  if (k.op == SearchOp::modseq) return true;
  return std::any_of(k.children.begin(), k.children.end(), [](const SearchKey& c) { return uses_modseq(c); });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = text::ascii_lower(ch);
  return out;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  return lower(haystack).find(lower(needle)) != std::string::npos;
}

struct Candidate {
  const storage::messages::Summary* m = nullptr;
  std::uint32_t seq = 0;
  std::string_view content;                    // empty unless a key needs it
  const mime::HeaderBlock* header = nullptr;
  const mime::SearchText* text = nullptr;
};

class Matcher {
 public:
  Matcher(const Session::Impl& s, const MailboxView& view, std::int64_t now, const IndexedSets& sets)
      : s_(s), view_(view), now_(now), sets_(sets) {}

  bool match(const SearchKey& k, const Candidate& c) const {
    const auto& m = *c.m;
    if (auto found = sets_.find(&k); found != sets_.end()) {
      return std::binary_search(found->second.begin(), found->second.end(), m.uid);
    }
    auto day = [](std::int64_t t) { return (t >= 0 ? t : t - 86399) / 86400; };
    auto arg_date = [&]() { return std::get<Date>(k.arg).days_since_epoch(); };
    auto str = [&]() -> const std::string& { return std::get<std::string>(k.arg); };
    auto header_has = [&](std::string_view line_prefix) {
      // SearchText::headers holds one decoded line per address/subject header.
      std::string_view all = c.text ? std::string_view(c.text->headers) : std::string_view();
      std::size_t pos = 0;
      while (pos < all.size()) {
        auto end = all.find('\n', pos);
        auto line = all.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (line.size() >= line_prefix.size() && text::iequals(line.substr(0, line_prefix.size()), line_prefix) &&
            icontains(line.substr(line_prefix.size()), str())) {
          return true;
        }
        if (end == std::string_view::npos) break;
        pos = end + 1;
      }
      return false;
    };
    switch (k.op) {
      case SearchOp::all: return true;
      case SearchOp::answered: return m.flags & storage::flag_answered;
      case SearchOp::deleted: return m.flags & storage::flag_deleted;
      case SearchOp::draft: return m.flags & storage::flag_draft;
      case SearchOp::flagged: return m.flags & storage::flag_flagged;
      case SearchOp::seen: return m.flags & storage::flag_seen;
      case SearchOp::unanswered: return !(m.flags & storage::flag_answered);
      case SearchOp::undeleted: return !(m.flags & storage::flag_deleted);
      case SearchOp::undraft: return !(m.flags & storage::flag_draft);
      case SearchOp::unflagged: return !(m.flags & storage::flag_flagged);
      case SearchOp::unseen: return !(m.flags & storage::flag_seen);
      case SearchOp::recent: return view_.is_recent(m.uid);
      case SearchOp::new_: return view_.is_recent(m.uid) && !(m.flags & storage::flag_seen);
      case SearchOp::old: return !view_.is_recent(m.uid);
      case SearchOp::saved_date_supported: return true;
      case SearchOp::keyword:
      case SearchOp::unkeyword: {
        bool has = false;
        for (const auto& kw : storage::messages::split_keywords(m.keywords)) has = has || text::iequals(kw, str());
        return k.op == SearchOp::keyword ? has : !has;
      }
      case SearchOp::email_id: return email_object_id(m.blob_hash) == str();
      case SearchOp::thread_id: return false;
      case SearchOp::from: return header_has("From:");
      case SearchOp::to: return header_has("To:");
      case SearchOp::cc: return header_has("Cc:");
      case SearchOp::bcc: return header_has("Bcc:");
      case SearchOp::subject: return header_has("Subject:");
      case SearchOp::body: return c.text && icontains(c.text->body, str());
      case SearchOp::text:
        return (c.header && icontains(c.content.substr(0, c.header->body_offset), str())) ||
               (c.text && (icontains(c.text->headers, str()) || icontains(c.text->body, str())));
      case SearchOp::header: {
        const auto& h = std::get<HeaderMatch>(k.arg);
        if (!c.header) return false;
        for (const auto& f : c.header->fields) {
          if (!text::iequals(f.name, h.name)) continue;
          if (h.value.empty() || icontains(mime::decode_header_text(f.value), h.value) || icontains(f.value, h.value)) {
            return true;
          }
        }
        return false;
      }
      case SearchOp::before: return day(m.internal_date) < arg_date();
      case SearchOp::on: return day(m.internal_date) == arg_date();
      case SearchOp::since: return day(m.internal_date) >= arg_date();
      case SearchOp::saved_before: return day(m.saved_at) < arg_date();
      case SearchOp::saved_on: return day(m.saved_at) == arg_date();
      case SearchOp::saved_since: return day(m.saved_at) >= arg_date();
      case SearchOp::sent_before:
      case SearchOp::sent_on:
      case SearchOp::sent_since: {
        if (!c.header) return false;
        auto date = mime::first_value(*c.header, "Date");
        auto parsed = date ? parse_header_date(*date) : std::nullopt;
        if (!parsed) return false;
        auto d = std::optional<std::int64_t>(parsed->day.days_since_epoch());
        if (k.op == SearchOp::sent_before) return *d < arg_date();
        if (k.op == SearchOp::sent_on) return *d == arg_date();
        return *d >= arg_date();
      }
      case SearchOp::larger: return static_cast<std::uint64_t>(m.size) > std::get<std::uint64_t>(k.arg);
      case SearchOp::smaller: return static_cast<std::uint64_t>(m.size) < std::get<std::uint64_t>(k.arg);
      case SearchOp::older: return now_ - m.internal_date > static_cast<std::int64_t>(std::get<std::uint64_t>(k.arg));
      case SearchOp::younger:
        return now_ - m.internal_date <= static_cast<std::int64_t>(std::get<std::uint64_t>(k.arg));
      case SearchOp::modseq: return static_cast<std::uint64_t>(m.modseq) >= std::get<ModSeqMatch>(k.arg).modseq;
      case SearchOp::sequence_set: {
        const auto& set = std::get<SequenceSet>(k.arg);
        if (set.saved) return s_.saved_valid && std::binary_search(s_.saved.begin(), s_.saved.end(), m.uid);
        return set.contains(c.seq, {view_.exists()});
      }
      case SearchOp::uid: {
        const auto& set = std::get<SequenceSet>(k.arg);
        if (set.saved) return s_.saved_valid && std::binary_search(s_.saved.begin(), s_.saved.end(), m.uid);
        return set.contains(static_cast<std::uint32_t>(m.uid), {static_cast<std::uint32_t>(view_.max_uid())});
      }
      case SearchOp::and_:
        return std::all_of(k.children.begin(), k.children.end(), [&](const SearchKey& ch) { return match(ch, c); });
      case SearchOp::or_:
        return std::any_of(k.children.begin(), k.children.end(), [&](const SearchKey& ch) { return match(ch, c); });
      case SearchOp::not_: return !k.children.empty() && !match(k.children.front(), c);
    }
    return false;
  }

 private:
  const Session::Impl& s_;
  const MailboxView& view_;
  std::int64_t now_;
  const IndexedSets& sets_;
};

struct Hit {
  storage::Uid uid = 0;
  std::uint32_t seq = 0;
  storage::Modseq modseq = 0;
};

// A message's decoded header and search text, read for the keys that need its content.
struct Content {
  std::optional<std::string> blob;
  std::optional<mime::HeaderBlock> header;
  std::optional<mime::SearchText> text;

  void load(storage::ReadTxn& t, Session::Impl& s, const storage::messages::Summary& m, Candidate& cand) {
    blob = storage::read_blob(t, s.services.store.blobs(), m.blob_hash);
    if (!blob) return;
    cand.content = *blob;
    header = mime::read_headers(*blob);
    text = mime::extract_search_text(*blob, mime::parse_structure(*blob));
    cand.header = &*header;
    cand.text = &*text;
  }
};

// Messages stored after the indexer's cursor that a search reads itself rather than wait for the
// index; with more than this, it waits.
constexpr std::size_t k_max_unindexed = 500;

// Adds to each index result the messages among `unindexed` that the index would find: each is
// turned into the document the indexer will make of it and matched by the index's own rule, so
// an answer does not change once the indexer has caught up. The quick document (no external
// decoders) decides a match; a miss on a message with attachments is checked on the full one.
void scan_unindexed(Session::Impl& s, const Account& who, const MailboxView& view, std::span<const storage::Uid> unindexed,
                    const std::vector<const SearchKey*>& keys, IndexedSets& sets) {
  const auto& index = *s.services.search;
  s.services.store.read([&](storage::ReadTxn& t) {
    auto rows = storage::messages::fetch(t, who.actor(), view.id(), unindexed, storage::messages::Meta::without);
    for (const auto& d : rows) {
      using Extraction = storage::search::Index::Extraction;
      const auto& hash = d.summary.blob_hash;
      auto read = [&] { return storage::read_blob(t, s.services.store.blobs(), hash); };
      auto doc = index.prepared(storage::ItemKind::message, hash, read, Extraction::quick);
      if (!doc) continue;
      std::shared_ptr<const storage::search::Prepared> full;
      for (const SearchKey* k : keys) {
        auto found = sets.find(k);
        if (found == sets.end()) continue;
        auto scope = *index_scope(*k);
        bool hit = doc->matches(scope, index_query(*k));
        if (!hit && doc->partial()) {
          if (!full) full = index.prepared(storage::ItemKind::message, hash, read, Extraction::full);
          hit = full && full->matches(scope, index_query(*k));
        }
        if (hit) found->second.push_back(d.summary.uid);
      }
    }
    return 0;
  });
  for (auto& [k, uids] : sets) {
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  }
}

// Asks the full-text index for every key it can answer. The index is complete up to its cursor;
// the messages of the mailbox stored after it (a handful while deliveries keep the indexer busy)
// are read and matched here, so a search sees every commit made before it without waiting for
// the indexer. Only when many are missing (a burst, a rebuild) does it wait, up to the configured
// time. Keys the index cannot answer are left out of the result (the caller reads the messages
// for them).
IndexedSets ask_index(Session::Impl& s, const Account& who, const MailboxView& view, const SearchKey& key) {
  IndexedSets sets;
  auto* index = s.services.search;
  if (!index) return sets;
  std::vector<const SearchKey*> keys;
  collect_indexable(key, keys);
  if (keys.empty()) return sets;
  auto owner = view.mailbox().account_id;
  auto mailbox = view.id();
  std::vector<storage::Uid> unindexed;
  if (!index->wait_current(owner, std::chrono::milliseconds(0))) {
    auto stats = index->stats();  // read before the index's readers open: they see at least this
    bool few = false;
    if (stats.initial_build_done) {
      unindexed = s.services.store.read([&](storage::ReadTxn& t) {
        return storage::messages::created_after_change(t, who.actor(), mailbox, stats.cursor, k_max_unindexed + 1);
      });
      few = unindexed.size() <= k_max_unindexed;
    }
    if (!few) {
      unindexed.clear();
      if (!index->wait_current(owner, s.services.search_wait)) {
        log::warn("imap.search_index_behind", "account", owner, "waited_ms", s.services.search_wait.count());
        return sets;
      }
    }
  }
  for (const SearchKey* k : keys) {
    if (auto uids = index->find(owner, mailbox, *index_scope(*k), index_query(*k))) sets.emplace(k, std::move(*uids));
  }
  if (!unindexed.empty() && !sets.empty()) scan_unindexed(s, who, view, unindexed, keys, sets);
  return sets;
}

void collect_thread_keys(const SearchKey& k, std::vector<const SearchKey*>& out) {
  if (k.op == SearchOp::thread_id) out.push_back(&k);
  for (const auto& c : k.children) collect_thread_keys(c, out);
}

// THREADID keys become UID sets of this mailbox, one index scan each; an objectid that is not one
// of ours matches nothing.
void add_thread_sets(Session::Impl& s, const Account& who, storage::CollectionId mailbox, const SearchKey& key,
                     IndexedSets& sets) {
  std::vector<const SearchKey*> keys;
  collect_thread_keys(key, keys);
  if (keys.empty()) return;
  s.services.store.read([&](storage::ReadTxn& t) {
    for (const SearchKey* k : keys) {
      auto thread = parse_thread_object_id(std::get<std::string>(k->arg));
      sets[k] = thread ? storage::messages::thread_uids(t, who.actor(), mailbox, *thread) : std::vector<storage::Uid>{};
    }
    return 0;
  });
}

// Evaluates `key` over the selected mailbox in one read transaction. Blocking: store pool.
std::vector<Hit> search_hits(Session::Impl& s, const SearchKey& key) {
  const auto& sel = std::get<Selected>(s.state);
  Account who = sel.account;
  auto id = sel.view->id();
  const MailboxView& view = *sel.view;
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  IndexedSets sets = ask_index(s, who, view, key);
  add_thread_sets(s, who, id, key, sets);
  Matcher matcher(s, view, now, sets);
  if (!needs_rows(key, sets)) {
    // Index results combined with UID/sequence sets: the view's UIDs are all the rows needed.
    std::vector<Hit> out;
    storage::messages::Summary m;
    std::uint32_t seq = 0;
    for (auto uid : view.uids()) {
      m.uid = uid;
      Candidate cand{&m, ++seq, {}, nullptr, nullptr};
      if (matcher.match(key, cand)) out.push_back({uid, seq, 0});
    }
    return out;
  }
  bool content = needs_content(key, sets);
  return s.services.store.read([&](storage::ReadTxn& t) {
    std::vector<Hit> out;
    auto rows = storage::messages::fetch(t, who.actor(), id, view.uids(), storage::messages::Meta::without);
    for (const auto& d : rows) {
      const auto& m = d.summary;
      Candidate cand{&m, view.sequence_of(m.uid).value_or(0), {}, nullptr, nullptr};
      Content loaded;
      if (content) loaded.load(t, s, m, cand);
      if (matcher.match(key, cand)) out.push_back({m.uid, cand.seq, m.modseq});
    }
    return out;
  });
}

}  // namespace

std::vector<storage::Uid> search_uids(Session::Impl& s, const SearchKey& key) {
  std::vector<storage::Uid> out;
  for (const auto& h : search_hits(s, key)) out.push_back(h.uid);
  return out;
}

asio::awaitable<void> run_sort_or_thread(Session::Impl& s, const Command& c);

asio::awaitable<void> run_search(Session::Impl& s, const Command& c) {
  if (c.name() != CommandName::search) {
    co_await run_sort_or_thread(s, c);
    co_return;
  }
  const auto& q = std::get<Search>(c.body);
  if (q.charset && !text::iequals(*q.charset, "US-ASCII") && !text::iequals(*q.charset, "UTF-8")) {
    s.tagged(c.tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
    co_return;
  }
  if (uses_saved_result(q.key) && !s.saved_valid) {
    // RFC 5182 §2.1: "$" without a saved result is an empty set; that is fine, match nothing.
  }
  if (uses_modseq(q.key)) s.enabled.condstore = true;
  // New messages are announced first (and, for UID SEARCH, expunges), so the results cover
  // everything committed before the command; the mode follows RFC 9051 §7.5.1 either way.
  bool by_sequence = !q.uid || uses_sequence_numbers(q.key);
  auto announce = by_sequence ? Session::Impl::Announce::no_expunges : Session::Impl::Announce::all;
  co_await s.announce_changes(announce, q.uid);

  std::vector<Hit> hits = co_await runtime::run_blocking(s.services.store_pool, [&] { return search_hits(s, q.key); });

  std::vector<std::uint32_t> numbers;
  storage::Modseq highest = 0;
  for (const auto& h : hits) {
    numbers.push_back(q.uid ? static_cast<std::uint32_t>(h.uid) : h.seq);
    highest = std::max(highest, h.modseq);
  }
  std::sort(numbers.begin(), numbers.end());
  bool report_modseq = uses_modseq(q.key) && !hits.empty();

  std::optional<SearchReturn> returns = q.returns;
  if (!returns && s.enabled.imap4rev2) returns = SearchReturn{.all = true};
  if (returns && returns->save) {
    s.saved.clear();
    for (const auto& h : hits) s.saved.push_back(h.uid);
    std::sort(s.saved.begin(), s.saved.end());
    s.saved_valid = true;
  }
  if (!returns) {
    std::string line = "SEARCH";
    for (auto n : numbers) line += fmt::format(" {}", n);
    if (report_modseq) line += fmt::format(" (MODSEQ {})", highest);
    s.untagged(line);
  } else {
    bool only_save = returns->save && !returns->min && !returns->max && !returns->all && !returns->count;
    if (!only_save) {
      std::string line = "ESEARCH (TAG ";
      append_string(line, c.tag, WireCharset::modified_utf7);
      line += ")";
      if (q.uid) line += " UID";
      bool all = returns->all || (!returns->min && !returns->max && !returns->count);
      if (returns->min && !numbers.empty()) line += fmt::format(" MIN {}", numbers.front());
      if (returns->max && !numbers.empty()) line += fmt::format(" MAX {}", numbers.back());
      if (returns->count) line += fmt::format(" COUNT {}", numbers.size());
      if (all && !numbers.empty()) line += " ALL " + format_sequence_set(numbers);
      if (report_modseq) line += fmt::format(" MODSEQ {}", highest);
      s.untagged(line);
    }
  }
  co_await s.announce_changes(announce, q.uid);
  s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
}

}  // namespace atrium::imap
