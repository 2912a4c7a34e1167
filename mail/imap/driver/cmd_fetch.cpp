// FETCH and UID FETCH: flags and metadata from the store's rows, ENVELOPE and BODYSTRUCTURE from
// the cached metadata or the MIME parser, sections and BINARY from the blob; CHANGEDSINCE and
// VANISHED (RFC 7162); the implicit \Seen of BODY[] (RFC 9051 §6.4.5).
#include "mail/imap/driver/session_impl.hpp"

#include "mail/imap/date_time.hpp"
#include "mail/imap/response.hpp"
#include "mail/mime/bodystructure.hpp"
#include "mail/mime/envelope.hpp"
#include "mail/mime/section.hpp"
#include "mail/mime/structure.hpp"
#include "storage/blobs.hpp"
#include "storage/items.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace atrium::imap {
namespace {

namespace mime = mail::mime;

// Messages read and formatted per store read: bounds memory for FETCH 1:* on a big mailbox.
constexpr std::size_t k_batch = 256;

bool needs_content(const FetchAttribute& a, bool cached_structure) {
  switch (a.item) {
    case FetchItem::rfc822:
    case FetchItem::rfc822_header:
    case FetchItem::rfc822_text:
    case FetchItem::body_section:
    case FetchItem::binary:
    case FetchItem::binary_size: return true;
    case FetchItem::envelope:
    case FetchItem::body:
    case FetchItem::body_structure: return !cached_structure;
    default: return false;
  }
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

// Appends "<origin>" and the partial content as a literal (RFC 9051: an origin past the end
// gives an empty string).
void append_partial(std::string& out, std::string_view bytes, const std::optional<Partial>& partial, bool binary) {
  std::string_view sent = bytes;
  if (partial) {
    out += fmt::format("<{}>", partial->offset);
    sent = partial->offset >= bytes.size() ? std::string_view() : bytes.substr(partial->offset, partial->length);
  }
  out += ' ';
  bool has_nul = binary && sent.find('\0') != std::string_view::npos;
  if (has_nul) {
    append_literal8(out, sent);
  } else {
    append_literal(out, sent);
  }
}

struct Row {
  storage::messages::Detail detail;
  std::optional<std::string> content;
};

struct Outcome {
  std::string text;
  bool unknown_cte = false;
};

class Formatter {
 public:
  Formatter(Session::Impl& s, const Fetch& f, const MailboxView& view) : s_(s), f_(f), view_(view) {}

  // One "* n FETCH (...)" line for `row`; `seen_set` adds FLAGS when \Seen was set implicitly.
  void format(const Row& row, bool seen_set, Outcome& out) {
    const auto& m = row.detail.summary;
    std::string_view content = row.content ? std::string_view(*row.content) : std::string_view();
    std::optional<mime::Message> parsed;
    auto structure = [&]() -> const mime::Message& {
      if (!parsed) parsed = mime::parse_structure(content);
      return *parsed;
    };
    auto charset = s_.charset();
    auto mime_charset = charset == WireCharset::utf8 ? mime::ImapCharset::utf8_accept : mime::ImapCharset::ascii;

    std::string items;
    auto add = [&](std::string_view text) {
      if (!items.empty()) items += ' ';
      items += text;
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
        case FetchItem::thread_id: add("THREADID NIL"); break;
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
        case FetchItem::rfc822: {
          std::string item = "RFC822";
          append_partial(item, content, std::nullopt, false);
          add(item);
          break;
        }
        case FetchItem::rfc822_header:
        case FetchItem::rfc822_text: {
          mime::SectionSpec spec;
          spec.text = a.item == FetchItem::rfc822_header ? mime::SectionSpec::Text::header : mime::SectionSpec::Text::text;
          auto sc = mime::fetch_section(content, structure(), spec);
          std::string item = a.item == FetchItem::rfc822_header ? "RFC822.HEADER" : "RFC822.TEXT";
          append_partial(item, mime::section_bytes(content, sc), std::nullopt, false);
          add(item);
          break;
        }
        case FetchItem::body_section: {
          auto sc = mime::fetch_section(content, structure(), to_spec(a.section));
          std::string item = "BODY[" + section_name(a.section, charset) + "]";
          append_partial(item, mime::section_bytes(content, sc), a.partial, false);
          add(item);
          break;
        }
        case FetchItem::binary: {
          auto bc = mime::fetch_binary(content, structure(), a.section.part);
          if (bc.status == mime::BinaryStatus::unknown_cte) {
            out.unknown_cte = true;
            return;
          }
          std::string item = "BINARY[" + section_name(a.section, charset) + "]";
          append_partial(item, mime::binary_bytes(content, bc), a.partial, true);
          add(item);
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
    out.text += fmt::format("* {} FETCH ({})\r\n", view_.sequence_of(m.uid).value_or(0), items);
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
  bool unknown_cte = false;
  for (std::size_t start = 0; start < uids.size() && !unknown_cte; start += k_batch) {
    std::vector<storage::Uid> batch(uids.begin() + static_cast<std::ptrdiff_t>(start),
                                    uids.begin() + static_cast<std::ptrdiff_t>(std::min(uids.size(), start + k_batch)));
    Outcome out = co_await s.read([&](storage::ReadTxn& t) {
      Outcome o;
      auto details = storage::messages::fetch(t, who.actor(), id, batch);
      for (auto& d : details) {
        if (f.changed_since && d.summary.modseq <= static_cast<storage::Modseq>(*f.changed_since)) continue;
        // The cached forms are the 7-bit ones; a UTF8=ACCEPT session gets freshly built ones.
        bool cached = !d.meta.envelope.empty() && !d.meta.bodystructure.empty() &&
                      s.charset() == WireCharset::modified_utf7;
        bool content = std::any_of(f.attrs.begin(), f.attrs.end(), [&](const FetchAttribute& a) { return needs_content(a, cached); });
        Row row{std::move(d), std::nullopt};
        if (content) row.content = storage::read_blob(t, s.services.store.blobs(), row.detail.summary.blob_hash);
        if (content && !row.content) continue;  // the blob is gone: the message was expunged meanwhile
        bool seen_set = std::binary_search(seen_now.begin(), seen_now.end(), row.detail.summary.uid);
        formatter.format(row, seen_set, o);
        if (o.unknown_cte) break;
      }
      return o;
    });
    if (out.unknown_cte) {
      unknown_cte = true;
      break;
    }
    s.out += out.text;
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
