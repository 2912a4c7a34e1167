// Tokens of the IMAP grammar (RFC 9051 section 9) over one framed command.
#include "mail/imap/reader.hpp"

#include "core/auth/utf8.hpp"
#include "core/text/ascii.hpp"
#include "mail/imap/mailbox_name.hpp"

#include <array>
#include <limits>

namespace atrium::imap::detail {
namespace {

using enum ParseErrorKind;

constexpr std::uint64_t max_number = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t max_number64 = std::numeric_limits<std::int64_t>::max();  // 63 bits

bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}
bool is_8bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// System flags in canonical case (RFC 9051 section 2.3.2), plus \Recent of IMAP4rev1.
constexpr std::array<std::string_view, 6> system_flags = {"Answered", "Flagged", "Deleted", "Seen", "Draft", "Recent"};

}  // namespace

bool is_atom_char(char c) {
  if (is_control(c) || is_8bit(c)) return false;
  switch (c) {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"': case '\\': case ']': return false;
    default: return true;
  }
}
bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }
bool is_list_char(char c) { return is_atom_char(c) || c == '%' || c == '*' || c == ']'; }
bool is_tag_char(char c) { return is_astring_char(c) && c != '+'; }

std::string backslashed(std::string_view name) {
  // Built by appending: GCC 12 at -O3 reports a false -Wrestrict for "\\" + std::string(...).
  std::string out;
  out.reserve(name.size() + 1);
  out += '\\';
  out += name;
  return out;
}

bool Reader::fail(ParseErrorKind kind) {
  if (!error_) {
    error_ = kind;
    error_offset_ = pos_;
  }
  return false;
}

bool Reader::fail_at(ParseErrorKind kind, std::size_t offset) {
  if (!error_) {
    error_ = kind;
    error_offset_ = offset;
  }
  return false;
}

bool Reader::fail_here(ParseErrorKind otherwise) {
  if (at_end()) return fail(missing_argument);
  const char c = in_[pos_];
  if (is_control(c) || (is_8bit(c) && options_.charset == WireCharset::modified_utf7)) return fail(invalid_character);
  return fail(otherwise);
}

bool Reader::take(char c) {
  if (!next_is(c)) return false;
  ++pos_;
  return true;
}

bool Reader::expect(char c, ParseErrorKind kind) {
  if (take(c)) return true;
  return ok() ? fail_here(kind) : false;
}

bool Reader::sp() {
  if (take(' ')) return true;
  if (!ok()) return false;
  return at_end() ? fail(missing_argument) : fail_here(expected_space);
}

bool Reader::finish() {
  if (!ok()) return false;
  while (take(' ')) {
  }
  if (!at_end()) return fail_here(unexpected_argument);
  return true;
}

std::string_view Reader::take_while(bool (*pred)(char)) {
  if (!ok()) return {};
  const std::size_t start = pos_;
  while (pos_ < in_.size() && pred(in_[pos_])) ++pos_;
  return in_.substr(start, pos_ - start);
}

std::string_view Reader::word() {
  if (!ok()) return {};
  const std::size_t start = pos_;
  while (pos_ < in_.size() && (is_alpha(in_[pos_]) || is_digit(in_[pos_]) || in_[pos_] == '.' || in_[pos_] == '-')) {
    ++pos_;
  }
  return in_.substr(start, pos_ - start);
}

std::string_view Reader::peek_word() const {
  if (!ok()) return {};
  std::size_t end = pos_;
  while (end < in_.size() && (is_alpha(in_[end]) || is_digit(in_[end]) || in_[end] == '.' || in_[end] == '-')) ++end;
  return in_.substr(pos_, end - pos_);
}

bool Reader::take_keyword(std::string_view kw) {
  if (!ok()) return false;
  const std::size_t start = pos_;
  const std::string_view w = word();
  if (text::iequals(w, kw)) return true;
  pos_ = start;
  return false;
}

std::string_view Reader::atom(ParseErrorKind kind) {
  if (!ok()) return {};
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_atom_char(in_[pos_])) ++pos_;
  if (pos_ == start) {
    fail_here(kind);
    return {};
  }
  return in_.substr(start, pos_ - start);
}

std::string Reader::quoted() {
  // The caller saw the opening DQUOTE.
  ++pos_;
  std::string out;
  bool eight_bit = false;
  while (true) {
    if (at_end()) {
      fail(bad_string);
      return {};
    }
    const char c = in_[pos_];
    if (c == '"') {
      ++pos_;
      break;
    }
    if (c == '\\') {
      const char next = pos_ + 1 < in_.size() ? in_[pos_ + 1] : '\0';
      if (next != '"' && next != '\\') {
        fail(bad_string);
        return {};
      }
      out += next;
      pos_ += 2;
      continue;
    }
    if (c == '\r' || c == '\n' || c == '\0') {
      fail(c == '\0' ? invalid_character : bad_string);
      return {};
    }
    eight_bit = eight_bit || is_8bit(c);
    out += c;
    ++pos_;
  }
  // RFC 9051 and RFC 6855 allow UTF-8 in quoted strings; on IMAP4rev1 8-bit octets are outside the
  // grammar but common in SEARCH strings (real clients send them quoted), so they pass unchecked
  // and the SEARCH charset decides what they mean.
  if (eight_bit && options_.charset == WireCharset::utf8 && !auth::is_valid_utf8(out)) {
    fail(invalid_character);
    return {};
  }
  return out;
}

std::string_view Reader::literal(bool allow_binary, bool& binary) {
  binary = take('~');
  if (binary && !allow_binary) {
    fail(bad_literal);
    return {};
  }
  if (!expect('{', bad_literal)) return {};
  const std::uint64_t size = digits(max_number64, false, bad_literal);
  take('+');  // non-synchronising: the framer already dealt with the difference
  if (!expect('}', bad_literal) || !expect('\r', bad_literal) || !expect('\n', bad_literal)) return {};
  if (in_.size() - pos_ < size) {
    fail(bad_literal);
    return {};
  }
  const std::string_view data = in_.substr(pos_, static_cast<std::size_t>(size));
  // CHAR8 excludes NUL; only literal8 may carry it (RFC 3516).
  if (!binary && data.find('\0') != std::string_view::npos) {
    fail(bad_literal);
    return {};
  }
  pos_ += data.size();
  return data;
}

std::string Reader::string() {
  if (!ok()) return {};
  if (next_is('"')) return quoted();
  if (next_is('{') || (next_is('~') && peek_at(1) == '{')) {
    bool binary = false;
    return std::string(literal(false, binary));
  }
  fail_here(bad_argument);
  return {};
}

std::string Reader::astring() {
  if (!ok()) return {};
  if (next_is('"') || next_is('{') || (next_is('~') && peek_at(1) == '{')) return string();
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_astring_char(in_[pos_])) ++pos_;
  if (pos_ == start) {
    fail_here(bad_argument);
    return {};
  }
  return std::string(in_.substr(start, pos_ - start));
}

std::optional<std::string> Reader::nstring() {
  if (!ok()) return std::nullopt;
  if (next_is('"') || next_is('{') || next_is('~')) return string();
  if (take_keyword("NIL")) return std::nullopt;
  fail_here(bad_argument);
  return std::nullopt;
}

Reader::LiteralData Reader::literal_data() {
  LiteralData out;
  if (!ok()) return out;
  if (!next_is('{') && !next_is('~')) {
    fail_here(bad_literal);
    return out;
  }
  out.content = literal(true, out.binary);
  return out;
}

std::string Reader::decode_name(std::string raw) {
  if (!ok()) return {};
  if (options_.charset == WireCharset::utf8) {
    if (!is_valid_mailbox_name(raw)) {
      fail(bad_mailbox_name);
      return {};
    }
    return raw;
  }
  auto decoded = modified_utf7_to_utf8(raw);
  if (!decoded) {
    fail(bad_mailbox_name);
    return {};
  }
  return std::move(*decoded);
}

std::string Reader::mailbox() { return normalise_inbox(mailbox_name()); }
std::string Reader::mailbox_name() { return decode_name(astring()); }

std::string Reader::list_pattern() {
  if (!ok()) return {};
  if (next_is('"') || next_is('{') || next_is('~')) return decode_name(string());
  const std::size_t start = pos_;
  while (pos_ < in_.size() && is_list_char(in_[pos_])) ++pos_;
  if (pos_ == start) {
    fail_here(bad_argument);
    return {};
  }
  return decode_name(std::string(in_.substr(start, pos_ - start)));
}

std::uint64_t Reader::digits(std::uint64_t max, bool nonzero, ParseErrorKind kind) {
  if (!ok()) return 0;
  const std::size_t start = pos_;
  std::uint64_t v = 0;
  while (pos_ < in_.size() && is_digit(in_[pos_])) {
    const auto d = static_cast<std::uint64_t>(in_[pos_] - '0');
    if (v > (max - d) / 10) {
      fail(kind);
      return 0;
    }
    v = v * 10 + d;
    ++pos_;
  }
  if (pos_ == start) {
    fail_here(kind);
    return 0;
  }
  // nz-number = digit-nz *DIGIT: no zero and no leading zero.
  if (nonzero && in_[start] == '0') {
    pos_ = start;
    fail(kind);
    return 0;
  }
  return v;
}

std::uint32_t Reader::number(ParseErrorKind kind) { return static_cast<std::uint32_t>(digits(max_number, false, kind)); }
std::uint32_t Reader::nz_number(ParseErrorKind kind) { return static_cast<std::uint32_t>(digits(max_number, true, kind)); }
std::uint64_t Reader::number64(ParseErrorKind kind) { return digits(max_number64, false, kind); }
std::uint64_t Reader::nz_number64(ParseErrorKind kind) { return digits(max_number64, true, kind); }

SequenceSet Reader::sequence_set() {
  SequenceSet set;
  if (!ok()) return set;
  if (take('$')) {
    set.saved = true;
    return set;
  }
  auto seq_number = [&]() -> std::uint32_t {
    if (take('*')) return sequence_star;
    return nz_number(bad_sequence_set);
  };
  do {
    SequenceRange r;
    r.first = seq_number();
    r.last = take(':') ? seq_number() : r.first;
    set.ranges.push_back(r);
  } while (ok() && take(','));
  return set;
}

Flag Reader::flag() {
  if (!ok()) return {};
  if (take('\\')) {
    const std::string_view name = atom(bad_flag);
    for (std::string_view f : system_flags) {
      if (text::iequals(name, f)) return backslashed(f);
    }
    return backslashed(name);  // flag-extension
  }
  return std::string(atom(bad_flag));
}

std::vector<Flag> Reader::flag_list() {
  std::vector<Flag> flags;
  if (!expect('(', bad_flag)) return flags;
  if (take(')')) return flags;
  do {
    flags.push_back(flag());
  } while (ok() && take(' '));
  expect(')', bad_flag);
  return flags;
}

Date Reader::date() {
  if (!ok()) return {};
  std::string_view text;
  const bool quoted = take('"');
  const std::size_t start = pos_;
  while (pos_ < in_.size() && (is_alpha(in_[pos_]) || is_digit(in_[pos_]) || in_[pos_] == '-')) ++pos_;
  text = in_.substr(start, pos_ - start);
  if (quoted && !take('"')) {
    fail(bad_date);
    return {};
  }
  auto d = parse_date_text(text);
  if (!d) {
    pos_ = start;
    fail(bad_date);
    return {};
  }
  return *d;
}

DateTime Reader::date_time() {
  if (!ok()) return {};
  const std::size_t start = pos_;
  if (!take('"')) {
    fail(bad_date);
    return {};
  }
  const std::size_t close = in_.find('"', pos_);
  if (close == std::string_view::npos) {
    fail(bad_date);
    return {};
  }
  auto dt = parse_date_time_text(in_.substr(pos_, close - pos_));
  if (!dt) {
    pos_ = start;
    fail(bad_date);
    return {};
  }
  pos_ = close + 1;
  return *dt;
}

}  // namespace atrium::imap::detail
