// Depth, entity-tag conditions and Destination.
#include "dav/xml/headers.hpp"

namespace atrium::dav {
namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool etagc(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b == 0x21 || (b >= 0x23 && b <= 0x7E) || b >= 0x80;
}

std::string strip_default_port(std::string authority, bool https) {
  const std::string_view port = https ? ":443" : ":80";
  if (authority.ends_with(port)) authority.resize(authority.size() - port.size());
  return authority;
}

}  // namespace

Depth default_depth(std::string_view method) {
  if (method == "PROPFIND" || method == "COPY" || method == "MOVE" || method == "LOCK" || method == "DELETE") {
    return Depth::infinity;
  }
  return Depth::zero;
}

std::optional<Depth> parse_depth(std::optional<std::string_view> header, Depth absent) {
  if (!header) return absent;
  const std::string v = lower(trim(*header));
  if (v == "0") return Depth::zero;
  if (v == "1") return Depth::one;
  if (v == "infinity") return Depth::infinity;
  return std::nullopt;
}

std::optional<EtagCondition> parse_etag_condition(std::string_view header) {
  header = trim(header);
  EtagCondition out;
  if (header == "*") {
    out.any = true;
    return out;
  }
  std::size_t i = 0;
  while (i < header.size()) {
    const char c = header[i];
    if (is_ows(c) || c == ',') {
      ++i;
      continue;
    }
    EntityTag tag;
    if (header.substr(i).starts_with("W/")) {
      tag.weak = true;
      i += 2;
    }
    if (i >= header.size() || header[i] != '"') return std::nullopt;
    ++i;
    const std::size_t start = i;
    while (i < header.size() && etagc(header[i])) ++i;
    if (i >= header.size() || header[i] != '"') return std::nullopt;
    tag.opaque = std::string(header.substr(start, i - start));
    ++i;
    while (i < header.size() && is_ows(header[i])) ++i;
    if (i < header.size() && header[i] != ',') return std::nullopt;
    out.tags.push_back(std::move(tag));
  }
  if (out.tags.empty()) return std::nullopt;
  return out;
}

bool if_match_holds(const EtagCondition& c, const std::optional<std::string_view>& current) {
  if (!current) return false;
  if (c.any) return true;
  for (const EntityTag& t : c.tags) {
    if (!t.weak && t.opaque == *current) return true;
  }
  return false;
}

bool if_none_match_holds(const EtagCondition& c, const std::optional<std::string_view>& current) {
  if (!current) return true;
  if (c.any) return false;
  for (const EntityTag& t : c.tags) {
    if (t.opaque == *current) return false;
  }
  return true;
}

std::variant<std::string, DestinationError> parse_destination(std::string_view header, std::string_view request_host) {
  header = trim(header);
  std::string_view path;
  if (header.starts_with("/")) {
    path = header;
  } else {
    const std::string head = lower(header.substr(0, 8));
    bool https = false;
    std::size_t skip = 0;
    if (head.starts_with("https://")) {
      https = true;
      skip = 8;
    } else if (head.starts_with("http://")) {
      skip = 7;
    } else {
      return DestinationError::malformed;
    }
    const std::string_view rest = header.substr(skip);
    const std::size_t end = rest.find_first_of("/?#");
    const std::string_view authority = rest.substr(0, end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return DestinationError::malformed;
    if (strip_default_port(lower(authority), https) != strip_default_port(lower(trim(request_host)), https)) {
      return DestinationError::other_server;
    }
    path = end == std::string_view::npos ? std::string_view("/") : rest.substr(end);
    if (!path.starts_with("/")) path = "/";
  }
  auto decoded = decode_path(path);
  if (std::holds_alternative<PathError>(decoded)) return DestinationError::bad_path;
  return std::move(std::get<std::string>(decoded));
}

}  // namespace atrium::dav
