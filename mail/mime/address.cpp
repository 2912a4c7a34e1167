// Address-list parsing. The shapes follow what IMAP servers report for broken headers (Dovecot's
// conventions): a lone word is a mailbox without a domain, several words are a display name.
#include "mail/mime/address.hpp"

#include "mail/mime/lexer.hpp"

namespace atrium::mail::mime {
namespace {

std::optional<std::string> non_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// phrase = 1*word, with obs-phrase's '.' accepted inside words. Words are joined by one space.
bool read_phrase(Lexer& lx, std::string& out) {
  bool any = false;
  for (;;) {
    lx.skip_cfws();
    std::string word;
    const char c = lx.peek();
    if (c == '"') {
      lx.read_quoted_string(word);
    } else {
      const std::string_view rest = lx.rest();
      std::size_t n = 0;
      while (n < rest.size() && (is_atext(static_cast<unsigned char>(rest[n])) || rest[n] == '.')) ++n;
      if (n == 0) break;
      word.assign(rest.substr(0, n));
      lx.set_pos(lx.pos() + n);
    }
    if (any && !word.empty()) out.push_back(' ');
    out.append(word);
    any = true;
  }
  return any;
}

// local-part: dot-atom / quoted-string / obs-local-part, leniently (empty labels and CFWS around
// dots accepted). Returns false when nothing was read.
bool read_local_part(Lexer& lx, std::string& out) {
  bool any = false;
  for (;;) {
    lx.skip_cfws();
    if (lx.peek() == '"') {
      lx.read_quoted_string(out);
      any = true;
    } else if (lx.read_atom(out)) {
      any = true;
    }
    lx.skip_cfws();
    if (!lx.consume('.')) break;
    out.push_back('.');
    any = true;
  }
  return any;
}

// domain: dot-atom or a domain literal "[...]" (kept with its brackets, blanks removed).
bool read_domain(Lexer& lx, std::string& out) {
  lx.skip_cfws();
  if (lx.consume('[')) {
    out.push_back('[');
    while (!lx.at_end() && lx.peek() != ']') {
      const char c = lx.peek();
      if (c == '\\') lx.advance();
      if (!lx.at_end() && c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(lx.peek());
      lx.advance();
    }
    lx.consume(']');
    out.push_back(']');
    return true;
  }
  bool any = false;
  for (;;) {
    lx.skip_cfws();
    if (lx.read_atom(out)) any = true;
    lx.skip_cfws();
    if (!lx.consume('.')) break;
    out.push_back('.');
  }
  return any;
}

// After '<': [route ":"] [local-part "@" domain] ">".
void read_angle_addr(Lexer& lx, Address& a) {
  lx.skip_cfws();
  if (lx.peek() == '@') {
    std::string route;
    while (lx.consume('@')) {
      if (!route.empty()) route.push_back(',');
      route.push_back('@');
      read_domain(lx, route);
      lx.skip_cfws();
      while (lx.consume(',')) lx.skip_cfws();
    }
    lx.consume(':');
    a.route = non_empty(std::move(route));
    lx.skip_cfws();
  }
  if (lx.peek() != '>') {
    std::string local;
    if (read_local_part(lx, local)) a.mailbox = non_empty(std::move(local));
    lx.skip_cfws();
    if (lx.consume('@')) {
      std::string domain;
      read_domain(lx, domain);
      a.domain = non_empty(std::move(domain));
    }
  }
  // Anything else before '>' is junk from a broken header: skip it.
  while (!lx.at_end() && lx.peek() != '>' && lx.peek() != ',') {
    std::string ignored;
    if (!lx.read_quoted_string(ignored)) lx.advance();
  }
  lx.consume('>');
}

// mailbox = name-addr / addr-spec. Appends one Address; returns false when nothing was consumed.
bool read_mailbox(Lexer& lx, std::vector<Address>& out) {
  const std::size_t start = lx.pos();
  Address a;
  // name-addr: an optional phrase, then '<'.
  std::string phrase;
  read_phrase(lx, phrase);
  lx.skip_cfws();
  if (lx.consume('<')) {
    a.name = non_empty(std::move(phrase));
    read_angle_addr(lx, a);
    lx.skip_cfws();
    out.push_back(std::move(a));
    return true;
  }
  // addr-spec, perhaps followed by a comment holding the name.
  lx.set_pos(start);
  lx.clear_last_comment();
  std::string local;
  const bool quoted = [&] {
    lx.skip_cfws();
    return lx.peek() == '"';
  }();
  lx.clear_last_comment();
  const bool have_local = read_local_part(lx, local);
  lx.skip_cfws();
  if (lx.consume('@')) {
    std::string domain;
    read_domain(lx, domain);
    a.mailbox = non_empty(std::move(local));
    a.domain = non_empty(std::move(domain));
    lx.skip_cfws();
    if (!lx.last_comment().empty()) a.name = lx.last_comment();
  } else if (have_local) {
    // No '@'. A single atom is a mailbox lacking its domain; a lone quoted string or several
    // words form a display name with no address at all.
    std::string more;
    if (read_phrase(lx, more) && !more.empty()) {
      local.push_back(' ');
      local.append(more);
      a.name = std::move(local);
    } else if (quoted) {
      a.name = non_empty(std::move(local));
    } else {
      if (!lx.last_comment().empty()) a.name = lx.last_comment();
      a.mailbox = non_empty(std::move(local));
    }
  }
  if (lx.pos() == start) return false;
  // Stray characters ("@@@") are no address at all.
  if (a.name || a.mailbox || a.domain) out.push_back(std::move(a));
  return true;
}

// Skips to the next top-level ',' (quoted strings, comments and angle brackets respected).
void skip_to_comma(Lexer& lx) {
  while (!lx.at_end() && lx.peek() != ',') {
    std::string ignored;
    if (lx.peek() == '"') {
      lx.read_quoted_string(ignored);
    } else if (lx.peek() == '(') {
      lx.skip_cfws();
    } else if (lx.peek() == '<') {
      while (!lx.at_end() && lx.peek() != '>') lx.advance();
      lx.advance();
    } else {
      lx.advance();
    }
  }
}

// Reads the mailboxes of a group up to ';' (or the end).
void read_group_members(Lexer& lx, std::vector<Address>& out) {
  for (;;) {
    lx.skip_cfws();
    if (lx.at_end() || lx.consume(';')) return;
    if (lx.consume(',')) continue;
    if (out.size() + 1 >= max_addresses) {
      skip_to_comma(lx);
      continue;
    }
    if (!read_mailbox(lx, out)) lx.advance();
    lx.skip_cfws();
    if (!lx.at_end() && lx.peek() != ',' && lx.peek() != ';') skip_to_comma(lx);
  }
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
  std::vector<Address> out;
  Lexer lx(value);
  for (;;) {
    lx.skip_cfws();
    if (lx.at_end()) break;
    if (lx.consume(',')) continue;
    if (out.size() + 2 > max_addresses) break;
    const std::size_t start = lx.pos();
    // group = display-name ":" [group-list] ";"
    std::string phrase;
    if (read_phrase(lx, phrase)) {
      lx.skip_cfws();
      if (lx.consume(':')) {
        Address g;
        g.kind = Address::Kind::group_start;
        g.mailbox = std::move(phrase);
        out.push_back(std::move(g));
        read_group_members(lx, out);
        Address end;
        end.kind = Address::Kind::group_end;
        out.push_back(std::move(end));
        continue;
      }
    }
    lx.set_pos(start);
    if (!read_mailbox(lx, out)) {
      lx.advance();
      continue;
    }
    lx.skip_cfws();
    if (!lx.at_end() && lx.peek() != ',') skip_to_comma(lx);
  }
  return out;
}

}  // namespace atrium::mail::mime
