// SORT (RFC 5256, SORT=DISPLAY RFC 5957) and THREAD=ORDEREDSUBJECT / THREAD=REFERENCES
// (RFC 5256 §2.2 and §2.3), over the messages a search selects.
#include "mail/imap/driver/session_impl.hpp"

#include "core/text/ascii.hpp"
#include "mail/imap/driver/header_date.hpp"
#include "mail/imap/response.hpp"
#include "mail/mime/address.hpp"
#include "mail/mime/header.hpp"
#include "mail/mime/rfc2047.hpp"
#include "mail/mime/thread.hpp"
#include "storage/blobs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace atrium::imap {
namespace {

namespace mime = mail::mime;

// What sorting and threading need of one message, read once.
struct Facts {
  storage::Uid uid = 0;
  std::uint32_t seq = 0;
  std::int64_t arrival = 0;
  std::int64_t sent = 0;  // Date: header in UTC seconds, else the arrival
  std::int64_t size = 0;
  std::string subject;    // base subject, folded (i;ascii-casemap)
  bool reply = false;
  std::string from, to, cc;                      // first mailbox's local part, folded
  std::string display_from, display_to;          // display name or addr-spec, folded
  std::string message_id;
  std::vector<std::string> references;           // References, else In-Reply-To
};

std::string fold(std::string s) {
  for (auto& c : s) c = text::ascii_lower(c);
  return s;
}

void first_address(std::string_view value, std::string& mailbox, std::string& display) {
  for (const auto& a : mime::parse_address_list(value)) {
    if (a.kind != mime::Address::Kind::mailbox) continue;
    mailbox = fold(a.mailbox.value_or(""));
    if (a.name && !a.name->empty()) {
      display = fold(mime::decode_header_text(*a.name));
    } else {
      display = fold(a.mailbox.value_or("") + "@" + a.domain.value_or(""));
    }
    return;
  }
}

Facts facts_of(const storage::messages::Summary& m, std::uint32_t seq, std::string_view message) {
  Facts f;
  f.uid = m.uid;
  f.seq = seq;
  f.arrival = m.internal_date;
  f.sent = m.internal_date;
  f.size = m.size;
  auto h = mime::read_headers(message);
  if (auto v = mime::first_value(h, "Date")) {
    if (auto d = parse_header_date(*v); d && d->has_time) f.sent = d->utc_seconds;
  }
  auto subject = mime::base_subject(mime::first_value(h, "Subject").value_or(""));
  f.subject = fold(subject.text);
  f.reply = subject.is_reply_or_forward;
  std::string ignored;
  if (auto v = mime::first_value(h, "From")) first_address(*v, f.from, f.display_from);
  if (auto v = mime::first_value(h, "To")) first_address(*v, f.to, f.display_to);
  if (auto v = mime::first_value(h, "Cc")) first_address(*v, f.cc, ignored);
  if (auto v = mime::first_value(h, "Message-ID")) f.message_id = mime::parse_message_id(*v).value_or("");
  if (auto v = mime::first_value(h, "References")) f.references = mime::parse_message_ids(*v);
  if (f.references.empty()) {
    if (auto v = mime::first_value(h, "In-Reply-To")) {
      if (auto id = mime::parse_message_id(*v)) f.references.push_back(*id);
    }
  }
  return f;
}

int compare(const Facts& a, const Facts& b, SortKey k) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : y < x ? 1 : 0; };
  switch (k) {
    case SortKey::arrival: return cmp(a.arrival, b.arrival);
    case SortKey::cc: return cmp(a.cc, b.cc);
    case SortKey::date: return cmp(a.sent, b.sent);
    case SortKey::from: return cmp(a.from, b.from);
    case SortKey::size: return cmp(a.size, b.size);
    case SortKey::subject: return cmp(a.subject, b.subject);
    case SortKey::to: return cmp(a.to, b.to);
    case SortKey::display_from: return cmp(a.display_from, b.display_from);
    case SortKey::display_to: return cmp(a.display_to, b.display_to);
  }
  return 0;
}

// ---- THREAD ----

struct Node {
  std::string id;
  const Facts* message = nullptr;  // null: a placeholder for a referenced, absent message
  Node* parent = nullptr;
  std::vector<Node*> children;
};

std::int64_t thread_date(const Node* n) {
  // RFC 5256: a placeholder sorts by its first child's date.
  while (n && !n->message && !n->children.empty()) n = n->children.front();
  return n && n->message ? n->message->sent : 0;
}

void sort_children(Node* n) {
  std::stable_sort(n->children.begin(), n->children.end(), [](const Node* a, const Node* b) {
    auto da = thread_date(a), db = thread_date(b);
    if (da != db) return da < db;
    auto sa = a->message ? a->message->seq : 0, sb = b->message ? b->message->seq : 0;
    return sa < sb;
  });
  for (auto* c : n->children) sort_children(c);
}

bool is_ancestor(const Node* maybe, const Node* n) {
  for (const Node* p = n; p; p = p->parent) {
    if (p == maybe) return true;
  }
  return false;
}

void link(Node* parent, Node* child) {
  if (child->parent == parent || parent == child || is_ancestor(child, parent)) return;
  if (child->parent) {
    auto& sib = child->parent->children;
    sib.erase(std::remove(sib.begin(), sib.end(), child), sib.end());
  }
  child->parent = parent;
  parent->children.push_back(child);
}

// "(1 2 (3)(4))" style: a node, its only child continues the same list, several children nest.
void write_thread(std::string& out, const Node* n, bool uid) {
  // Placeholders without a message are skipped by promoting their children (RFC 5256 §2.2).
  if (!n->message) {
    if (n->children.size() == 1) {
      write_thread(out, n->children.front(), uid);
      return;
    }
    for (const auto* c : n->children) {
      out += '(';
      write_thread(out, c, uid);
      out += ')';
    }
    return;
  }
  out += std::to_string(uid ? static_cast<std::uint64_t>(n->message->uid) : n->message->seq);
  if (n->children.size() == 1) {
    out += ' ';
    write_thread(out, n->children.front(), uid);
  } else if (!n->children.empty()) {
    out += ' ';
    for (const auto* c : n->children) {
      out += '(';
      write_thread(out, c, uid);
      out += ')';
    }
  }
}

std::string thread_references(std::vector<Facts>& msgs, bool uid) {
  std::map<std::string, std::unique_ptr<Node>> table;
  std::vector<std::unique_ptr<Node>> anonymous;
  auto node_for = [&](const std::string& id) -> Node* {
    auto& slot = table[id];
    if (!slot) {
      slot = std::make_unique<Node>();
      slot->id = id;
    }
    return slot.get();
  };
  for (auto& m : msgs) {
    Node* self;
    if (m.message_id.empty() || (table.count(m.message_id) && table[m.message_id]->message)) {
      anonymous.push_back(std::make_unique<Node>());
      self = anonymous.back().get();
    } else {
      self = node_for(m.message_id);
    }
    self->message = &m;
    Node* prev = nullptr;
    for (const auto& ref : m.references) {
      Node* r = node_for(ref);
      if (prev && !r->parent) link(prev, r);
      prev = r;
    }
    if (prev && prev != self) {
      link(prev, self);
    } else if (self->parent && !prev) {
      auto& sib = self->parent->children;
      sib.erase(std::remove(sib.begin(), sib.end(), self), sib.end());
      self->parent = nullptr;
    }
  }
  Node root;
  for (auto& [id, n] : table) {
    if (!n->parent) root.children.push_back(n.get());
  }
  for (auto& n : anonymous) {
    if (!n->parent) root.children.push_back(n.get());
  }
  // Drop empty placeholders; group roots by base subject (RFC 5256 §2.2 step 5).
  std::vector<Node*> roots;
  for (auto* n : root.children) {
    if (!n->message && n->children.empty()) continue;
    roots.push_back(n);
  }
  std::map<std::string, Node*> by_subject;
  std::vector<Node*> merged;
  for (auto* n : roots) {
    const Node* first = n;
    while (first && !first->message && !first->children.empty()) first = first->children.front();
    std::string subject = first && first->message ? first->message->subject : "";
    if (subject.empty()) {
      merged.push_back(n);
      continue;
    }
    auto it = by_subject.find(subject);
    if (it == by_subject.end()) {
      by_subject[subject] = n;
      merged.push_back(n);
      continue;
    }
    Node* keep = it->second;
    // A reply joins the thread of the original subject as its child.
    if (keep->message && !keep->message->reply && n->message && n->message->reply) {
      link(keep, n);
    } else if (n->message && !n->message->reply && keep->message && keep->message->reply) {
      link(n, keep);
      std::replace(merged.begin(), merged.end(), keep, n);
      it->second = n;
    } else {
      merged.push_back(n);
    }
  }
  Node top;
  for (auto* n : merged) {
    if (!n->parent) top.children.push_back(n);
  }
  sort_children(&top);
  std::string out;
  for (const auto* n : top.children) {
    out += '(';
    write_thread(out, n, uid);
    out += ')';
  }
  return out;
}

std::string thread_ordered_subject(std::vector<Facts>& msgs, bool uid) {
  // Group by base subject; each group sorted by sent date; groups by their first message.
  std::map<std::string, std::vector<const Facts*>> groups;
  for (const auto& m : msgs) groups[m.subject].push_back(&m);
  std::vector<std::vector<const Facts*>> ordered;
  for (auto& [s, g] : groups) {
    std::stable_sort(g.begin(), g.end(), [](const Facts* a, const Facts* b) {
      return a->sent != b->sent ? a->sent < b->sent : a->seq < b->seq;
    });
    ordered.push_back(g);
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.front()->sent != b.front()->sent ? a.front()->sent < b.front()->sent : a.front()->seq < b.front()->seq;
  });
  std::string out;
  for (const auto& g : ordered) {
    out += '(';
    auto num = [&](const Facts* f) { return std::to_string(uid ? static_cast<std::uint64_t>(f->uid) : f->seq); };
    out += num(g.front());
    if (g.size() == 2) {
      out += ' ' + num(g[1]);
    } else if (g.size() > 2) {
      out += ' ';
      for (std::size_t i = 1; i < g.size(); ++i) out += '(' + num(g[i]) + ')';
    }
    out += ')';
  }
  return out;
}

}  // namespace

// The messages a SEARCH key selects, as the search command computes them.
std::vector<storage::Uid> search_uids(Session::Impl& s, const SearchKey& key);

asio::awaitable<void> run_sort_or_thread(Session::Impl& s, const Command& c) {
  bool sort = c.name() == CommandName::sort;
  const SearchKey& key = sort ? std::get<Sort>(c.body).key : std::get<Thread>(c.body).key;
  const std::string& charset = sort ? std::get<Sort>(c.body).charset : std::get<Thread>(c.body).charset;
  if (!text::iequals(charset, "US-ASCII") && !text::iequals(charset, "UTF-8")) {
    s.tagged(c.tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
    co_return;
  }
  auto announce = c.uid() ? Session::Impl::Announce::all : Session::Impl::Announce::no_expunges;
  co_await s.announce_changes(announce, c.uid());  // as SEARCH: results cover every earlier commit
  auto& sel = *s.selected();
  Account who = sel.account;
  auto id = sel.view->id();
  const MailboxView& view = *sel.view;
  auto uids = co_await runtime::run_blocking(s.services.store_pool, [&] { return search_uids(s, key); });
  std::vector<Facts> facts = co_await s.read([&](storage::ReadTxn& t) {
    std::vector<Facts> out;
    for (const auto& d : storage::messages::fetch(t, who.actor(), id, uids, storage::messages::Meta::without)) {
      auto content = storage::read_blob(t, s.services.store.blobs(), d.summary.blob_hash).value_or("");
      auto body = content.find("\r\n\r\n");
      out.push_back(facts_of(d.summary, view.sequence_of(d.summary.uid).value_or(0),
                             std::string_view(content).substr(0, body == std::string::npos ? content.size() : body + 2)));
    }
    return out;
  });
  std::string line;
  if (sort) {
    const auto& criteria = std::get<Sort>(c.body).criteria;
    std::stable_sort(facts.begin(), facts.end(), [&](const Facts& a, const Facts& b) {
      for (const auto& cr : criteria) {
        int r = compare(a, b, cr.key);
        if (r != 0) return cr.reverse ? r > 0 : r < 0;
      }
      return a.seq < b.seq;
    });
    line = "SORT";
    for (const auto& f : facts) line += fmt::format(" {}", c.uid() ? static_cast<std::uint64_t>(f.uid) : f.seq);
  } else {
    line = "THREAD ";
    line += std::get<Thread>(c.body).algorithm == ThreadAlgorithm::references ? thread_references(facts, c.uid())
                                                                              : thread_ordered_subject(facts, c.uid());
  }
  s.untagged(line);
  co_await s.announce_changes(announce, c.uid());
  s.tagged(c.tag, "OK", fmt::format("{} completed", command_label(c)));
}

}  // namespace atrium::imap
