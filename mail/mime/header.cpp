// Header-block splitting and unfolding, bounded and total over arbitrary bytes.
#include "mail/mime/header.hpp"

namespace atrium::mail::mime {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 5322 ftext: printable US-ASCII except ':'.
bool is_ftext(unsigned char c) { return c >= 33 && c <= 126 && c != ':'; }

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// Trims every value and records where reading stopped.
void finish(HeaderBlock& block, std::size_t body_offset) {
  block.body_offset = body_offset;
  for (auto& f : block.fields) f.value = std::string(trim_blanks(f.value));
}

// Appends `part` to `value` without exceeding `max`; returns false when something was cut.
bool append_bounded(std::string& value, std::string_view part, std::size_t max) {
  if (value.size() >= max) return part.empty();
  std::size_t room = max - value.size();
  value.append(part.substr(0, room));
  return part.size() <= room;
}

}  // namespace

HeaderBlock read_headers(std::string_view message, const HeaderLimits& limits) {
  HeaderBlock block;
  std::string_view scan = message.substr(0, limits.max_block_bytes);
  bool have_current = false;  // the last field is still receiving continuation lines
  std::size_t pos = 0;

  while (pos < scan.size()) {
    auto nl = scan.find('\n', pos);
    if (nl == std::string_view::npos) {
      // A last line without a line end: part of the header when the message ends here; cut by
      // the scan limit otherwise (it may go on beyond what we look at).
      if (scan.size() < message.size()) {
        block.truncated = true;
        finish(block, pos);
        return block;
      }
      nl = scan.size();
    }
    std::string_view line = scan.substr(pos, nl - pos);
    std::size_t next = nl < scan.size() ? nl + 1 : nl;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.empty()) {  // the empty line ends the header section
      finish(block, next);
      return block;
    }
    if (is_blank(line.front())) {
      // Unfolding removes only the line break; the leading blank stays part of the value.
      if (have_current) {
        auto& value = block.fields.back().value;
        if (!append_bounded(value, line, limits.max_value_bytes)) block.truncated = true;
      } else {
        ++block.malformed;
      }
      pos = next;
      continue;
    }

    have_current = false;
    auto colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
    while (!name.empty() && is_blank(name.back())) name.remove_suffix(1);  // obs-fields allow "Name :"
    bool valid = !name.empty();
    for (unsigned char c : name) valid = valid && is_ftext(c);
    if (!valid) {
      ++block.malformed;
    } else if (block.fields.size() >= limits.max_fields) {
      block.truncated = true;
    } else {
      HeaderField f;
      f.name = std::string(name);
      if (!append_bounded(f.value, line.substr(colon + 1), limits.max_value_bytes)) block.truncated = true;
      block.fields.push_back(std::move(f));
      have_current = true;
    }
    pos = next;
  }

  if (scan.size() < message.size()) block.truncated = true;
  finish(block, pos);
  return block;
}

std::optional<std::string_view> first_value(const HeaderBlock& block, std::string_view name) {
  for (const auto& f : block.fields) {
    if (f.name.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size() && same; ++i) same = lower(f.name[i]) == lower(name[i]);
    if (same) return std::string_view(f.value);
  }
  return std::nullopt;
}

}  // namespace atrium::mail::mime
