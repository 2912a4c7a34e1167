// Authentication-Results: formatting, the tolerant parser and forged-field removal. The lexer
// treats CR and LF as blanks so folded and unfolded values read the same.
#include "mail/auth/dmarc/authres.hpp"

#include <algorithm>

namespace atrium::mail::auth {
namespace {

constexpr std::size_t fold_column = 78;
constexpr std::string_view field_name = "Authentication-Results";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// RFC 2045 tspecials.
bool is_tspecial(char c) { return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos; }

// token: visible ASCII without tspecials. UTF-8 bytes are accepted on input (RFC 8601 allows
// UTF-8 authserv-ids and values) but never written bare.
bool is_token_char(char c, bool allow_utf8) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x80) return allow_utf8;
  return u > 0x20 && u < 0x7F && !is_tspecial(c);
}

// A cursor over one field value.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  std::size_t pos() const { return pos_; }
  void set_pos(std::size_t pos) { pos_ = pos; }
  void advance() { ++pos_; }
  bool consume(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }

  // CFWS: blanks, line breaks and comments (nested, with quoted-pairs). Returns false when a
  // comment is not closed before the end (the cursor is then at the end).
  bool skip_cfws() {
    while (!at_end()) {
      const char c = s_[pos_];
      if (is_blank(c)) {
        ++pos_;
      } else if (c == '(') {
        std::size_t depth = 0;
        while (!at_end()) {
          const char d = s_[pos_++];
          if (d == '\\') {
            if (!at_end()) ++pos_;
          } else if (d == '(') {
            ++depth;
          } else if (d == ')') {
            if (--depth == 0) break;
          }
        }
        if (depth != 0) return false;
      } else {
        break;
      }
    }
    return true;
  }

  // quoted-string at the cursor (which is on '"'): appends the unescaped content. Returns false
  // when the closing quote is missing.
  bool read_quoted(std::string& out) {
    ++pos_;
    while (!at_end()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\' && !at_end()) {
        out.push_back(s_[pos_++]);
      } else if (c != '\r' && c != '\n') {
        out.push_back(c);  // folding inside a quoted string is removed, as unfolding would
      }
    }
    return false;
  }

  // A run of characters up to a blank, a comment, ';', a quote or one of `stops`.
  std::string_view read_word(std::string_view stops) {
    const std::size_t start = pos_;
    while (!at_end()) {
      const char c = s_[pos_];
      if (is_blank(c) || c == '(' || c == ';' || c == '"' || is_control(c) ||
          stops.find(c) != std::string_view::npos) {
        break;
      }
      ++pos_;
    }
    return s_.substr(start, pos_ - start);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

enum class IdStatus { found, absent, unterminated };

// authserv-id = value (token / quoted-string). A word followed by '=' or '/' is a method, not an
// id: the writer left the id out, and the cursor is put back.
IdStatus read_authserv_id(Lexer& lx, std::string& id) {
  if (!lx.skip_cfws()) return IdStatus::unterminated;
  const std::size_t start = lx.pos();
  if (lx.peek() == '"') {
    if (!lx.read_quoted(id)) return IdStatus::unterminated;
    return IdStatus::found;
  }
  while (!lx.at_end() && is_token_char(lx.peek(), true)) {
    id.push_back(lx.peek());
    lx.advance();
  }
  if (id.empty()) return IdStatus::absent;
  const std::size_t after = lx.pos();
  const bool cfws_ok = lx.skip_cfws();
  if (cfws_ok && (lx.peek() == '=' || lx.peek() == '/')) {
    id.clear();
    lx.set_pos(start);
    return IdStatus::absent;
  }
  lx.set_pos(after);
  return IdStatus::found;
}

// authres-version = 1*DIGIT, when a number stands alone after the id.
std::optional<std::uint32_t> read_version(Lexer& lx) {
  const std::size_t start = lx.pos();
  lx.skip_cfws();
  std::string_view digits = lx.read_word("=/.");
  const bool numeric = !digits.empty() && digits.size() <= 9 &&
                       std::all_of(digits.begin(), digits.end(), is_digit);
  if (!numeric) {
    lx.set_pos(start);
    return std::nullopt;
  }
  std::uint32_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<std::uint32_t>(c - '0');
  return v;
}

std::string quoted(std::string_view s);

using ResinfoResult = std::variant<MethodResult, AuthresErrorCode>;

// resinfo after its ';': methodspec [reasonspec] *propspec, tolerantly.
ResinfoResult read_resinfo(Lexer& lx) {
  MethodResult r;
  const std::string_view method = lx.read_word("=/");
  if (method.empty()) return AuthresErrorCode::syntax;
  r.method = lowered(method);
  if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
  if (lx.consume('/')) {  // method-version: read past, not kept
    if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
    lx.read_word("=");
    if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
  }
  if (!lx.consume('=')) return AuthresErrorCode::syntax;
  if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
  const std::string_view result = lx.read_word("=");
  if (result.empty()) return AuthresErrorCode::syntax;
  r.result = lowered(result);

  for (;;) {
    if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
    if (lx.at_end() || lx.peek() == ';') break;
    const std::string_view first = lx.read_word("=.");
    if (first.empty()) {
      // A stray quoted string, '=' or '.': nothing a reader can use. Skip one character.
      if (lx.peek() == '"') {
        std::string ignored;
        if (!lx.read_quoted(ignored)) return AuthresErrorCode::unterminated;
      } else {
        lx.advance();
      }
      continue;
    }
    if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
    Property p;
    if (lx.consume('.')) {
      if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
      p.ptype = lowered(first);
      p.property = lowered(lx.read_word("="));
      if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
    } else {
      p.property = lowered(first);
    }
    if (!lx.consume('=')) continue;  // a lone word: dropped
    if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
    if (lx.peek() == '"') {
      std::string text;
      if (!lx.read_quoted(text)) return AuthresErrorCode::unterminated;
      if (lx.peek() == '@') {
        // pvalue's [local-part] "@" domain with a quoted local part: keep the quotes, they are
        // part of the address.
        p.value = quoted(text);
        p.value += lx.read_word("");
      } else {
        p.value = std::move(text);
      }
    } else {
      p.value.assign(lx.read_word(""));
    }
    if (p.ptype.empty() && p.property == "reason") {
      r.reason = std::move(p.value);
      continue;
    }
    if (r.properties.size() == max_authres_properties) return AuthresErrorCode::too_long;
    r.properties.push_back(std::move(p));
  }
  return r;
}

// --- formatting ---------------------------------------------------------------------------------

std::string keyword(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') out.push_back(c);
  }
  return out;
}

std::string without_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (!is_control(c)) out.push_back(c);
  }
  return out;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_token_char(c, false); });
}

bool is_atext(char c) {
  return is_alpha(c) || is_digit(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '\0';
  for (char c : s) {
    if (c == '.' && prev == '.') return false;
    if (c != '.' && !is_atext(c)) return false;
    prev = c;
  }
  return true;
}

bool is_domain_name(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = '\0';
  for (char c : s) {
    if (c == '.' && prev == '.') return false;
    if (c != '.' && !(is_alpha(c) || is_digit(c) || c == '-' || c == '_')) return false;
    prev = c;
  }
  return true;
}

// pvalue's second form: [ [ local-part ] "@" ] domain-name.
bool is_address_value(std::string_view s) {
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = s.substr(0, at);
  return (local.empty() || is_dot_atom(local)) && is_domain_name(s.substr(at + 1));
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (is_control(c)) continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string value_text(std::string_view raw, bool allow_address) {
  const std::string v = without_controls(raw);
  if (is_token(v) || (allow_address && is_address_value(v))) return v;
  return quoted(v);
}

// Appends `piece` after a blank, or on a new folded line when the current one would pass the
// fold column.
void append_piece(std::string& out, std::size_t& line_len, std::string_view piece) {
  if (line_len > 1 && line_len + 1 + piece.size() + 1 > fold_column) {
    out += "\r\n\t";
    line_len = 1;
  } else {
    out.push_back(' ');
    ++line_len;
  }
  out += piece;
  line_len += piece.size();
}

}  // namespace

std::string_view to_string(AuthresErrorCode code) {
  switch (code) {
    case AuthresErrorCode::too_long: return "field too long";
    case AuthresErrorCode::empty: return "empty field";
    case AuthresErrorCode::syntax: return "malformed field";
    case AuthresErrorCode::unterminated: return "unterminated comment or quoted string";
  }
  return "malformed field";
}

std::string format_authentication_results(std::string_view authserv_id, const std::vector<MethodResult>& results) {
  std::string out(field_name);
  out += ": ";
  out += value_text(authserv_id, false);
  bool any = false;
  for (const MethodResult& r : results) {
    const std::string method = keyword(r.method);
    if (method.empty()) continue;
    std::string result = keyword(r.result);
    if (result.empty()) result = "none";
    out += ";\r\n\t";
    std::string head = method + "=" + result;
    out += head;
    std::size_t line_len = 1 + head.size();
    if (!r.reason.empty()) append_piece(out, line_len, "reason=" + quoted(r.reason));
    for (const Property& p : r.properties) {
      const std::string ptype = keyword(p.ptype);
      const std::string property = keyword(p.property);
      if (property.empty()) continue;
      std::string piece = ptype.empty() ? property : ptype + "." + property;
      piece += "=";
      piece += value_text(p.value, true);
      append_piece(out, line_len, piece);
    }
    any = true;
  }
  if (!any) out += "; none";
  out += "\r\n";
  return out;
}

std::variant<AuthenticationResults, AuthresErrorCode> parse_authentication_results(std::string_view value) {
  if (value.size() > max_authres_bytes) return AuthresErrorCode::too_long;
  Lexer lx(value);
  AuthenticationResults out;
  switch (read_authserv_id(lx, out.authserv_id)) {
    case IdStatus::unterminated: return AuthresErrorCode::unterminated;
    case IdStatus::absent:
      if (lx.at_end()) return AuthresErrorCode::empty;
      break;
    case IdStatus::found: {
      out.version = read_version(lx);
      if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
      if (lx.at_end()) return out;  // an id alone: no results
      if (!lx.consume(';')) return AuthresErrorCode::syntax;
      if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
      // no-result: "; none" and nothing after it.
      const std::size_t mark = lx.pos();
      if (iequals(lx.read_word("=/."), "none")) {
        if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
        if (lx.at_end()) return out;
      }
      lx.set_pos(mark);
      break;
    }
  }
  for (;;) {
    if (!lx.skip_cfws()) return AuthresErrorCode::unterminated;
    if (lx.at_end()) break;
    if (lx.consume(';')) continue;  // an empty resinfo
    auto r = read_resinfo(lx);
    if (auto* error = std::get_if<AuthresErrorCode>(&r)) return *error;
    if (out.results.size() == max_authres_results) return AuthresErrorCode::too_long;
    out.results.push_back(std::move(std::get<MethodResult>(r)));
  }
  return out;
}

std::optional<std::string> authserv_id_of(std::string_view value) {
  Lexer lx(value.substr(0, std::min(value.size(), max_authres_bytes)));
  std::string id;
  if (read_authserv_id(lx, id) != IdStatus::found) return std::nullopt;
  return id;
}

ForgedRemoval remove_forged(std::string_view block, std::string_view authserv_id) {
  ForgedRemoval out;
  out.header_block.reserve(block.size());
  std::size_t pos = 0;
  auto line_end = [&](std::size_t from) {
    const std::size_t nl = block.find('\n', from);
    return nl == std::string_view::npos ? block.size() : nl + 1;
  };
  while (pos < block.size()) {
    const std::size_t first_end = line_end(pos);
    const std::string_view first = block.substr(pos, first_end - pos);
    if (first == "\n" || first == "\r\n") {  // the empty line: the header section ends here
      out.header_block.append(block.substr(pos));
      return out;
    }
    // The field is its first line and every continuation line (starting with a blank).
    std::size_t end = first_end;
    if (first.front() != ' ' && first.front() != '\t') {
      while (end < block.size() && (block[end] == ' ' || block[end] == '\t')) end = line_end(end);
    }
    const std::string_view field = block.substr(pos, end - pos);
    bool forged = false;
    const std::size_t colon = field.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = field.substr(0, colon);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      if (iequals(name, field_name)) {
        const auto id = authserv_id_of(field.substr(colon + 1));
        forged = id && !authserv_id.empty() && iequals(*id, authserv_id);
      }
    }
    if (forged) {
      ++out.removed;
    } else {
      out.header_block.append(field);
    }
    pos = end;
  }
  return out;
}

}  // namespace atrium::mail::auth
