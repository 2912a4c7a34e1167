// Tag-list parsing (RFC 6376 section 3.2).
#include "mail/auth/dkim/tag_list.hpp"

namespace atrium::mail::auth::dkim {
namespace {

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
constexpr bool is_fws_char(char c) noexcept { return is_wsp(c) || c == '\r' || c == '\n'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// True when every octet of `element` may appear in a tag-spec: printable ASCII, 8-bit octets,
// WSP, and line breaks only as folding (CRLF or a bare LF followed by WSP).
bool valid_octets(std::string_view element) noexcept {
  for (std::size_t i = 0; i < element.size(); ++i) {
    const auto c = static_cast<unsigned char>(element[i]);
    if (c == '\r') {
      if (i + 2 >= element.size() || element[i + 1] != '\n' || !is_wsp(element[i + 2])) return false;
      ++i;  // the LF, checked above
      continue;
    }
    if (c == '\n') {
      if (i + 1 >= element.size() || !is_wsp(element[i + 1])) return false;
      continue;
    }
    if (c == '\t' || c == ' ') continue;
    if (c < 0x21 || c == 0x7F) return false;
  }
  return true;
}

std::string_view trim_fws(std::string_view s) noexcept {
  while (!s.empty() && is_fws_char(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_fws_char(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

const Tag* TagList::find(std::string_view name) const noexcept {
  for (const Tag& t : tags) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string_view to_string(TagListError error) {
  switch (error) {
    case TagListError::too_long: return "tag list too long";
    case TagListError::syntax: return "tag list syntax error";
    case TagListError::duplicate_tag: return "duplicate tag";
  }
  return "tag list error";
}

std::variant<TagList, TagListError> parse_tag_list(std::string_view text) {
  if (text.size() > max_tag_list_size) return TagListError::too_long;
  TagList out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view element = text.substr(start, end - start);
    if (!valid_octets(element)) return TagListError::syntax;
    std::size_t pos = start;
    while (pos < end && is_fws_char(text[pos])) ++pos;
    if (pos < end) {
      const std::size_t name_begin = pos;
      if (!is_alpha(text[pos])) return TagListError::syntax;
      while (pos < end && (is_alpha(text[pos]) || is_digit(text[pos]) || text[pos] == '_')) ++pos;
      const std::string_view name = text.substr(name_begin, pos - name_begin);
      while (pos < end && is_fws_char(text[pos])) ++pos;
      if (pos == end || text[pos] != '=') return TagListError::syntax;
      ++pos;
      if (out.find(name) != nullptr) return TagListError::duplicate_tag;
      if (out.tags.size() == max_tags) return TagListError::too_long;
      out.tags.push_back(Tag{
          .name = name,
          .value = trim_fws(text.substr(pos, end - pos)),
          .raw_begin = pos,
          .raw_end = end,
      });
    }
    start = end + 1;
  }
  return out;
}

std::string strip_fws(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (!is_fws_char(c)) out += c;
  }
  return out;
}

std::vector<std::string_view> split_colon_list(std::string_view value) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(':', start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view item = trim_fws(value.substr(start, end - start));
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace atrium::mail::auth::dkim
