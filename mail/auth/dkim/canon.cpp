// Message splitting and simple/relaxed canonicalization (RFC 6376 section 3.4).
#include "mail/auth/dkim/canon.hpp"

#include "core/text/ascii.hpp"

namespace atrium::mail::auth::dkim {
namespace {

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view field_name(std::string_view raw) {
  const std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view name = raw.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  return name;
}

// Whether some LF in `message` is not preceded by CR.
bool has_bare_lf(std::string_view message) {
  for (std::size_t i = message.find('\n'); i != std::string_view::npos; i = message.find('\n', i + 1)) {
    if (i == 0 || message[i - 1] != '\r') return true;
  }
  return false;
}

}  // namespace

std::string normalize_line_ends(std::string_view message) {
  std::string out;
  out.reserve(message.size() + message.size() / 32);
  std::size_t from = 0;
  for (std::size_t i = message.find('\n'); i != std::string_view::npos; i = message.find('\n', i + 1)) {
    if (i > 0 && message[i - 1] == '\r') continue;
    out.append(message.substr(from, i - from));
    out += "\r\n";
    from = i + 1;
  }
  out.append(message.substr(from));
  return out;
}

HeaderField make_header_field(std::string_view raw) { return HeaderField{field_name(raw), raw}; }

SplitMessage::SplitMessage(std::string_view message) : text_(message) {
  if (has_bare_lf(message)) {
    normalised_ = normalize_line_ends(message);
    text_ = normalised_;
  }
  const std::string_view text = text_;
  std::size_t pos = 0;
  // Start and end of the field being collected, as offsets (its continuation lines extend it).
  std::size_t field_begin = 0, field_end = 0;
  bool open = false;
  auto close_field = [&] {
    if (!open) return;
    fields_.push_back(make_header_field(text.substr(field_begin, field_end - field_begin)));
    open = false;
  };
  body_ = text.substr(text.size());
  while (pos < text.size()) {
    std::size_t eol = text.find("\r\n", pos);
    const bool last = eol == std::string_view::npos;
    if (last) eol = text.size();
    if (eol == pos) {  // the empty line that ends the header
      body_ = text.substr(pos + 2);
      break;
    }
    if (is_wsp(text[pos]) && open) {
      field_end = eol;
    } else {
      close_field();
      field_begin = pos;
      field_end = eol;
      open = true;
    }
    pos = last ? text.size() : eol + 2;
  }
  close_field();
}

bool same_field_name(std::string_view a, std::string_view b) noexcept { return text::iequals(a, b); }

std::string canonicalize_header(const HeaderField& field, Canon canon) {
  if (canon == Canon::simple || field.name.empty()) {
    std::string out(field.raw);
    out += "\r\n";
    return out;
  }
  std::string out;
  out.reserve(field.raw.size() + 2);
  for (char c : field.name) out += text::ascii_lower(c);
  out += ':';
  const std::size_t value_start = out.size();
  bool pending_space = false;
  const std::string_view value = field.raw.substr(field.raw.find(':') + 1);
  for (char c : value) {
    if (c == '\r' || c == '\n') continue;  // unfolding
    if (is_wsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && out.size() > value_start) out += ' ';
    pending_space = false;
    out += c;
  }
  out += "\r\n";
  return out;
}

std::string canonicalize_body(std::string_view body, Canon canon) {
  std::string out;
  out.reserve(body.size() + 2);
  std::size_t pending_empty = 0;  // empty lines held back until a non-empty line follows
  std::string line;
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t eol = body.find("\r\n", pos);
    const std::size_t next = eol == std::string_view::npos ? body.size() : eol + 2;
    if (eol == std::string_view::npos) eol = body.size();
    const std::string_view raw = body.substr(pos, eol - pos);
    pos = next;
    line.clear();
    if (canon == Canon::simple) {
      line.assign(raw);
    } else {
      bool pending_space = false;
      for (char c : raw) {
        if (is_wsp(c)) {
          pending_space = true;
          continue;
        }
        if (pending_space) line += ' ';
        pending_space = false;
        line += c;
      }
      // WSP at the end of the line is dropped: pending_space is simply not flushed.
    }
    if (line.empty()) {
      ++pending_empty;
      continue;
    }
    for (; pending_empty > 0; --pending_empty) out += "\r\n";
    out += line;
    out += "\r\n";
  }
  if (out.empty() && canon == Canon::simple) out = "\r\n";
  return out;
}

}  // namespace atrium::mail::auth::dkim
