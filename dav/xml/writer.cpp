// XmlWriter: deferred root namespace declarations, escaping and sanitising.
#include "dav/xml/writer.hpp"

#include "dav/xml/document.hpp"

#include <array>
#include <cassert>
#include <cstdint>

namespace atrium::dav::xml {
namespace {

// The fixed prefixes (ns → prefix) clients and humans expect.
struct Known {
  std::string_view ns;
  std::string_view prefix;
};
constexpr Known known_prefixes[] = {
    {ns::dav, "D"}, {ns::caldav, "C"}, {ns::carddav, "CR"}, {ns::calendarserver, "CS"}, {ns::apple_ical, "ICAL"},
};

// Length of the valid XML character starting at s[i], or 0 when it is not one.
std::size_t xml_char_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? 1 : 0;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
  return len;
}

// Bytes copied as they are in text (1) and in attribute values (2): printable ASCII other than
// the markup characters, plus TAB and LF in text.
constexpr auto plain_bytes = [] {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x20; c < 0x7F; ++c) t[c] = 3;
  t['&'] = t['<'] = t['>'] = 0;
  t['"'] = 1;
  t['\t'] = t['\n'] = 1;
  return t;
}();

// Appends `text` escaped for XML (text or an attribute value), each byte sequence that is not a
// valid XML character replaced with U+FFFD: sanitise_xml_text() and escape_text() /
// escape_attribute() in one pass that copies runs of plain bytes whole.
void append_sanitised(std::string& out, std::string_view text, bool attribute) {
  const std::uint8_t plain = attribute ? 2 : 1;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && (plain_bytes[static_cast<unsigned char>(text[j])] & plain) != 0) ++j;
    out.append(text.data() + i, j - i);
    if (j == text.size()) break;
    const char c = text[j];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;  // attributes only
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;   // attributes only
      case '\n': out += "&#10;"; break;  // attributes only
      default: {
        const std::size_t len = xml_char_length(text, j);
        if (len == 0) {
          out += "\xEF\xBF\xBD";
          i = j + 1;
        } else {
          out.append(text.data() + j, len);
          i = j + len;
        }
        continue;
      }
    }
    i = j + 1;
  }
}

}  // namespace

std::string sanitise_xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t len = xml_char_length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string_view XmlWriter::prefix(std::string_view ns) {
  for (const Prefix& p : prefixes_) {
    if (p.ns == ns) return p.prefix;
  }
  std::string chosen;
  for (const Known& k : known_prefixes) {
    if (k.ns == ns) chosen = k.prefix;
  }
  if (chosen.empty()) chosen = "x" + std::to_string(generated_++);
  prefixes_.push_back({std::string(ns), std::move(chosen)});
  return prefixes_.back().prefix;
}

void XmlWriter::end_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

void XmlWriter::open(const QName& name) {
  assert(!(root_done_ && stack_.empty()) && "one root element");
  end_start_tag();
  std::string qualified;
  if (!name.ns.empty()) {
    qualified = prefix(name.ns);
    qualified += ':';
  }
  qualified += name.local;
  out_ += '<';
  out_ += qualified;
  if (stack_.empty()) {
    root_decl_at_ = out_.size();
    root_done_ = true;
  }
  stack_.push_back(std::move(qualified));
  start_tag_open_ = true;
}

void XmlWriter::attribute(std::string_view local, std::string_view value) {
  assert(start_tag_open_ && "attribute() straight after open()");
  out_ += ' ';
  out_ += local;
  out_ += "=\"";
  append_sanitised(out_, value, true);
  out_ += '"';
}

void XmlWriter::text(std::string_view text) {
  assert(!stack_.empty() && "text inside the root");
  if (text.empty()) return;
  end_start_tag();
  append_sanitised(out_, text, false);
}

void XmlWriter::raw(std::string_view fragment) {
  assert(!stack_.empty() && "raw inside the root");
  if (fragment.empty()) return;
  end_start_tag();
  out_ += fragment;
}

void XmlWriter::close() {
  assert(!stack_.empty() && "close() without open()");
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
  } else {
    out_ += "</";
    out_ += stack_.back();
    out_ += '>';
  }
  stack_.pop_back();
}

void XmlWriter::leaf(const QName& name, std::string_view text) {
  open(name);
  this->text(text);
  close();
}

std::string XmlWriter::finish() && {
  assert(root_done_ && stack_.empty() && "finish() with open elements");
  std::string decls;
  for (const Prefix& p : prefixes_) {
    decls += " xmlns:";
    decls += p.prefix;
    decls += "=\"";
    decls += escape_attribute(p.ns);
    decls += '"';
  }
  out_.insert(root_decl_at_, decls);
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + std::move(out_);
}

}  // namespace atrium::dav::xml
