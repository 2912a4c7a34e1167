// A small forgiving HTML tokenizer: enough structure to skip markup, never enough to fail.
#include "mail/mime/html.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/charset.hpp"

#include <charconv>
#include <cstdint>

namespace atrium::mail::mime {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ':';
}

// Collects output with white space normalised: blanks collapse, blank lines collapse.
class TextSink {
 public:
  explicit TextSink(std::size_t max) : max_(max) {}
  bool full() const { return out_.size() >= max_; }
  void space() { pending_ = pending_ == Pending::line ? Pending::line : Pending::space; }
  void line() { pending_ = Pending::line; }
  void text(std::string_view s) {
    if (s.empty() || full()) return;
    if (!out_.empty()) {
      if (pending_ == Pending::line) out_.push_back('\n');
      if (pending_ == Pending::space) out_.push_back(' ');
    }
    pending_ = Pending::none;
    out_.append(s.substr(0, max_ - std::min(max_, out_.size())));
  }
  std::string take() { return std::move(out_); }

 private:
  enum class Pending { none, space, line };
  std::string out_;
  std::size_t max_;
  Pending pending_ = Pending::none;
};

struct NamedEntity {
  std::string_view name;
  std::uint32_t cp;
};

constexpr NamedEntity named_entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122}, {"euro", 0x20AC},
    {"pound", 0xA3},   {"yen", 0xA5},     {"cent", 0xA2},    {"sect", 0xA7},    {"deg", 0xB0},
    {"middot", 0xB7},  {"laquo", 0xAB},   {"raquo", 0xBB},   {"lsquo", 0x2018}, {"rsquo", 0x2019},
    {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"sbquo", 0x201A}, {"bdquo", 0x201E}, {"ndash", 0x2013},
    {"mdash", 0x2014}, {"hellip", 0x2026}, {"bull", 0x2022}, {"shy", 0xAD},     {"times", 0xD7},
    {"divide", 0xF7},  {"auml", 0xE4},    {"ouml", 0xF6},    {"uuml", 0xFC},    {"Auml", 0xC4},
    {"Ouml", 0xD6},    {"Uuml", 0xDC},    {"szlig", 0xDF},   {"eacute", 0xE9},  {"egrave", 0xE8},
    {"ecirc", 0xEA},   {"aacute", 0xE1},  {"agrave", 0xE0},  {"acirc", 0xE2},   {"ccedil", 0xE7},
    {"iacute", 0xED},  {"oacute", 0xF3},  {"uacute", 0xFA},  {"ntilde", 0xF1},  {"Eacute", 0xC9},
    {"zwnj", 0x200C},  {"zwj", 0x200D},   {"thinsp", 0x2009}, {"ensp", 0x2002}, {"emsp", 0x2003},
};

// Decodes the reference at html[pos] ('&'); returns the bytes consumed, 0 when it is not one.
std::size_t decode_reference(std::string_view html, std::size_t pos, std::string& out) {
  std::size_t i = pos + 1;
  if (i < html.size() && html[i] == '#') {
    ++i;
    int base = 10;
    if (i < html.size() && (html[i] == 'x' || html[i] == 'X')) {
      base = 16;
      ++i;
    }
    std::size_t j = i;
    while (j < html.size() && j - i < 8 &&
           ((html[j] >= '0' && html[j] <= '9') ||
            (base == 16 && ((html[j] >= 'a' && html[j] <= 'f') || (html[j] >= 'A' && html[j] <= 'F'))))) {
      ++j;
    }
    if (j == i) return 0;
    std::uint32_t cp = 0;
    std::from_chars(html.data() + i, html.data() + j, cp, base);
    if (cp == 0) cp = 0xFFFD;
    append_utf8(out, cp);
    if (j < html.size() && html[j] == ';') ++j;
    return j - pos;
  }
  std::size_t j = i;
  while (j < html.size() && j - i < 10 && ((html[j] >= 'a' && html[j] <= 'z') || (html[j] >= 'A' && html[j] <= 'Z'))) {
    ++j;
  }
  const std::string_view name = html.substr(i, j - i);
  for (const auto& e : named_entities) {
    if (e.name == name) {
      append_utf8(out, e.cp);
      if (j < html.size() && html[j] == ';') ++j;
      return j - pos;
    }
  }
  return 0;
}

bool is_block_tag(std::string_view name) {
  static constexpr std::string_view blocks[] = {
      "p",  "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1",   "h2",      "h3",     "h4",
      "h5", "h6",  "hr", "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt", "title"};
  for (auto b : blocks) {
    if (text::iequals(b, name)) return true;
  }
  return false;
}

// Elements whose content is not text.
bool is_skipped_element(std::string_view name) {
  return text::iequals(name, "script") || text::iequals(name, "style") || text::iequals(name, "head");
}

// Finds "</name" (any case) from `pos`; returns its position or npos.
std::size_t find_closing(std::string_view html, std::size_t pos, std::string_view name) {
  while ((pos = html.find("</", pos)) != std::string_view::npos) {
    if (html.size() - pos - 2 >= name.size() && text::iequals(html.substr(pos + 2, name.size()), name)) return pos;
    pos += 2;
  }
  return std::string_view::npos;
}

}  // namespace

std::string html_to_text(std::string_view html, std::size_t max_output) {
  TextSink sink(max_output);
  std::string run;  // text between markup, references decoded
  const auto flush = [&] {
    std::size_t i = 0;
    while (i < run.size()) {
      if (is_space(run[i])) {
        sink.space();
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < run.size() && !is_space(run[j])) ++j;
      sink.text(std::string_view(run).substr(i, j - i));
      i = j;
    }
    run.clear();
  };

  std::size_t pos = 0;
  while (pos < html.size() && !sink.full()) {
    const char c = html[pos];
    if (c == '&') {
      if (const std::size_t n = decode_reference(html, pos, run)) {
        pos += n;
        continue;
      }
      run.push_back(c);
      ++pos;
      continue;
    }
    if (c != '<') {
      run.push_back(c);
      ++pos;
      continue;
    }
    // Markup.
    if (html.compare(pos, 4, "<!--") == 0) {
      const std::size_t end = html.find("-->", pos + 4);
      pos = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    std::size_t i = pos + 1;
    const bool closing = i < html.size() && html[i] == '/';
    if (closing) ++i;
    const std::size_t name_start = i;
    while (i < html.size() && is_name_char(html[i])) ++i;
    const std::string_view name = html.substr(name_start, i - name_start);
    if (name.empty() && !(i < html.size() && (html[i] == '!' || html[i] == '?'))) {
      run.push_back(c);  // a lone '<' is text
      ++pos;
      continue;
    }
    // Skip to the end of the tag, across quoted attribute values.
    char quote = 0;
    while (i < html.size()) {
      const char t = html[i];
      if (quote != 0) {
        if (t == quote) quote = 0;
      } else if (t == '"' || t == '\'') {
        quote = t;
      } else if (t == '>') {
        break;
      }
      ++i;
    }
    pos = i < html.size() ? i + 1 : html.size();
    flush();
    if (!closing && is_skipped_element(name)) {
      const std::size_t end = find_closing(html, pos, name);
      if (end == std::string_view::npos) {
        pos = html.size();
      } else {
        const std::size_t gt = html.find('>', end);
        pos = gt == std::string_view::npos ? html.size() : gt + 1;
      }
      continue;
    }
    // Inline markup (<b>, <span>, <a>) separates nothing: "w<b>or</b>d" is one word.
    if (is_block_tag(name)) sink.line();
  }
  flush();
  return sink.take();
}

}  // namespace atrium::mail::mime
