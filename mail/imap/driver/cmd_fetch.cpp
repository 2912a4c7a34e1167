// FETCH and UID FETCH: flags and metadata from the store's rows, ENVELOPE and BODYSTRUCTURE from
// the cached metadata or the MIME parser, sections and BINARY from the blob; CHANGEDSINCE and
// VANISHED (RFC 7162); the implicit \Seen of BODY[] (RFC 9051 §6.4.5).
//
// Memory stays bounded whatever is fetched: blob files are mapped, not read, and a literal of
// k_stream_min octets or more is sent straight from the mapping in k_chunk pieces; a batch of
// messages ends once k_batch_bytes of response text are pending.
#include "mail/imap/driver/session_impl.hpp"

#include "mail/imap/date_time.hpp"
#include "mail/imap/response.hpp"
#include "mail/mime/bodystructure.hpp"
#include "mail/mime/envelope.hpp"
#include "mail/mime/section.hpp"
#include "mail/mime/structure.hpp"
#include "storage/blob_content.hpp"
#include "storage/blobs.hpp"
#include "storage/items.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace atrium::imap {
namespace {

namespace mime = mail::mime;

// Messages read and formatted per store read at most: bounds memory for FETCH 1:* on a big
// mailbox, together with the bytes of response text a batch may hold.
constexpr std::size_t k_batch = 256;
constexpr std::size_t k_batch_bytes = 2 << 20;
constexpr std::size_t k_stream_min = 64 << 10;  // literals this large are sent from the blob
constexpr std::size_t k_chunk = 256 << 10;      // bytes handed to the connection at a time

bool needs_content(const FetchAttribute& a, bool cached_structure) {
  switch (a.item) {
    case FetchItem::rfc822:
    case FetchItem::rfc822_header:
    case FetchItem::rfc822_text:
    case FetchItem::body_section:
    case FetchItem::binary:
    case FetchItem::binary_size:
    case FetchItem::body: return true;  // built from the message (only BODYSTRUCTURE is cached)
    case FetchItem::envelope:
    case FetchItem::body_structure: return !cached_structure;
    default: return false;
  }
}

// Whether `a` reads the top-level header and nothing after it (RFC822.HEADER, BODY[HEADER],
// BODY[HEADER.FIELDS (...)], BODY[HEADER.FIELDS.NOT (...)]).
bool header_only(const FetchAttribute& a) {
  if (a.item == FetchItem::rfc822_header) return true;
  return a.item == FetchItem::body_section && a.section.part.empty() &&
         (a.section.text == SectionText::header || a.section.text == SectionText::header_fields ||
          a.section.text == SectionText::header_fields_not);
}

// Whether `prefix` holds the whole top-level header: the empty line that ends it lies within.
bool holds_header(std::string_view prefix) {
  return mime::locate_header(prefix).root().header_end < prefix.size();
}

// Whether `a` reads at most the top-level header and body bounds of the message (no part
// number, no MIME structure): then the message's structure need not be parsed.
bool top_level_only(const FetchAttribute& a) {
  switch (a.item) {
    case FetchItem::rfc822:
    case FetchItem::rfc822_header:
    case FetchItem::rfc822_text: return true;
    case FetchItem::body_section: return a.section.part.empty() && a.section.text != SectionText::mime;
    default: return false;
  }
}

// Whether any attribute needs the cached metadata (ENVELOPE, BODYSTRUCTURE, the thread).
bool needs_meta(const FetchAttribute& a) {
  return a.item == FetchItem::envelope || a.item == FetchItem::body_structure || a.item == FetchItem::thread_id;
}

mime::SectionSpec to_spec(const Section& s) {
  mime::SectionSpec spec;
  spec.part = s.part;
  spec.fields = s.fields;
  switch (s.text) {
    case SectionText::none: spec.text = mime::SectionSpec::Text::none; break;
    case SectionText::header: spec.text = mime::SectionSpec::Text::header; break;
    case SectionText::header_fields: spec.text = mime::SectionSpec::Text::header_fields; break;
    case SectionText::header_fields_not: spec.text = mime::SectionSpec::Text::header_fields_not; break;
    case SectionText::text: spec.text = mime::SectionSpec::Text::text; break;
    case SectionText::mime: spec.text = mime::SectionSpec::Text::mime; break;
  }
  return spec;
}

// The section as the response names it: "1.2.HEADER.FIELDS (From To)".
std::string section_name(const Section& s, WireCharset charset) {
  std::string out;
  for (std::size_t i = 0; i < s.part.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(s.part[i]);
  }
  auto add = [&](std::string_view word) {
    if (!out.empty()) out += '.';
    out += word;
  };
  switch (s.text) {
    case SectionText::none: break;
    case SectionText::header: add("HEADER"); break;
    case SectionText::header_fields: add("HEADER.FIELDS"); break;
    case SectionText::header_fields_not: add("HEADER.FIELDS.NOT"); break;
    case SectionText::text: add("TEXT"); break;
    case SectionText::mime: add("MIME"); break;
  }
  if (!s.fields.empty()) {
    out += " (";
    for (std::size_t i = 0; i < s.fields.size(); ++i) {
      if (i) out += ' ';
      append_astring(out, s.fields[i], charset);
    }
    out += ')';
  }
  return out;
}

struct Row {
  storage::messages::Detail detail;
  std::shared_ptr<const storage::BlobContent> content;
};

// Responses under construction: text, with large literals kept as views into their blob (held
// alive by `hold`) to be sent in chunks after the text before them.
struct Outcome {
  struct Piece {
    std::string text;
    std::string_view bytes;
    std::shared_ptr<const void> hold;  // keeps `bytes` alive
  };
  std::vector<Piece> pieces;
  std::size_t text_bytes = 0;
  std::size_t consumed = 0;  // messages of the batch handled
  bool unknown_cte = false;

  std::string& text() {
    if (pieces.empty() || !pieces.back().bytes.empty()) pieces.emplace_back();
    return pieces.back().text;
  }
  void append(std::string_view t) {
    text() += t;
    text_bytes += t.size();
  }
  // A literal of `data` ("~{n}" when `literal8`): copied when small or not held, else a view
  // kept alive by `hold`.
  void literal(std::string_view data, bool literal8, std::shared_ptr<const void> hold) {
    append(fmt::format("{}{{{}}}\r\n", literal8 ? "~" : "", data.size()));
    if (data.size() < k_stream_min || !hold) {
      append(data);
      return;
    }
    pieces.push_back({{}, data, std::move(hold)});
  }
};

// Appends "<origin>" and the partial content as a literal (RFC 9051: an origin past the end
// gives an empty string).
void append_partial(Outcome& out, std::string_view bytes, const std::optional<Partial>& partial, bool binary,
                    std::shared_ptr<const void> hold) {
  std::string_view sent = bytes;
  if (partial) {
    out.append(fmt::format("<{}>", partial->offset));
    sent = partial->offset >= bytes.size() ? std::string_view() : bytes.substr(partial->offset, partial->length);
  }
  out.append(" ");
  bool has_nul = binary && sent.find('\0') != std::string_view::npos;
  out.literal(sent, has_nul, std::move(hold));
}

class Formatter {
 public:
  Formatter(Session::Impl& s, const Fetch& f, const MailboxView& view) : s_(s), f_(f), view_(view) {}

  // One "* n FETCH (...)" line for `row`; `seen_set` adds FLAGS when \Seen was set implicitly.
  void format(const Row& row, bool seen_set, Outcome& out) {
    const auto& m = row.detail.summary;
    std::string_view content = row.content ? row.content->view() : std::string_view();
    // Sections of the top-level message only need its header located, not the MIME tree: the
    // common FETCH of BODY.PEEK[HEADER.FIELDS (...)] never reads past the header.
    bool cached = !row.detail.meta.envelope.empty() && !row.detail.meta.bodystructure.empty() &&
                  s_.charset() == WireCharset::modified_utf7;
    bool shallow = std::all_of(f_.attrs.begin(), f_.attrs.end(), [&](const FetchAttribute& a) {
      return !needs_content(a, cached) || top_level_only(a);
    });
    std::optional<mime::Message> parsed;
    auto structure = [&]() -> const mime::Message& {
      if (!parsed) parsed = shallow ? mime::locate_header(content) : mime::parse_structure(content);
      return *parsed;
    };
    auto charset = s_.charset();
    auto mime_charset = charset == WireCharset::utf8 ? mime::ImapCharset::utf8_accept : mime::ImapCharset::ascii;

    out.append(fmt::format("* {} FETCH (", view_.sequence_of(m.uid).value_or(0)));
    bool first = true;
    auto add = [&](std::string_view text) {
      if (!first) out.append(" ");
      first = false;
      out.append(text);
    };
    // An item whose value is a literal: its name now, the literal straight after. `hold` keeps
    // `bytes` alive (nullptr: they are copied).
    auto add_literal = [&](std::string_view name, std::string_view bytes, const std::optional<Partial>& partial,
                           bool binary, std::shared_ptr<const void> hold) {
      add(name);
      append_partial(out, bytes, partial, binary, std::move(hold));
    };
    // A section is a range of the blob (sent from it) or built (HEADER.FIELDS: small, copied).
    auto section_hold = [&](const mime::SectionContent& sc) -> std::shared_ptr<const void> {
      return std::holds_alternative<mime::ByteRange>(sc.data) ? row.content : nullptr;
    };
    bool uid_sent = false, flags_sent = false;
    if (f_.uid) {
      add(fmt::format("UID {}", m.uid));
      uid_sent = true;
    }
    for (const auto& a : f_.attrs) {
      switch (a.item) {
        case FetchItem::uid:
          if (!uid_sent) add(fmt::format("UID {}", m.uid));
          uid_sent = true;
          break;
        case FetchItem::flags:
          add("FLAGS " + s_.flag_list(m.flags, m.keywords, view_.is_recent(m.uid)));
          flags_sent = true;
          break;
        case FetchItem::internal_date: add("INTERNALDATE " + format_date_time(m.internal_date, 0)); break;
        case FetchItem::rfc822_size: add(fmt::format("RFC822.SIZE {}", m.size)); break;
        case FetchItem::modseq: add(fmt::format("MODSEQ ({})", m.modseq)); break;
        case FetchItem::email_id: add(fmt::format("EMAILID ({})", email_object_id(m.blob_hash))); break;
        case FetchItem::thread_id:
          // A message stored without metadata (none at all) has no thread: NIL (RFC 8474 §5.2).
          add(row.detail.meta.thread_id > 0 ? fmt::format("THREADID ({})", thread_object_id(row.detail.meta.thread_id))
                                            : std::string("THREADID NIL"));
          break;
        case FetchItem::save_date:
          add(m.saved_at > 0 ? "SAVEDATE " + format_date_time(m.saved_at, 0) : std::string("SAVEDATE NIL"));
          break;
        case FetchItem::envelope:
          if (!row.detail.meta.envelope.empty() && charset == WireCharset::modified_utf7) {
            add("ENVELOPE " + row.detail.meta.envelope);
          } else {
            add("ENVELOPE " + mime::imap_envelope(content, structure(), 0, {mime_charset}));
          }
          break;
        case FetchItem::body_structure:
          if (!row.detail.meta.bodystructure.empty() && charset == WireCharset::modified_utf7) {
            add("BODYSTRUCTURE " + row.detail.meta.bodystructure);
          } else {
            add("BODYSTRUCTURE " + mime::imap_bodystructure(content, structure(), {mime_charset}));
          }
          break;
        case FetchItem::body: add("BODY " + mime::imap_body(content, structure(), {mime_charset})); break;
        case FetchItem::rfc822: add_literal("RFC822", content, std::nullopt, false, row.content); break;
        case FetchItem::rfc822_header:
        case FetchItem::rfc822_text: {
          mime::SectionSpec spec;
          spec.text = a.item == FetchItem::rfc822_header ? mime::SectionSpec::Text::header : mime::SectionSpec::Text::text;
          auto sc = mime::fetch_section(content, structure(), spec);
          add_literal(a.item == FetchItem::rfc822_header ? "RFC822.HEADER" : "RFC822.TEXT",
                      mime::section_bytes(content, sc), std::nullopt, false, section_hold(sc));
          break;
        }
        case FetchItem::body_section: {
          auto sc = mime::fetch_section(content, structure(), to_spec(a.section));
          add_literal("BODY[" + section_name(a.section, charset) + "]", mime::section_bytes(content, sc), a.partial, false,
                      section_hold(sc));
          break;
        }
        case FetchItem::binary: {
          auto bc = mime::fetch_binary(content, structure(), a.section.part);
          if (bc.status == mime::BinaryStatus::unknown_cte) {
            out.unknown_cte = true;
            return;
          }
          // Decoded content moves into a holder of its own and is sent from there, not copied.
          std::shared_ptr<const void> hold = row.content;
          std::string_view bytes = mime::binary_bytes(content, bc);
          if (auto* decoded = std::get_if<std::string>(&bc.data)) {
            auto owned = std::make_shared<const std::string>(std::move(*decoded));
            bytes = *owned;
            hold = std::move(owned);
          }
          add_literal("BINARY[" + section_name(a.section, charset) + "]", bytes, a.partial, true, std::move(hold));
          break;
        }
        case FetchItem::binary_size: {
          auto size = mime::binary_size(content, structure(), a.section.part);
          if (!size && mime::fetch_binary(content, structure(), a.section.part).status == mime::BinaryStatus::unknown_cte) {
            out.unknown_cte = true;
            return;
          }
          add(fmt::format("BINARY.SIZE[{}] {}", section_name(a.section, charset), size.value_or(0)));
          break;
        }
      }
    }
    if (seen_set && !flags_sent) add("FLAGS " + s_.flag_list(m.flags, m.keywords, view_.is_recent(m.uid)));
    if (s_.modseqs_on() && std::none_of(f_.attrs.begin(), f_.attrs.end(),
                                        [](const FetchAttribute& a) { return a.item == FetchItem::modseq; })) {
      // RFC 7162 §3.1.4.1: once CONDSTORE is on, FETCH responses carry MODSEQ.
      if (f_.changed_since) add(fmt::format("MODSEQ ({})", m.modseq));
    }
    out.append(")\r\n");
  }

 private:
  Session::Impl& s_;
  const Fetch& f_;
  const MailboxView& view_;
};

}  // namespace

asio::awaitable<void> run_fetch(Session::Impl& s, const Command& c) {
  const auto& f = std::get<Fetch>(c.body);
  bool bad = false;
  auto uids = s.resolve(f.set, f.uid, &bad);
  if (bad) {
    s.tagged(c.tag, "BAD", "Message sequence number out of range");
    co_return;
  }
  if (f.changed_since) s.enabled.condstore = true;
  if (f.vanished && !s.enabled.qresync) {
    s.tagged(c.tag, "BAD", "VANISHED needs ENABLE QRESYNC");
    co_return;
  }
  auto& sel = *s.selected();
  Account who = sel.account;
  auto id = sel.view->id();
  const MailboxView& view = *sel.view;

  // VANISHED (EARLIER): UIDs in the set expunged since CHANGEDSINCE (RFC 7162 §3.2.6).
  if (f.vanished && f.changed_since) {
    auto since = static_cast<storage::Modseq>(*f.changed_since);
    auto changes = co_await s.read([&](storage::ReadTxn& t) {
      return storage::items::changes_since(t, who.actor(), id, since, 1000000);
    });
    std::vector<std::uint32_t> gone;
    // "*" here is the highest UID the mailbox ever gave out: expunged ones are above the view's.
    SequenceSet::Bounds bounds{static_cast<std::uint32_t>(view.uidnext() - 1)};
    for (const auto& ch : changes) {
      if (ch.op != storage::ChangeOp::item_deleted || !ch.uid) continue;
      auto u = static_cast<std::uint32_t>(*ch.uid);
      if (!view.sequence_of(*ch.uid) && f.set.contains(u, bounds)) gone.push_back(u);
    }
    std::sort(gone.begin(), gone.end());
    gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
    if (!gone.empty()) s.untagged("VANISHED (EARLIER) " + format_sequence_set(gone));
  }

  // Implicit \Seen first, so the FLAGS sent reflect it.
  bool sets_seen_any = view.access() == Access::read_write &&
                       std::any_of(f.attrs.begin(), f.attrs.end(), [](const FetchAttribute& a) { return sets_seen(a); });
  std::vector<storage::Uid> seen_now;
  if (sets_seen_any && !uids.empty()) {
    auto shared = std::make_shared<const std::vector<storage::Uid>>(uids);
    auto job = [who, id, shared](storage::WriteTxn& t) {
      return storage::messages::store_flags(t, who.actor(), id, *shared,
                                            {storage::messages::FlagOp::add, storage::flag_seen, {}});
    };
    auto result = co_await s.write(std::move(job));
    for (const auto& m : result.changed) seen_now.push_back(m.uid);
    sel.view->reported(result.changed);
  }

  Formatter formatter(s, f, view);
  // Only ENVELOPE and BODYSTRUCTURE read the cached metadata: FETCH 1:* (FLAGS) skips the join.
  auto meta = std::any_of(f.attrs.begin(), f.attrs.end(), needs_meta) ? storage::messages::Meta::with
                                                                       : storage::messages::Meta::without;
  bool unknown_cte = false;
  for (std::size_t start = 0; start < uids.size() && !unknown_cte;) {
    std::vector<storage::Uid> batch(uids.begin() + static_cast<std::ptrdiff_t>(start),
                                    uids.begin() + static_cast<std::ptrdiff_t>(std::min(uids.size(), start + k_batch)));
    Outcome out = co_await s.read([&](storage::ReadTxn& t) {
      Outcome o;
      auto details = storage::messages::fetch(t, who.actor(), id, batch, meta);
      // Messages of the batch already expunged are not in `details`: count them as handled.
      std::size_t next = 0;  // index into batch
      for (auto& d : details) {
        if (o.text_bytes >= k_batch_bytes) break;
        while (next < batch.size() && batch[next] <= d.summary.uid) ++next;
        o.consumed = next;
        if (f.changed_since && d.summary.modseq <= static_cast<storage::Modseq>(*f.changed_since)) continue;
        // The cached forms are the 7-bit ones; a UTF8=ACCEPT session gets freshly built ones.
        bool cached = !d.meta.envelope.empty() && !d.meta.bodystructure.empty() &&
                      s.charset() == WireCharset::modified_utf7;
        bool content = std::any_of(f.attrs.begin(), f.attrs.end(), [&](const FetchAttribute& a) { return needs_content(a, cached); });
        // Only the header asked for (the usual message list): read up to its end, not the rest.
        bool header = content && std::all_of(f.attrs.begin(), f.attrs.end(), [&](const FetchAttribute& a) {
          return !needs_content(a, cached) || header_only(a);
        });
        Row row{std::move(d), nullptr};
        if (content) {
          const auto& hash = row.detail.summary.blob_hash;
          auto blob = header ? storage::open_blob_prefix(t, s.services.store.blobs(), hash, holds_header)
                             : storage::open_blob(t, s.services.store.blobs(), hash);
          if (!blob) continue;  // the blob is gone: the message was expunged meanwhile
          row.content = std::make_shared<const storage::BlobContent>(std::move(*blob));
        }
        bool seen_set = std::binary_search(seen_now.begin(), seen_now.end(), row.detail.summary.uid);
        formatter.format(row, seen_set, o);
        if (o.unknown_cte) break;
      }
      if (o.text_bytes < k_batch_bytes) o.consumed = batch.size();
      return o;
    });
    if (out.unknown_cte) {
      unknown_cte = true;
      break;
    }
    start += std::max<std::size_t>(out.consumed, 1);
    for (const auto& piece : out.pieces) {
      s.out += piece.text;
      for (std::size_t off = 0; off < piece.bytes.size(); off += k_chunk) {
        s.out.append(piece.bytes.substr(off, k_chunk));
        if (!co_await s.flush()) co_return;
      }
    }
    if (!co_await s.flush()) co_return;
  }
  if (unknown_cte) {
    s.tagged(c.tag, "NO", "[UNKNOWN-CTE] Cannot decode that part's content transfer encoding");
    co_return;
  }
  co_await s.announce_changes(f.uid ? Session::Impl::Announce::all : Session::Impl::Announce::no_expunges, f.uid);
  s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
}

}  // namespace atrium::imap
