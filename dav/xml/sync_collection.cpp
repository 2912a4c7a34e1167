// DAV:sync-collection: token, level, limit, prop.
#include "dav/xml/sync_collection.hpp"

#include <utility>

namespace atrium::dav::xml {

Result<std::optional<std::uint32_t>> parse_nresults(const Element* limit, std::string_view nresults_ns) {
  if (!limit) return std::optional<std::uint32_t>{};
  const Element* n = limit->child(nresults_ns, "nresults");
  if (!n) return Error{ErrorKind::missing_element, "limit without nresults"};
  const std::string text = n->trimmed_text();
  if (text.empty() || text.size() > 9) return Error{ErrorKind::invalid_value, "nresults " + text};
  std::uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Error{ErrorKind::invalid_value, "nresults " + text};
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (v == 0) return Error{ErrorKind::invalid_value, "nresults 0"};
  return std::optional<std::uint32_t>{v};
}

Result<SyncCollection> parse_sync_collection(const Element& root) {
  SyncCollection s;
  const Element* token = root.child(ns::dav, "sync-token");
  if (!token) return Error{ErrorKind::missing_element, "sync-collection without DAV:sync-token"};
  s.sync_token = token->trimmed_text();
  if (const Element* level = root.child(ns::dav, "sync-level")) {
    const std::string v = level->trimmed_text();
    if (v == "1") {
      s.level = SyncLevel::one;
    } else if (v == "infinite" || v == "infinity") {
      s.level = SyncLevel::infinite;
    } else {
      return Error{ErrorKind::invalid_value, "sync-level " + v};
    }
  }
  auto limit = parse_nresults(root.child(ns::dav, "limit"), ns::dav);
  if (auto* err = std::get_if<Error>(&limit)) return std::move(*err);
  s.limit = std::get<std::optional<std::uint32_t>>(limit);
  auto prop = parse_prop_request(root, PropChoice::prop_only);
  if (auto* err = std::get_if<Error>(&prop)) return std::move(*err);
  s.prop = std::move(std::get<PropRequest>(prop));
  return s;
}

}  // namespace atrium::dav::xml
