// DSN composition (RFC 3464, RFC 6522, RFC 6533) and the RFC 3461 rules for when one is owed.
// The report is built part by part from cleaned strings, then the boundary is chosen so that it
// appears in none of them.
#include "mail/queue/dsn/dsn.hpp"

#include "core/text/ascii.hpp"
#include "mail/queue/dsn/utf8.hpp"

#include <algorithm>
#include <array>

namespace atrium::mail::queue {
namespace {

using detail::has_8bit;
using detail::utf8_code_point;
using detail::utf8_sequence_length;

// Folding target for our own fields and text (RFC 5322 §2.1.1 SHOULD), and the hard limit
// (MUST) with room for the CRLF and a folding blank.
constexpr std::size_t fold_width = 78;
constexpr std::size_t max_line = 998;
constexpr std::size_t hard_chunk = 900;
// One untrusted value (a reply, an address, an ENVID) in the report; more is cut.
constexpr std::size_t max_value = 8192;

constexpr std::string_view crlf = "\r\n";

// ---- Dates ----

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// RFC 5322 §3.3 date-time in UTC. Times are clamped to 1970..9999 so the year has four digits.
std::string format_date(std::int64_t t) {
  constexpr std::int64_t last = 253402300799;  // 9999-12-31T23:59:59Z
  t = std::clamp<std::int64_t>(t, 0, last);
  std::int64_t days = t / 86400;
  const std::int64_t secs = t % 86400;
  static constexpr std::array<std::string_view, 7> weekdays{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  const std::string_view weekday = weekdays[static_cast<std::size_t>(days % 7)];
  std::int64_t year = 1970;
  while (days >= (is_leap(year) ? 366 : 365)) days -= is_leap(year++) ? 366 : 365;
  static constexpr std::array<int, 12> month_days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::size_t month = 0;
  while (true) {
    const int len = month_days[month] + (month == 1 && is_leap(year) ? 1 : 0);
    if (days < len) break;
    days -= len;
    ++month;
  }
  const auto two = [](std::int64_t v) {
    return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  };
  std::string out(weekday);
  out += ", " + two(days + 1) + " " + std::string(months[month]) + " " + std::to_string(year) + " ";
  out += two(secs / 3600) + ":" + two(secs / 60 % 60) + ":" + two(secs % 60) + " +0000";
  return out;
}

// ---- Cleaning untrusted strings ----

enum class Charset { ascii, utf8 };

// Whether `s` holds at least one well-formed non-ASCII UTF-8 character.
bool has_utf8_char(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80 && utf8_sequence_length(s, i) > 1) return true;
  }
  return false;
}

// Cuts `s` to at most `limit` octets without splitting a UTF-8 sequence.
std::string_view cut(std::string_view s, std::size_t limit) {
  if (s.size() <= limit) return s;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// One line of text for a field or the text part: controls become blanks, runs of blanks one
// blank, the ends are trimmed; 8-bit octets are kept only as well-formed UTF-8 in utf8 mode, any
// other becomes '?'. Capped at max_value octets.
std::string clean(std::string_view s, Charset cs) {
  s = cut(s, max_value);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const bool blank = c < 0x20 || c == 0x7F || c == ' ';
      if (!blank) {
        out += static_cast<char>(c);
      } else if (!out.empty() && out.back() != ' ') {
        out += ' ';
      }
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    if (cs == Charset::utf8 && n > 1) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += '?';
      ++i;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

char hex_digit(unsigned v) { return "0123456789ABCDEF"[v & 0xF]; }

// RFC 3461 §4 xtext: "+XX" for '+', '=', and anything outside printable ASCII without SP.
std::string xtext(std::string_view s) {
  std::string out;
  for (char ch : cut(s, max_value)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x21 && c <= 0x7E && c != '+' && c != '=') {
      out += ch;
    } else {
      out += '+';
      out += hex_digit(c >> 4);
      out += hex_digit(c);
    }
  }
  return out;
}

// RFC 6533 §3 utf-8-addr-unitext: printable ASCII but SP, '+', '=', '\' as it is, non-ASCII as
// raw UTF-8, those four and controls as "\x{HH}". NUL and malformed UTF-8 become '?'.
std::string unitext(std::string_view s) {
  s = cut(s, max_value);
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    const auto c = static_cast<unsigned char>(s[i]);
    if (n == 0 || c == 0) {
      out += '?';
      ++i;
    } else if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      if (c >= 0x21 && c <= 0x7E && c != '+' && c != '=' && c != '\\') {
        out += static_cast<char>(c);
      } else {
        out += "\\x{";
        out += hex_digit(c >> 4);
        out += hex_digit(c);
        out += '}';
      }
      ++i;
    }
  }
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Undoes the RFC 6533 "\x{HEX}" escapes of a utf-8 ORCPT address; malformed escapes stay as
// they are (unitext will then escape their backslash).
std::string decode_embedded_unicode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s.substr(i).starts_with("\\x{")) {
      const std::size_t close = s.find('}', i + 3);
      const std::string_view hex = close == std::string_view::npos ? std::string_view{} : s.substr(i + 3, close - i - 3);
      std::uint32_t cp = 0;
      bool ok = hex.size() >= 2 && hex.size() <= 6;
      for (char h : hex) {
        const char l = text::ascii_lower(h);
        if (l >= '0' && l <= '9') {
          cp = cp * 16 + static_cast<std::uint32_t>(l - '0');
        } else if (l >= 'a' && l <= 'f') {
          cp = cp * 16 + static_cast<std::uint32_t>(l - 'a' + 10);
        } else {
          ok = false;
        }
      }
      if (ok && cp != 0 && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)) {
        append_utf8(out, cp);
        i = close + 1;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

// The address-type; address of Final-Recipient: rfc822 for printable ASCII, else utf-8 with
// the unitext form (RFC 6533 §3).
std::string final_recipient_value(std::string_view address) {
  if (is_printable_ascii(address)) return "rfc822; " + std::string(cut(address, max_value));
  return "utf-8; " + unitext(address);
}

bool is_addr_type_atom(std::string_view t) {
  return !t.empty() && t.size() <= 64 && std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
  });
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Original-Recipient from ORCPT ("addr-type;address", decoded). RFC 3461 §4.2 asks for the
// value as given; we only re-encode what a DSN field cannot carry.
std::string original_recipient_value(std::string_view orcpt) {
  const std::size_t semi = orcpt.find(';');
  std::string_view type = semi == std::string_view::npos ? std::string_view("rfc822") : trim_blanks(orcpt.substr(0, semi));
  const std::string_view address = semi == std::string_view::npos ? trim_blanks(orcpt) : trim_blanks(orcpt.substr(semi + 1));
  if (!is_addr_type_atom(type)) type = "rfc822";
  if (text::iequals(type, "utf-8")) return "utf-8; " + unitext(decode_embedded_unicode(address));
  if (text::iequals(type, "rfc822")) {
    if (is_printable_ascii(address)) return "rfc822; " + std::string(cut(address, max_value));
    return "utf-8; " + unitext(address);  // a UTF-8 address sent as rfc822 by a confused client
  }
  if (is_printable_ascii(address)) return std::string(type) + "; " + std::string(cut(address, max_value));
  return std::string(type) + "; " + xtext(address);
}

// The reply lines of a diagnostic, each without its line end, empty lines dropped.
std::vector<std::string_view> reply_lines(std::string_view reply) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  reply = cut(reply, max_value);
  while (pos < reply.size()) {
    std::size_t end = reply.find('\n', pos);
    if (end == std::string_view::npos) end = reply.size();
    std::string_view line = reply.substr(pos, end - pos);
    pos = end + 1;
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!trim_blanks(line).empty()) lines.push_back(line);
  }
  return lines;
}

std::string join(const std::vector<std::string_view>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

// ---- Writing fields and text ----

// Splits `s` (already cleaned: single blanks, no controls) into words.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// Writes words separated by single blanks, starting a new line (CRLF + `continuation`) before a
// word that would pass `width`. A word too long for any line is cut in pieces (a blank appears
// where it was cut), so no line passes hard_chunk plus the continuation.
class Wrapper {
 public:
  Wrapper(std::string& out, std::string_view continuation, std::size_t width, std::size_t line_len)
      : out_(out), continuation_(continuation), width_(width), line_len_(line_len) {}

  void word(std::string_view w) {
    if (!at_start_) {
      if (line_len_ + 1 + w.size() > width_) {
        new_line();
      } else {
        out_ += ' ';
        ++line_len_;
      }
    }
    while (line_len_ + w.size() > hard_chunk) {
      std::string_view piece = cut(w, hard_chunk - line_len_);
      if (piece.empty()) piece = w.substr(0, 1);
      out_ += piece;
      w.remove_prefix(piece.size());
      new_line();
    }
    out_ += w;
    line_len_ += w.size();
    at_start_ = false;
  }

 private:
  void new_line() {
    out_ += crlf;
    out_ += continuation_;
    line_len_ = continuation_.size();
  }

  std::string& out_;
  std::string_view continuation_;
  std::size_t width_;
  std::size_t line_len_;
  bool at_start_ = true;
};

// "Name: value" CRLF, folded at blanks to fold_width where it can be, never over max_line.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  Wrapper w(out, " ", fold_width, name.size() + 2);
  for (std::string_view word : words(value)) w.word(word);
  out += crlf;
}

// A paragraph of the text part, wrapped to `width` columns, every line starting with `indent`.
void append_wrapped(std::string& out, std::string_view text, std::string_view indent, std::size_t width = 76) {
  out += indent;
  Wrapper w(out, indent, width, indent.size());
  for (std::string_view word : words(text)) w.word(word);
  out += crlf;
}

// ---- The original message ----

struct Original {
  std::string header;  // the header section, CRLF line ends, no empty line after it
  std::string body;    // the body, CRLF line ends
  bool has_body = false;        // the original had an empty line after its header
  bool body_returnable = true;  // no NUL and no line over max_line in the body
  bool header_8bit = false;
};

// Calls `line` with each line of `s` (ended by LF, CRLF or a bare CR), without its end. With
// `until_empty`, stops after the first empty line. Returns where it stopped and whether it
// stopped at an empty line.
struct LineScan {
  std::size_t end = 0;
  bool found_empty = false;
};

template <class F>
LineScan for_each_line(std::string_view s, bool until_empty, F&& line) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = s.find_first_of("\r\n", pos);
    std::size_t next = 0;
    if (end == std::string_view::npos) {
      end = s.size();
      next = s.size();
    } else if (s[end] == '\r' && end + 1 < s.size() && s[end + 1] == '\n') {
      next = end + 2;
    } else {
      next = end + 1;
    }
    const std::string_view l = s.substr(pos, end - pos);
    pos = next;
    if (until_empty && l.empty()) return {pos, true};
    line(l);
  }
  return {pos, false};
}

// One header line of the original, NULs dropped. A line over max_line is folded at its last
// blank that fits, else cut with a blank inserted: the field is altered, but the returned header
// stays well-formed.
void append_header_line(std::string& out, std::string_view l) {
  std::string kept;
  kept.reserve(l.size());
  for (char c : l) {
    if (c != '\0') kept += c;
  }
  std::string_view rest = kept;
  std::size_t prefix = 0;  // 1 when this output line starts with a blank we inserted
  while (rest.size() + prefix > max_line) {
    const std::size_t blank = rest.find_last_of(" \t", max_line - prefix - 1);
    if (blank != std::string_view::npos && blank > 0) {
      out += rest.substr(0, blank);  // the blank starts the continuation line
      out += crlf;
      rest.remove_prefix(blank);
      prefix = 0;
    } else {
      std::string_view piece = cut(rest, hard_chunk);
      if (piece.empty()) piece = rest.substr(0, hard_chunk);
      out += piece;
      out += crlf;
      out += ' ';
      rest.remove_prefix(piece.size());
      prefix = 1;
    }
  }
  out += rest;
  out += crlf;
}

Original split_original(std::string_view message) {
  Original o;
  const LineScan header = for_each_line(message, true, [&](std::string_view l) {
    if (has_8bit(l)) o.header_8bit = true;
    append_header_line(o.header, l);
  });
  o.has_body = header.found_empty;
  if (!o.has_body) return o;
  for_each_line(message.substr(header.end), false, [&](std::string_view l) {
    if (l.size() > max_line || l.find('\0') != std::string_view::npos) o.body_returnable = false;
    o.body += l;
    o.body += crlf;
  });
  return o;
}

// ---- Boundary ----

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

std::string hex64(std::uint64_t v) {
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = hex_digit(static_cast<unsigned>(v));
    v >>= 4;
  }
  return out;
}

// The token's boundary-safe characters, at most 40 of them.
std::string boundary_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (out.size() == 40) break;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') out += c;
  }
  return out;
}

bool appears_in(const std::vector<const std::string*>& contents, std::string_view delimiter) {
  return std::any_of(contents.begin(), contents.end(),
                     [&](const std::string* c) { return c->find(delimiter) != std::string::npos; });
}

// "=_atrium-dsn-<token>", or with a content hash appended when that occurs in the content
// (RFC 2046 §5.1.1: the delimiter must not appear in the parts). nullopt only when eight
// different hashes all occur, which takes content crafted against this very function.
std::optional<std::string> choose_boundary(std::string_view token, const std::vector<const std::string*>& contents) {
  const std::string base = "=_atrium-dsn-" + boundary_token(token);
  if (!appears_in(contents, "--" + base)) return base;
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const std::string* c : contents) h = fnv1a(*c, h);
  for (int salt = 0; salt < 8; ++salt) {
    h = fnv1a(std::string_view("salt"), h + static_cast<std::uint64_t>(salt));
    const std::string candidate = base.substr(0, 50) + "-" + hex64(h);
    if (!appears_in(contents, "--" + candidate)) return candidate;
  }
  return std::nullopt;
}

// ---- Report parts ----

std::string_view subject_for(DsnKind k) {
  switch (k) {
    case DsnKind::failure: return "Undelivered Mail Returned to Sender";
    case DsnKind::delay: return "Delayed Mail (still being retried)";
    case DsnKind::success: return "Successful Mail Delivery Report";
  }
  return "Mail Delivery Report";
}

std::string class_status(DsnAction a) {
  switch (a) {
    case DsnAction::failed: return "5.0.0";
    case DsnAction::delayed: return "4.0.0";
    default: return "2.0.0";
  }
}

// The cleaned facts of one recipient, shared by the text and the status part.
struct Prepared {
  std::string final_recipient;
  std::optional<std::string> original_recipient;
  std::string display_address;  // for the text part
  std::string status;
  std::optional<std::string> remote_mta;
  std::vector<std::string> reply;  // cleaned lines
  std::optional<std::string> explanation;
  const RecipientReport* source = nullptr;
};

enum class Returned { none, headers, full };

std::string text_part(const DsnInput& in, const std::vector<Prepared>& rcpts, std::string_view host,
                      Returned returned) {
  std::string out;
  append_wrapped(out, "This is the mail delivery system at " + std::string(host) + ".", "");
  out += crlf;
  std::string intro;
  switch (in.kind) {
    case DsnKind::failure:
      intro = "Your message could not be delivered to one or more of its recipients. The reasons are given below.";
      break;
    case DsnKind::delay:
      intro = "Your message has not yet been delivered to one or more of its recipients. Delivery will be "
              "retried, so you do not need to send it again; you will be told if it fails for good.";
      break;
    case DsnKind::success:
      intro = "Your message was delivered to the recipients below.";
      break;
  }
  if (returned == Returned::full) intro += " Your message is attached.";
  if (returned == Returned::headers) intro += " The header of your message is attached.";
  append_wrapped(out, intro, "");
  for (const Prepared& p : rcpts) {
    out += crlf;
    std::string line = "<" + p.display_address + ">: ";
    switch (p.source->action) {
      case DsnAction::failed:
        line += "delivery failed: " + std::string(status_description(p.status)) + " (" + p.status + ")";
        break;
      case DsnAction::delayed:
        line += "delivery delayed: " + std::string(status_description(p.status)) + " (" + p.status + ")";
        break;
      case DsnAction::delivered: line += "delivered (" + p.status + ")"; break;
      case DsnAction::relayed:
        line += "relayed; the next system sends no reports (" + p.status + ")";
        break;
      case DsnAction::expanded:
        line += "delivered to a list or alias, which may send its own reports (" + p.status + ")";
        break;
    }
    append_wrapped(out, line, "");
    if (!p.reply.empty()) {
      append_wrapped(out, p.remote_mta ? "The mail server " + *p.remote_mta + " said:" : std::string("The reply was:"),
                     "    ");
      // Reply lines are quoted as they came (up to 512 octets each, RFC 5321 §4.5.3.1.5): wrapped
      // only where a line would pass the length limit, so each stays recognisable.
      for (const std::string& l : p.reply) append_wrapped(out, l, "        ", hard_chunk);
    }
    if (p.explanation) append_wrapped(out, *p.explanation, "    ");
    if (p.source->action == DsnAction::delayed && p.source->will_retry_until) {
      append_wrapped(out, "Delivery will be retried until " + format_date(*p.source->will_retry_until) + ".", "    ");
    }
  }
  return out;
}

std::string status_part(const DsnInput& in, const std::vector<Prepared>& rcpts, std::string_view host,
                        const std::optional<std::string>& envid) {
  std::string out;
  append_field(out, "Reporting-MTA", "dns; " + std::string(host));
  if (envid) append_field(out, "Original-Envelope-Id", *envid);
  if (in.arrival) append_field(out, "Arrival-Date", format_date(*in.arrival));
  for (const Prepared& p : rcpts) {
    out += crlf;
    if (p.original_recipient) append_field(out, "Original-Recipient", *p.original_recipient);
    append_field(out, "Final-Recipient", p.final_recipient);
    append_field(out, "Action", to_string(p.source->action));
    append_field(out, "Status", p.status);
    if (p.remote_mta) append_field(out, "Remote-MTA", "dns; " + *p.remote_mta);
    if (!p.reply.empty()) {
      std::vector<std::string_view> lines(p.reply.begin(), p.reply.end());
      append_field(out, "Diagnostic-Code", "smtp; " + join(lines, " "));
    } else if (p.explanation) {
      append_field(out, "Diagnostic-Code", "X-Atrium; " + *p.explanation);
    }
    if (p.source->last_attempt) append_field(out, "Last-Attempt-Date", format_date(*p.source->last_attempt));
    if (p.source->action == DsnAction::delayed && p.source->will_retry_until) {
      append_field(out, "Will-Retry-Until", format_date(*p.source->will_retry_until));
    }
  }
  return out;
}

// Our host name as it may appear in Message-ID, From and Reporting-MTA: letters, digits, '-',
// '.', and the brackets and colons of an address literal.
std::string clean_host(std::string_view host) {
  std::string out;
  for (char c : cut(host, 255)) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '[' || c == ']' || c == ':') {
      out += c;
    }
  }
  return out.empty() ? "localhost" : out;
}

// The Message-ID's left side: dot-atom text without the characters that upset naive readers.
std::string clean_token(std::string_view token) {
  std::string out;
  for (char c : cut(token, 128)) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '=' || c == '+') {
      out += c;
    }
  }
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  while (!out.empty() && out.back() == '.') out.pop_back();
  std::string dedotted;
  for (char c : out) {
    if (c == '.' && !dedotted.empty() && dedotted.back() == '.') continue;
    dedotted += c;
  }
  return dedotted.empty() ? "dsn" : dedotted;
}

void append_part_header(std::string& out, std::string_view boundary, std::string_view type,
                        std::string_view description, bool eight_bit) {
  out += "--";
  out += boundary;
  out += crlf;
  append_field(out, "Content-Type", type);
  if (!description.empty()) append_field(out, "Content-Description", description);
  if (eight_bit) append_field(out, "Content-Transfer-Encoding", "8bit");
  out += crlf;
}

}  // namespace

std::string_view to_string(DsnAction a) {
  switch (a) {
    case DsnAction::failed: return "failed";
    case DsnAction::delayed: return "delayed";
    case DsnAction::delivered: return "delivered";
    case DsnAction::relayed: return "relayed";
    case DsnAction::expanded: return "expanded";
  }
  return "failed";
}

std::string compose_dsn(const DsnInput& in) {
  const std::string host = clean_host(in.reporting_host);
  const Original original = split_original(in.original);

  // Raw facts first, so that the choice between the RFC 3464 and RFC 6533 forms sees them all.
  struct Raw {
    std::string final_recipient, original_recipient, remote_mta, reply, explanation;
  };
  std::vector<Raw> raw;
  bool utf8 = in.smtputf8 || original.header_8bit || has_utf8_char(in.reverse_path);
  for (const RecipientReport& r : in.recipients) {
    Raw x;
    x.final_recipient = final_recipient_value(r.address);
    if (r.orcpt) x.original_recipient = original_recipient_value(*r.orcpt);
    if (r.remote_mta) x.remote_mta = *r.remote_mta;
    if (r.diagnostic) x.reply = *r.diagnostic;
    if (r.explanation) x.explanation = *r.explanation;
    utf8 = utf8 || has_utf8_char(x.final_recipient) || has_utf8_char(x.original_recipient) ||
           has_utf8_char(x.remote_mta) || has_utf8_char(x.reply) || has_utf8_char(x.explanation);
    raw.push_back(std::move(x));
  }
  if (in.envid && has_utf8_char(*in.envid)) utf8 = true;
  const Charset cs = utf8 ? Charset::utf8 : Charset::ascii;

  std::vector<Prepared> rcpts;
  for (std::size_t i = 0; i < in.recipients.size(); ++i) {
    const RecipientReport& r = in.recipients[i];
    Prepared p;
    p.source = &r;
    p.final_recipient = clean(raw[i].final_recipient, cs);
    if (r.orcpt) p.original_recipient = clean(raw[i].original_recipient, cs);
    p.display_address = clean(r.address, cs);
    p.status = is_status_code(r.status) ? r.status : class_status(r.action);
    if (r.remote_mta) {
      std::string m = clean(*r.remote_mta, cs);
      if (!m.empty()) p.remote_mta = std::move(m);
    }
    if (r.diagnostic) {
      for (std::string_view l : reply_lines(*r.diagnostic)) p.reply.push_back(clean(l, cs));
    }
    if (r.explanation) {
      std::string e = clean(*r.explanation, cs);
      if (!e.empty()) p.explanation = std::move(e);
    }
    rcpts.push_back(std::move(p));
  }

  std::optional<std::string> envid;
  if (in.envid) {
    const bool plain = cs == Charset::utf8 ? (detail::is_valid_utf8(*in.envid) &&
                                              std::none_of(in.envid->begin(), in.envid->end(),
                                                           [](char c) { return (c >= 0 && c < 0x20) || c == 0x7F; }))
                                           : is_printable_ascii(*in.envid);
    envid = plain ? clean(*in.envid, cs) : xtext(*in.envid);
  }

  // What goes back to the sender.
  Returned returned = Returned::none;
  if (!original.header.empty() || original.has_body) {
    const bool want_full =
        in.kind == DsnKind::failure &&
        (in.ret == DsnReturn::full || (in.ret == DsnReturn::unspecified && in.original.size() <= in.full_return_limit));
    returned = want_full && original.body_returnable ? Returned::full : Returned::headers;
    if (returned == Returned::headers && original.header.empty()) returned = Returned::none;
  }
  std::string returned_content;
  if (returned == Returned::full) {
    returned_content = original.header;
    if (original.has_body) {
      returned_content += crlf;
      returned_content += original.body;
    }
  } else if (returned == Returned::headers) {
    returned_content = original.header;
  }

  std::string text = text_part(in, rcpts, host, returned);
  const std::string status = status_part(in, rcpts, host, envid);

  std::optional<std::string> boundary = choose_boundary(in.message_id, {&text, &status, &returned_content});
  if (!boundary) {
    // Only content crafted against the boundary choice gets here: give up returning it.
    returned = Returned::none;
    returned_content.clear();
    text = text_part(in, rcpts, host, returned);
    boundary = choose_boundary(in.message_id, {&text, &status});
    // Unreachable in practice: the addresses and replies left would have to quote nine boundaries
    // derived from a hash of themselves.
    if (!boundary) boundary = "=_atrium-dsn-fallback";
  }

  const bool returned_8bit = has_8bit(returned_content);
  const bool text_8bit = has_8bit(text);
  const bool status_8bit = has_8bit(status);

  std::string out;
  append_field(out, "From", "Mail Delivery System <MAILER-DAEMON@" + host + ">");
  append_field(out, "To", "<" + clean(in.reverse_path, cs) + ">");
  append_field(out, "Subject", subject_for(in.kind));
  append_field(out, "Date", format_date(in.now));
  append_field(out, "Message-ID", "<" + clean_token(in.message_id) + "@" + host + ">");
  append_field(out, "Auto-Submitted", "auto-replied");
  append_field(out, "MIME-Version", "1.0");
  out += "Content-Type: multipart/report; report-type=";
  out += utf8 ? "global-delivery-status;" : "delivery-status;";
  out += crlf;
  out += "\tboundary=\"" + *boundary + "\"";
  out += crlf;
  if (returned_8bit || text_8bit || status_8bit) append_field(out, "Content-Transfer-Encoding", "8bit");
  out += crlf;
  out += "This is a MIME-encapsulated message.";
  out += crlf;
  out += crlf;

  append_part_header(out, *boundary, text_8bit ? "text/plain; charset=utf-8" : "text/plain; charset=us-ascii",
                     "Notification", text_8bit);
  out += text;
  out += crlf;

  append_part_header(out, *boundary, utf8 ? "message/global-delivery-status" : "message/delivery-status",
                     "Delivery report", status_8bit);
  out += status;
  out += crlf;

  if (returned == Returned::full) {
    append_part_header(out, *boundary, utf8 ? "message/global" : "message/rfc822", "Undelivered Message",
                       returned_8bit);
    out += returned_content;
    out += crlf;
  } else if (returned == Returned::headers) {
    append_part_header(out, *boundary, utf8 ? "message/global-headers" : "text/rfc822-headers",
                       in.kind == DsnKind::failure ? "Undelivered Message Headers" : "Message Headers", returned_8bit);
    out += returned_content;
    out += crlf;
  }
  out += "--" + *boundary + "--";
  out += crlf;
  return out;
}

bool should_send_dsn(DsnKind kind, std::string_view reverse_path, const std::optional<NotifyRequest>& notify,
                     DelayNoticeDefault delay_default) {
  if (reverse_path.empty() || reverse_path == "<>") return false;
  if (notify && notify->never) return false;
  switch (kind) {
    case DsnKind::failure: return !notify || notify->failure;
    case DsnKind::delay: return notify ? notify->delay : delay_default == DelayNoticeDefault::send;
    case DsnKind::success: return notify && notify->success;
  }
  return false;
}

}  // namespace atrium::mail::queue
