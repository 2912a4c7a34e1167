// Fuzz entry: paths, Depth, entity tags, Destination and the writer's escaping.
#include "tests/fuzz/dav/xml/fuzz_entries.hpp"

#include "dav/xml/document.hpp"
#include "dav/xml/headers.hpp"
#include "dav/xml/href.hpp"
#include "dav/xml/multistatus.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::dav::xml::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "dav headers fuzz: %s\n", what);
  std::abort();
}

}  // namespace

int headers_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto path = dav::decode_path(text);
  if (const std::string* p = std::get_if<std::string>(&path)) {
    require(!p->empty() && p->front() == '/', "decoded path is not absolute");
    require(p->find('\0') == std::string::npos, "decoded path holds NUL");
    require(p->find("/../") == std::string::npos && !p->ends_with("/..") && p->find("/./") == std::string::npos &&
                !p->ends_with("/."),
            "decoded path holds a dot segment");
    auto again = dav::decode_path(dav::encode_path(*p));
    require(std::holds_alternative<std::string>(again) && std::get<std::string>(again) == *p,
            "encode_path does not round-trip");
  }

  (void)dav::parse_depth(text, dav::Depth::zero);
  if (auto c = dav::parse_etag_condition(text)) {
    require(c->any || !c->tags.empty(), "an empty entity-tag list was accepted");
    require(!(c->any && !c->tags.empty()), "'*' mixed with tags");
  }
  const std::string_view host = text.substr(0, std::min<std::size_t>(text.size(), 20));
  auto dest = dav::parse_destination(text, host);
  if (const std::string* p = std::get_if<std::string>(&dest)) require(!p->empty() && p->front() == '/', "bad destination");

  // Whatever the bytes, the writer's output is well-formed XML.
  const std::string body = write_error(Node{dav_name("error-text"), std::string(text), {}, {{"a", std::string(text)}}});
  auto parsed = parse_document(body, ParseLimits{.max_bytes = body.size() + 1});
  require(std::holds_alternative<Element>(parsed), "writer output does not parse");
  return 0;
}

}  // namespace atrium::dav::xml::fuzz
