// to_vcard(): the Card model back to folded vCard text.
#include "contacts/serialise.hpp"

namespace atrium::contacts {
namespace {

constexpr std::size_t fold_at = 75;

// Names come from the parser as tokens; a hand-built card is filtered the same way so that it
// cannot break the line structure.
void append_name(std::string& out, std::string_view name) {
  for (char c : name) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      out.push_back(c);
    }
  }
}

bool needs_quotes(std::string_view v) { return v.find_first_of(",;:") != std::string_view::npos; }

void append_param_value(std::string& out, std::string_view v) {
  const bool quote = needs_quotes(v);
  if (quote) out.push_back('"');
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    switch (c) {
      case '^': out += "^^"; break;
      case '"': out += "^'"; break;
      case '\r':
        if (i + 1 < v.size() && v[i + 1] == '\n') ++i;
        out += "^n";
        break;
      case '\n': out += "^n"; break;
      default: out.push_back(c);
    }
  }
  if (quote) out.push_back('"');
}

// Appends `line` folded (RFC 6350 §3.2) with CRLF. A cut never lands on a UTF-8 continuation
// byte; for bytes that are not UTF-8 at all it still makes progress.
void append_folded(std::string& out, std::string_view line) {
  std::size_t pos = 0;
  std::size_t room = fold_at;
  while (line.size() - pos > room) {
    std::size_t cut = pos + room;
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    if (cut == pos) cut = pos + room;
    out.append(line.substr(pos, cut - pos));
    out += "\r\n ";
    pos = cut;
    room = fold_at - 1;  // the leading space counts
  }
  out.append(line.substr(pos));
  out += "\r\n";
}

}  // namespace

std::string content_line(const Property& property) {
  std::string line;
  line.reserve(property.name.size() + property.value.size() + 16);
  if (!property.group.empty()) {
    append_name(line, property.group);
    line.push_back('.');
  }
  append_name(line, property.name);
  for (const Parameter& p : property.params) {
    line.push_back(';');
    append_name(line, p.name);
    line.push_back('=');
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      if (i > 0) line.push_back(',');
      append_param_value(line, p.values[i]);
    }
  }
  line.push_back(':');
  for (std::size_t i = 0; i < property.value.size(); ++i) {
    const char c = property.value[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < property.value.size() && property.value[i + 1] == '\n') ++i;
      line += "\\n";
    } else {
      line.push_back(c);
    }
  }
  return line;
}

std::string to_vcard(const Card& card) {
  std::string out = "BEGIN:VCARD\r\nVERSION:";
  out += card.version == Version::v4_0 ? "4.0" : "3.0";
  out += "\r\n";
  for (const Property& p : card.properties) append_folded(out, content_line(p));
  out += "END:VCARD\r\n";
  return out;
}

}  // namespace atrium::contacts
