// DAV request headers that need no I/O: Depth (RFC 4918 §10.2), If-Match / If-None-Match entity
// tag lists (RFC 9110 §13.1.1-2) and Destination (RFC 4918 §10.3) for COPY and MOVE.
#pragma once

#include "dav/xml/href.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::dav {

enum class Depth { zero, one, infinity };

// The Depth a method assumes when the header is absent: infinity for PROPFIND, COPY, MOVE, LOCK
// and DELETE (RFC 4918 §9.1, §9.8.3, §9.9.2, §9.10.3, §9.6.1); zero for everything else (REPORT,
// RFC 3253 §3.6). `method` is upper-case.
Depth default_depth(std::string_view method);

// "0", "1" or "infinity" (case-insensitive, surrounding spaces ignored). An absent header (nullopt)
// gives `absent`. nullopt for any other value: the caller answers 400.
std::optional<Depth> parse_depth(std::optional<std::string_view> header, Depth absent);

struct EntityTag {
  std::string opaque;  // between the quotes
  bool weak = false;   // W/"…"

  friend bool operator==(const EntityTag&, const EntityTag&) = default;
};

// An If-Match / If-None-Match value: "*" or a comma-separated list of entity tags.
struct EtagCondition {
  bool any = false;  // "*"
  std::vector<EntityTag> tags;

  friend bool operator==(const EtagCondition&, const EtagCondition&) = default;
};

// Parses the header value; nullopt when malformed (unquoted tags, "*" mixed with tags, an empty
// list) so the caller can answer 400. Empty list elements (", ,") are skipped as RFC 9110 §5.6.1
// allows.
std::optional<EtagCondition> parse_etag_condition(std::string_view header);

// If-Match (strong comparison, RFC 9110 §13.1.1): true when the condition holds for a resource
// whose current entity tag is `current` (the opaque part, no quotes), or nullopt when it does not
// exist.
bool if_match_holds(const EtagCondition& c, const std::optional<std::string_view>& current);

// If-None-Match (weak comparison, RFC 9110 §13.1.2): true when the condition holds, i.e. the
// request may proceed.
bool if_none_match_holds(const EtagCondition& c, const std::optional<std::string_view>& current);

enum class DestinationError {
  malformed,     // not an absolute http(s) URI or absolute path, or userinfo present
  other_server,  // scheme/authority differ from the request's: 502 (RFC 4918 §9.8.5)
  bad_path,      // the path fails decode_path
};

// Destination: an absolute URI (http or https) whose authority equals `request_host` (the Host
// header, compared case-insensitively; default ports :80/:443 ignored on both), or an absolute
// path (accepted for clients that send one). Returns the decoded path.
std::variant<std::string, DestinationError> parse_destination(std::string_view header, std::string_view request_host);

// A DAV:href from a request body (multiget, sync and principal reports) to a decoded path: the
// same rules as Destination, since clients send both absolute paths and absolute URIs there.
inline std::variant<std::string, DestinationError> decode_href(std::string_view href, std::string_view request_host) {
  return parse_destination(href, request_host);
}

}  // namespace atrium::dav
