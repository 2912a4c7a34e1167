// RFC 5321 / RFC 6531 path grammar, address literals and the canonical mailbox form.
#include "mail/smtp/path.hpp"

#include "core/text/ascii.hpp"
#include "core/auth/utf8.hpp"

#include <string>

namespace atrium::smtp {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_let_dig(char c) { return is_alpha(c) || is_digit(c); }
bool is_8bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// sub-domain = Let-dig [Ldh-str], or (RFC 6531) a U-label: here any run of letters, digits,
// hyphens and UTF-8 octets that neither starts nor ends with a hyphen. IDNA validity of U-labels
// is not checked; the octets are checked to be UTF-8 by the caller.
bool is_valid_label(std::string_view label, bool utf8_ok) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (is_let_dig(c) || c == '-') continue;
    if (utf8_ok && is_8bit(c)) continue;
    return false;
  }
  return true;
}

bool is_ipv4(std::string_view text) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (i < text.size() && is_digit(text[i]) && digits < 4) {
      value = value * 10 + (text[i] - '0');
      ++i, ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    ++parts;
    if (i == text.size()) break;
    if (text[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Counts the 16-bit pieces of a ':'-separated run of IPv6-hex groups, the last of which may be an
// IPv4 address (worth two) when `v4_tail` allows; -1 if malformed. An empty run counts 0.
int ipv6_pieces(std::string_view run, bool v4_tail) {
  if (run.empty()) return 0;
  int pieces = 0;
  while (true) {
    std::size_t colon = run.find(':');
    std::string_view group = run.substr(0, colon);
    if (colon == std::string_view::npos && v4_tail && group.find('.') != std::string_view::npos) {
      return is_ipv4(group) ? pieces + 2 : -1;
    }
    if (group.empty() || group.size() > 4) return -1;
    for (char c : group) {
      if (!is_hex(c)) return -1;
    }
    ++pieces;
    if (colon == std::string_view::npos) return pieces;
    run.remove_prefix(colon + 1);
  }
}

// RFC 5321 section 4.1.3 IPv6-addr: eight pieces, or at most six around one "::" (which stands
// for at least two zero pieces); an IPv4 tail counts as two pieces.
bool is_ipv6(std::string_view text) {
  std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) return ipv6_pieces(text, true) == 8;
  std::string_view before = text.substr(0, gap);
  std::string_view after = text.substr(gap + 2);
  if (after.find("::") != std::string_view::npos) return false;
  int left = ipv6_pieces(before, false);
  int right = ipv6_pieces(after, true);
  return left >= 0 && right >= 0 && left + right <= 6;
}

bool is_dcontent(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 33 && u <= 90) || (u >= 94 && u <= 126);
}

// qtextSMTP (RFC 5321) plus UTF8-non-ascii (RFC 6531).
bool is_qtext(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 32 || u == 33 || (u >= 35 && u <= 91) || (u >= 93 && u <= 126) || u >= 0x80;
}

bool is_dot_string(std::string_view s, bool utf8_ok) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(c) && !(utf8_ok && is_8bit(c))) {
      return false;
    }
    prev = c;
  }
  return true;
}

}  // namespace

bool is_atext(char c) {
  if (is_let_dig(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool is_valid_domain(std::string_view text, bool utf8_ok) {
  if (text.empty() || text.size() > max_domain) return false;
  if (utf8_ok && !auth::is_valid_utf8(text)) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view label = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!is_valid_label(label, utf8_ok)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_valid_address_literal(std::string_view text) {
  if (text.size() < 3 || text.front() != '[' || text.back() != ']') return false;
  std::string_view inner = text.substr(1, text.size() - 2);
  if (is_ipv4(inner)) return true;
  if (inner.size() > 5 && text::iequals(inner.substr(0, 5), "IPv6:")) return is_ipv6(inner.substr(5));
  // General-address-literal = Standardized-tag ":" 1*dcontent; the tag is an Ldh-str.
  std::size_t colon = inner.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == inner.size()) return false;
  std::string_view tag = inner.substr(0, colon);
  if (!is_valid_label(tag, false)) return false;
  for (char c : inner.substr(colon + 1)) {
    if (!is_dcontent(c)) return false;
  }
  return true;
}

// Recursive-descent parser over one path; a class so it may fill Path's private members.
class PathParser {
 public:
  PathParser(std::string_view text, PathKind kind) : text_(text), kind_(kind) {}

  std::variant<ParsedPath, PathError> run() {
    if (!eat('<')) return PathError::syntax;
    if (peek() == '>') {
      ++pos_;
      if (kind_ == PathKind::forward) return PathError::null_not_allowed;
      return ParsedPath{Path::null(), pos_};
    }
    if (kind_ == PathKind::forward && text_.size() - pos_ >= 11 && text::iequals(text_.substr(pos_, 11), "postmaster>")) {
      pos_ += 11;
      return ParsedPath{Path::postmaster(), pos_};
    }
    Path path;
    path.kind_ = Path::Kind::mailbox;
    if (peek() == '@') {
      if (!skip_source_route()) return PathError::syntax;
      path.source_route_ = true;
    }
    const std::size_t local_start = pos_;
    if (peek() == '"') {
      if (!quoted_string(path.local_)) return PathError::syntax;
      path.quoted_ = true;
    } else {
      std::size_t end = pos_;
      while (end < text_.size() && text_[end] != '@' && text_[end] != '>') ++end;
      std::string_view local = text_.substr(pos_, end - pos_);
      if (!is_dot_string(local, true)) return PathError::syntax;
      path.local_ = std::string(local);
      pos_ = end;
    }
    const std::size_t local_wire = pos_ - local_start;
    if (!eat('@')) return PathError::syntax;
    const std::size_t domain_start = pos_;
    std::size_t end = pos_;
    if (peek() == '[') {
      end = text_.find(']', pos_);
      if (end == std::string_view::npos) return PathError::syntax;
      ++end;
    } else {
      while (end < text_.size() && text_[end] != '>') ++end;
    }
    std::string_view domain = text_.substr(domain_start, end - domain_start);
    pos_ = end;
    if (!eat('>')) return PathError::syntax;
    if (domain.empty()) return PathError::syntax;
    if (pos_ > max_path || local_wire > max_local_part || domain.size() > max_domain) return PathError::too_long;
    if (domain.front() == '[') {
      if (!is_valid_address_literal(domain)) return PathError::syntax;
      path.domain_ = std::string(domain);
    } else {
      if (!is_valid_domain(domain, true)) return PathError::syntax;
      path.domain_.reserve(domain.size());
      for (char c : domain) path.domain_ += text::ascii_lower(c);
    }
    std::string_view whole = text_.substr(0, pos_);
    for (char c : whole) {
      if (is_8bit(c)) {
        path.utf8_ = true;
        break;
      }
    }
    if (path.utf8_ && !auth::is_valid_utf8(whole)) return PathError::syntax;
    return ParsedPath{std::move(path), pos_};
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool eat(char c) {
    if (peek() != c || pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }

  // A-d-l ":" where A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain.
  bool skip_source_route() {
    while (true) {
      if (!eat('@')) return false;
      std::size_t end = pos_;
      while (end < text_.size() && text_[end] != ',' && text_[end] != ':' && text_[end] != '>') ++end;
      if (!is_valid_domain(text_.substr(pos_, end - pos_), true)) return false;
      pos_ = end;
      if (eat(':')) return true;
      if (!eat(',')) return false;
    }
  }

  // Quoted-string = DQUOTE *QcontentSMTP DQUOTE; stores the unescaped content.
  bool quoted_string(std::string& out) {
    if (!eat('"')) return false;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= text_.size()) return false;
        char q = text_[pos_++];
        auto u = static_cast<unsigned char>(q);
        if (u < 32 || u > 126) return false;
        out += q;
      } else if (is_qtext(c)) {
        out += c;
      } else {
        return false;
      }
    }
    return false;
  }

  std::string_view text_;
  PathKind kind_;
  std::size_t pos_ = 0;
};

Path Path::postmaster() {
  Path p;
  p.kind_ = Kind::postmaster;
  p.local_ = "postmaster";
  return p;
}

Path Path::from_parts(std::string local, std::string domain) {
  Path p;
  p.kind_ = Kind::mailbox;
  p.quoted_ = !is_dot_string(local, true);
  for (char c : local + domain) {
    if (is_8bit(c)) p.utf8_ = true;
  }
  p.local_ = std::move(local);
  p.domain_ = std::move(domain);
  return p;
}

bool Path::has_routing_characters() const {
  return local_.find_first_of("%!@") != std::string::npos;
}

std::string Path::mailbox() const {
  switch (kind_) {
    case Kind::null: return {};
    case Kind::postmaster: return "postmaster";
    case Kind::mailbox: break;
  }
  std::string out;
  if (is_dot_string(local_, true)) {
    out = local_;
  } else {
    out += '"';
    for (char c : local_) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '@';
  out += domain_;
  return out;
}

std::variant<ParsedPath, PathError> parse_path(std::string_view text, PathKind kind) {
  return PathParser(text, kind).run();
}

}  // namespace atrium::smtp
