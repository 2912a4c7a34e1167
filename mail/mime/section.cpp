// Section lookup and HEADER.FIELDS filtering over the parsed part tree.
#include "mail/mime/section.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/lexer.hpp"
#include "mail/mime/transfer.hpp"

#include <charconv>

namespace atrium::mail::mime {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && text::iequals(s.substr(0, prefix.size()), prefix);
}

// Parses " (name name ...)": astrings, atoms or quoted strings.
std::optional<std::vector<std::string>> parse_field_list(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  std::vector<std::string> fields;
  Lexer lx(s);
  for (;;) {
    while (lx.peek() == ' ') lx.advance();
    if (lx.at_end()) break;
    std::string name;
    if (lx.peek() == '"') {
      lx.read_quoted_string(name);
    } else {
      const std::string_view rest = lx.rest();
      std::size_t n = 0;
      while (n < rest.size() && rest[n] != ' ' && rest[n] != '(' && rest[n] != ')' && rest[n] != '"') ++n;
      if (n == 0) return std::nullopt;
      name.assign(rest.substr(0, n));
      lx.set_pos(lx.pos() + n);
    }
    if (name.empty()) return std::nullopt;
    fields.push_back(std::move(name));
  }
  if (fields.empty()) return std::nullopt;
  return fields;
}

bool name_in(std::string_view name, const std::vector<std::string>& fields) {
  for (const auto& f : fields) {
    if (text::iequals(name, f)) return true;
  }
  return false;
}

// The header fields of `header` (which may end with its empty line) whose names are (or, with
// `exclude`, are not) in `fields`, each with its original bytes, then "\r\n".
std::string filter_header(std::string_view header, const std::vector<std::string>& fields, bool exclude) {
  std::string out;
  std::size_t pos = 0;
  while (pos < header.size()) {
    // One field: its first line and every continuation line (starting with a blank).
    std::size_t end = pos;
    do {
      const std::size_t nl = header.find('\n', end);
      end = nl == std::string_view::npos ? header.size() : nl + 1;
    } while (end < header.size() && (header[end] == ' ' || header[end] == '\t'));
    const std::string_view field = header.substr(pos, end - pos);
    pos = end;
    if (field == "\r\n" || field == "\n" || field.empty()) break;  // the empty line ends the header
    const auto colon = field.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view() : field.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    const bool listed = !name.empty() && name_in(name, fields);
    if (listed == exclude) continue;
    out.append(field);
    if (field.back() != '\n') out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

ByteRange header_range(const Part& p) { return {p.header_start, p.header_end - p.header_start}; }
ByteRange body_range(const Part& p) { return {p.body_start, p.body_end - p.body_start}; }

SectionContent not_found() { return {ByteRange{}, false}; }

bool consistent(std::string_view message, const Message& parsed) {
  return !parsed.parts.empty() && parsed.size == message.size();
}

}  // namespace

std::optional<SectionSpec> parse_section_spec(std::string_view spec) {
  SectionSpec out;
  std::size_t i = 0;
  // Part numbers: nz-number *("." nz-number), each followed by '.' when text follows.
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
    std::size_t j = i;
    while (j < spec.size() && spec[j] >= '0' && spec[j] <= '9') ++j;
    if (j - i > 9 || spec[i] == '0') return std::nullopt;
    std::uint32_t n = 0;
    std::from_chars(spec.data() + i, spec.data() + j, n);
    out.part.push_back(n);
    i = j;
    if (i == spec.size()) return out;
    if (spec[i] != '.') return std::nullopt;
    ++i;
    if (i == spec.size()) return std::nullopt;  // "1." is not a section
  }
  const std::string_view rest = spec.substr(i);
  if (rest.empty()) return out;
  if (text::iequals(rest, "MIME")) {
    if (out.part.empty()) return std::nullopt;
    out.text = SectionSpec::Text::mime;
  } else if (text::iequals(rest, "TEXT")) {
    out.text = SectionSpec::Text::text;
  } else if (text::iequals(rest, "HEADER")) {
    out.text = SectionSpec::Text::header;
  } else if (starts_with_nocase(rest, "HEADER.FIELDS.NOT ")) {
    auto fields = parse_field_list(rest.substr(17));
    if (!fields) return std::nullopt;
    out.text = SectionSpec::Text::header_fields_not;
    out.fields = std::move(*fields);
  } else if (starts_with_nocase(rest, "HEADER.FIELDS ")) {
    auto fields = parse_field_list(rest.substr(13));
    if (!fields) return std::nullopt;
    out.text = SectionSpec::Text::header_fields;
    out.fields = std::move(*fields);
  } else {
    return std::nullopt;
  }
  return out;
}

SectionContent fetch_section(std::string_view message, const Message& parsed, const SectionSpec& spec) {
  using Text = SectionSpec::Text;
  if (!consistent(message, parsed)) return not_found();
  if (spec.part.empty() && spec.text == Text::none) return {ByteRange{0, message.size()}, true};
  if (spec.part.empty() && spec.text == Text::mime) return not_found();

  std::size_t index = 0;
  if (!spec.part.empty()) {
    const auto found = find_part(parsed, spec.part);
    if (!found) return not_found();
    index = *found;
  }
  const Part& part = parsed.parts[index];
  switch (spec.text) {
    case Text::none: return {body_range(part), true};
    case Text::mime: return {header_range(part), true};
    default: break;
  }
  // HEADER, TEXT and HEADER.FIELDS[.NOT] address a message: the top one, or the one
  // encapsulated in a message/rfc822 part.
  const Part* target = &part;
  if (!spec.part.empty()) {
    if (part.kind != PartKind::message || part.children.empty()) return not_found();
    target = &parsed.parts[part.children.front()];
  }
  switch (spec.text) {
    case Text::header: return {header_range(*target), true};
    case Text::text: return {body_range(*target), true};
    case Text::header_fields:
      return {filter_header(target->header_in(message), spec.fields, false), true};
    case Text::header_fields_not:
      return {filter_header(target->header_in(message), spec.fields, true), true};
    default: return not_found();
  }
}

std::string_view section_bytes(std::string_view message, const SectionContent& content) {
  if (const auto* r = std::get_if<ByteRange>(&content.data)) {
    if (r->offset > message.size()) return {};
    return message.substr(r->offset, r->length);
  }
  return std::get<std::string>(content.data);
}

BinaryContent fetch_binary(std::string_view message, const Message& parsed, const std::vector<std::uint32_t>& path) {
  if (!consistent(message, parsed)) return {BinaryStatus::not_found, ByteRange{}};
  if (path.empty()) return {BinaryStatus::ok, ByteRange{0, message.size()}};
  const auto index = find_part(parsed, path);
  if (!index) return {BinaryStatus::not_found, ByteRange{}};
  const Part& p = parsed.parts[*index];
  if (p.kind != PartKind::leaf || p.opaque) return {BinaryStatus::ok, body_range(p)};
  const TransferEncoding te = classify_transfer_encoding(p.transfer_encoding);
  switch (te) {
    case TransferEncoding::unknown: return {BinaryStatus::unknown_cte, ByteRange{}};
    case TransferEncoding::base64:
    case TransferEncoding::quoted_printable:
      return {BinaryStatus::ok, decode_transfer(p.body_in(message), te)};
    default: return {BinaryStatus::ok, body_range(p)};
  }
}

std::optional<std::size_t> binary_size(std::string_view message, const Message& parsed,
                                       const std::vector<std::uint32_t>& part) {
  const BinaryContent c = fetch_binary(message, parsed, part);
  if (c.status != BinaryStatus::ok) return std::nullopt;
  return binary_bytes(message, c).size();
}

std::string_view binary_bytes(std::string_view message, const BinaryContent& content) {
  if (const auto* r = std::get_if<ByteRange>(&content.data)) {
    if (r->offset > message.size()) return {};
    return message.substr(r->offset, r->length);
  }
  return std::get<std::string>(content.data);
}

}  // namespace atrium::mail::mime
