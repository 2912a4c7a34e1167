// LIST (with LIST-EXTENDED, SPECIAL-USE, CHILDREN, LIST-STATUS) and LSUB.
#include "mail/imap/driver/session_impl.hpp"

#include "core/text/ascii.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace atrium::imap {
namespace {

constexpr char k_delimiter = '/';

// RFC 9051 §6.3.9 wildcards: '*' matches anything, '%' anything but the delimiter. Dynamic
// programming, so a pattern of many '*' costs O(name × pattern), never exponential time.
bool matches(std::string_view name, std::string_view pattern) {
  std::vector<char> row(name.size() + 1, 0), next(name.size() + 1, 0);
  row[0] = 1;
  for (char p : pattern) {
    std::fill(next.begin(), next.end(), 0);
    if (p == '*' || p == '%') {
      // next[j]: some i <= j with row[i] and name[i..j) free of delimiters (for '%').
      char reach = 0;
      for (std::size_t j = 0; j <= name.size(); ++j) {
        if (j > 0 && p == '%' && name[j - 1] == k_delimiter) reach = 0;
        reach = reach || row[j];
        next[j] = reach;
      }
    } else {
      for (std::size_t j = 1; j <= name.size(); ++j) next[j] = row[j - 1] && name[j - 1] == p;
    }
    row.swap(next);
  }
  return row[name.size()] != 0;
}

// INBOX matches case-insensitively (RFC 9051 §5.1): compare a name starting with INBOX against
// a pattern whose first five characters are upper-cased when they spell "inbox".
bool matches_name(const std::string& name, const std::string& pattern) {
  if (matches(name, pattern)) return true;
  if (name.starts_with("INBOX") && pattern.size() >= 5 && text::iequals(pattern.substr(0, 5), "INBOX")) {
    return matches(name, "INBOX" + pattern.substr(5));
  }
  return false;
}

struct Entry {
  std::string name;
  bool exists = true;
  bool subscribed = false;
  bool children = false;
  std::string special_use;
  storage::CollectionId id = 0;
  storage::messages::Status status;
};

}  // namespace

asio::awaitable<void> run_list(Session::Impl& s, const Command& c) {
  Account who = *s.account();
  bool lsub = c.name() == CommandName::lsub;
  List request;
  if (lsub) {
    const auto& l = std::get<Lsub>(c.body);
    request.reference = l.reference;
    request.patterns = {l.pattern};
    request.selection.subscribed = true;
  } else {
    request = std::get<List>(c.body);
  }

  // LIST "" "": the hierarchy delimiter and root.
  if (!lsub && request.patterns.size() == 1 && request.patterns[0].empty() && !request.extended) {
    s.untagged("LIST (\\Noselect) \"/\" \"\"");
    s.tagged(c.tag, "OK", "LIST completed");
    co_return;
  }

  std::vector<std::string> patterns;
  for (const auto& p : request.patterns) {
    if (p.empty()) continue;
    std::string full = request.reference + p;
    patterns.push_back(Session::Impl::store_name(full));
  }
  bool want_status = request.returns.status.has_value();
  const bool subscribed_only = request.selection.subscribed;
  const bool special_only = request.selection.special_use;

  auto entries = co_await s.read([&](storage::ReadTxn& t) {
    auto boxes = storage::collections::list(t, who.actor(), who.principal, storage::CollectionKind::mailbox);
    auto subs = storage::messages::subscriptions(t, who.principal);
    std::set<std::string> sub_set(subs.begin(), subs.end());
    std::set<std::string> names;
    for (const auto& b : boxes) names.insert(b.name);
    std::vector<Entry> out;
    auto has_child = [&](const std::string& n) {
      auto lo = names.lower_bound(n + "/");
      return lo != names.end() && lo->starts_with(n + "/");
    };
    for (const auto& b : boxes) {
      bool hit = std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return matches_name(b.name, p); });
      if (!hit) continue;
      Entry e;
      e.name = b.name;
      e.subscribed = sub_set.count(b.name) > 0;
      e.children = has_child(b.name);
      e.special_use = b.special_use;
      e.id = b.id;
      if (subscribed_only && !e.subscribed) continue;
      if (special_only && e.special_use.empty()) continue;
      if (want_status) e.status = storage::messages::status(t, who.actor(), b.id);
      out.push_back(std::move(e));
    }
    if (subscribed_only) {
      // Subscriptions to names that do not exist (any more) are listed too.
      for (const auto& n : subs) {
        if (names.count(n)) continue;
        bool hit = std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return matches_name(n, p); });
        if (!hit) continue;
        Entry e;
        e.name = n;
        e.exists = false;
        e.subscribed = true;
        out.push_back(std::move(e));
      }
      std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    }
    return out;
  });

  for (const auto& e : entries) {
    std::string attrs;
    auto add = [&](std::string_view a) {
      if (!attrs.empty()) attrs += ' ';
      attrs += a;
    };
    if (lsub) {
      if (!e.exists) add("\\Noselect");
      s.untagged(fmt::format("LSUB ({}) \"/\" {}", attrs, s.wire_mailbox(e.name)));
      continue;
    }
    if (!e.exists) {
      add("\\NonExistent");
    } else {
      add(e.children ? "\\HasChildren" : "\\HasNoChildren");
    }
    if (e.subscribed && (request.returns.subscribed || subscribed_only)) add("\\Subscribed");
    if (!e.special_use.empty()) add(e.special_use);
    s.untagged(fmt::format("LIST ({}) \"/\" {}", attrs, s.wire_mailbox(e.name)));
    if (want_status && e.exists) s.untagged(status_line(s, e.name, *request.returns.status, e.status, e.id));
  }
  s.tagged(c.tag, "OK", fmt::format("{} completed", lsub ? "LSUB" : "LIST"));
}

}  // namespace atrium::imap
