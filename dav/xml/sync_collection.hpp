// DAV:sync-collection REPORT bodies (RFC 6578 §3.2, §6.1).
#pragma once

#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/report_props.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace atrium::dav::xml {

enum class SyncLevel { one, infinite };

struct SyncCollection {
  std::string sync_token;  // trimmed; empty = initial sync (RFC 6578 §3.2)
  SyncLevel level = SyncLevel::one;
  std::optional<std::uint32_t> limit;  // DAV:limit/DAV:nresults (RFC 5323 §5.17)
  PropRequest prop;                    // DAV:prop only
};

// `root` is DAV:sync-collection. DAV:sync-token is required (missing_element) but may be empty.
// DAV:sync-level must be "1" or "infinite" ("infinity" is taken too) (invalid_value); an absent
// sync-level means "1", because older clients omit it. DAV:nresults must be a positive decimal (invalid_value).
Result<SyncCollection> parse_sync_collection(const Element& root);

// DAV:limit (RFC 5323 §5.17) holding DAV:nresults, shared with CARDDAV:limit. nullopt when
// `limit` is null.
Result<std::optional<std::uint32_t>> parse_nresults(const Element* limit, std::string_view nresults_ns);

}  // namespace atrium::dav::xml
