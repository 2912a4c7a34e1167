// Fuzz entry: a whole message through the structure parser and everything built on it.
#include "tests/fuzz/mail/mime/fuzz_entries.hpp"

#include "mail/mime/bodystructure.hpp"
#include "mail/mime/charset.hpp"
#include "mail/mime/envelope.hpp"
#include "mail/mime/search_text.hpp"
#include "mail/mime/section.hpp"
#include "mail/mime/structure.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace atrium::mail::mime::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "mime message fuzz: %s\n", what);
  std::abort();
}

void check_offsets(const Message& m, std::string_view msg) {
  require(!m.parts.empty() && m.size == msg.size(), "no root or wrong size");
  for (std::size_t i = 0; i < m.parts.size(); ++i) {
    const Part& p = m.parts[i];
    require(p.header_start <= p.header_end && p.header_end <= p.body_start && p.body_start <= p.body_end &&
                p.body_end <= msg.size(),
            "part offsets out of order");
    require(p.kind != PartKind::message || p.children.size() == 1, "message part without one child");
    require(p.kind != PartKind::leaf || p.children.empty(), "leaf with children");
    for (std::size_t c : p.children) {
      require(c > i && c < m.parts.size() && m.parts[c].parent == i, "broken child link");
      require(m.parts[c].header_start >= p.body_start && m.parts[c].body_end <= p.body_end, "child outside parent");
    }
  }
}

// The IMAP path of every part reachable by one (RFC 3501 §6.4.5 numbering).
void collect_paths(const Message& m, std::size_t index, std::vector<std::uint32_t> path,
                   std::vector<std::pair<std::size_t, std::vector<std::uint32_t>>>& out) {
  const Part& p = m.parts[index];
  if (p.kind == PartKind::multipart) {
    for (std::size_t n = 0; n < p.children.size(); ++n) {
      auto child_path = path;
      child_path.push_back(static_cast<std::uint32_t>(n + 1));
      out.emplace_back(p.children[n], child_path);
      const Part& c = m.parts[p.children[n]];
      if (c.kind != PartKind::leaf) collect_paths(m, p.children[n], child_path, out);
    }
  } else if (p.kind == PartKind::message) {
    const std::size_t root = p.children.front();
    if (m.parts[root].kind == PartKind::multipart) {
      collect_paths(m, root, path, out);
    } else {
      auto child_path = path;
      child_path.push_back(1);
      out.emplace_back(root, child_path);
      if (m.parts[root].kind == PartKind::message) collect_paths(m, root, child_path, out);
    }
  }
}

void check_sections(const Message& m, std::string_view msg) {
  std::vector<std::pair<std::size_t, std::vector<std::uint32_t>>> paths;
  if (m.root().kind == PartKind::leaf) {
    paths.emplace_back(0, std::vector<std::uint32_t>{1});
  } else if (m.root().kind == PartKind::message) {
    paths.emplace_back(0, std::vector<std::uint32_t>{1});
    collect_paths(m, 0, {1}, paths);
  } else {
    collect_paths(m, 0, {}, paths);
  }
  using T = SectionSpec::Text;
  const T texts[] = {T::none, T::header, T::header_fields, T::header_fields_not, T::text, T::mime};
  for (const auto& [index, path] : paths) {
    require(find_part(m, path) == index, "a part's path does not find it");
    for (T text : texts) {
      SectionSpec spec{path, text, {"From", "Subject", "content-type"}};
      const SectionContent c = fetch_section(msg, m, spec);
      if (const auto* r = std::get_if<ByteRange>(&c.data)) {
        require(r->offset <= msg.size() && r->length <= msg.size() - r->offset, "section range outside message");
      } else {
        const std::string& built = std::get<std::string>(c.data);
        require(built.size() >= 2 && built.compare(built.size() - 2, 2, "\r\n") == 0,
                "HEADER.FIELDS does not end with CRLF");
        require(built.size() <= msg.size() * 2 + 2, "HEADER.FIELDS grew too much");
      }
      require(c.found || section_bytes(msg, c).empty(), "missing part is not empty");
    }
    const BinaryContent b = fetch_binary(msg, m, path);
    require(b.status != BinaryStatus::not_found, "BINARY misses an existing part");
    if (b.status == BinaryStatus::ok) require(binary_bytes(msg, b).size() <= msg.size(), "BINARY grew");
  }
  // Whole-message sections.
  for (T text : {T::none, T::header, T::text, T::header_fields}) {
    const SectionContent c = fetch_section(msg, m, SectionSpec{{}, text, {"To"}});
    require(c.found, "a whole-message section is missing");
  }
}

void check_one(std::string_view msg, const StructureLimits& limits) {
  const Message m = parse_structure(msg, limits);
  check_offsets(m, msg);
  require(m.parts.size() <= limits.max_parts, "too many parts");
  for (const Part& p : m.parts) require(p.depth <= limits.max_depth, "too deep");

  for (ImapCharset cs : {ImapCharset::ascii, ImapCharset::utf8_accept}) {
    const bool utf8 = cs == ImapCharset::utf8_accept;
    const BodystructureOptions opt{.charset = cs, .message_global_as_message = utf8};
    require(is_imap_list(imap_bodystructure(msg, m, opt), utf8), "BODYSTRUCTURE is not an IMAP list");
    require(is_imap_list(imap_body(msg, m, opt), utf8), "BODY is not an IMAP list");
    for (std::size_t i = 0; i < m.parts.size(); ++i) {
      if (!m.parts[i].message_root) continue;
      require(is_imap_list(imap_envelope(msg, m, i, EnvelopeOptions{.charset = cs}), utf8),
              "ENVELOPE is not an IMAP list");
    }
  }
  check_sections(m, msg);

  const SearchTextLimits sl{.max_bytes = 4096};
  const SearchText t = extract_search_text(msg, m, sl);
  require(is_valid_utf8(t.headers) && is_valid_utf8(t.body), "search text is not UTF-8");
  require(t.headers.size() + t.body.size() <= sl.max_bytes, "search text over its limit");
}

}  // namespace

int message_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view msg(reinterpret_cast<const char*>(data), size);
  check_one(msg, StructureLimits{});
  StructureLimits tight;
  tight.max_depth = 3;
  tight.max_parts = 12;
  tight.max_total_header_bytes = 512;
  tight.header.max_fields = 8;
  tight.header.max_value_bytes = 64;
  check_one(msg, tight);
  return 0;
}

}  // namespace atrium::mail::mime::fuzz
