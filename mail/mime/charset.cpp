// UTF-8 repair and charset conversion. iconv handles the multi-byte sets; UTF-8, US-ASCII and the
// Latin-1 family take built-in paths because they are most of the mail and need no state.
#include "mail/mime/charset.hpp"

#include "core/text/ascii.hpp"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <optional>

namespace atrium::mail::mime {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is ill-formed; `consumed` is the
// length of the maximal ill-formed subpart to replace then (at least 1).
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::size_t& consumed) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  consumed = 1;
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      consumed = k;
      return 0;
    }
    const unsigned char lo_k = k == 1 ? lo : 0x80;
    const unsigned char hi_k = k == 1 ? hi : 0xBF;
    if (b(i + k) < lo_k || b(i + k) > hi_k) {
      consumed = k;
      return 0;
    }
  }
  return len;
}

// Windows-1252 in 0x80..0x9F; the five undefined bytes map to the C1 controls of the same value,
// as the WHATWG encoding standard does.
constexpr std::array<std::uint16_t, 32> cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

enum class Path { utf8, windows_1252, iconv };

struct Resolved {
  Path path = Path::utf8;
  std::string iconv_name;  // for Path::iconv
};

std::string lower_trimmed(std::string_view name) {
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t' || name.front() == '"')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t' || name.back() == '"')) name.remove_suffix(1);
  std::string out;
  out.reserve(name.size());
  for (char c : name) out.push_back(text::ascii_lower(c));
  return out;
}

// Only plain charset names reach iconv: a label like "utf-8//TRANSLIT" must not select iconv
// options, and absurd lengths are not names.
bool plausible_name(std::string_view name) {
  if (name.empty() || name.size() > 40) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                    c == ':' || c == '+';
    if (!ok) return false;
  }
  return true;
}

// Labels that mail software writes but iconv spells differently, or that are really a superset.
std::string_view iconv_alias(std::string_view name) {
  struct Alias {
    std::string_view label, iconv;
  };
  static constexpr Alias aliases[] = {
      {"ks_c_5601-1987", "CP949"},  {"ks_c_5601", "CP949"},   {"euc-kr", "CP949"},
      {"gb2312", "GB18030"},        {"gbk", "GB18030"},       {"x-gbk", "GB18030"},
      {"x-sjis", "SHIFT_JIS"},      {"shift-jis", "SHIFT_JIS"}, {"sjis", "SHIFT_JIS"},
      {"x-euc-jp", "EUC-JP"},       {"iso-8859-8-i", "ISO-8859-8"}, {"iso-8859-6-i", "ISO-8859-6"},
      {"windows-874", "CP874"},     {"x-mac-roman", "MACINTOSH"}, {"macintosh", "MACINTOSH"},
      {"unicode-1-1-utf-7", "UTF-7"}, {"iso-10646-ucs-2", "UCS-2BE"}, {"ucs-2", "UCS-2BE"},
      {"utf-16", "UTF-16"},         {"cp-850", "CP850"},      {"big5-hkscs", "BIG5-HKSCS"},
  };
  for (const auto& a : aliases) {
    if (a.label == name) return a.iconv;
  }
  return {};
}

Resolved resolve(std::string_view charset) {
  const std::string name = lower_trimmed(charset);
  static constexpr std::string_view as_utf8[] = {
      "",        "utf-8",   "utf8",         "us-ascii",   "ascii",          "ansi_x3.4-1968", "us",
      "iso646-us", "x-unknown", "unknown-8bit", "unknown", "x-user-defined", "default", "unicode-1-1-utf-8"};
  for (auto n : as_utf8) {
    if (n == name) return {};
  }
  static constexpr std::string_view as_1252[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
                                                 "windows-1252", "cp1252", "x-cp1252", "cp819", "ibm819"};
  for (auto n : as_1252) {
    if (n == name) return {Path::windows_1252, {}};
  }
  if (!plausible_name(name)) return {};
  if (auto alias = iconv_alias(name); !alias.empty()) return {Path::iconv, std::string(alias)};
  std::string upper;
  for (char c : name) upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  return {Path::iconv, upper};
}

// Owns an iconv descriptor; closes it on every path out.
class IconvHandle {
 public:
  explicit IconvHandle(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~IconvHandle() {
    if (ok()) iconv_close(cd_);
  }
  IconvHandle(const IconvHandle&) = delete;
  IconvHandle& operator=(const IconvHandle&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

std::optional<std::string> convert_with_iconv(std::string_view bytes, const std::string& from) {
  IconvHandle cd(from);
  if (!cd.ok()) return std::nullopt;
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  std::array<char, 4096> buf{};
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write the input
  std::size_t in_left = bytes.size();
  for (;;) {
    char* o = buf.data();
    std::size_t o_left = buf.size();
    const std::size_t r = iconv(cd.get(), in_left > 0 ? &in : nullptr, &in_left, &o, &o_left);
    out.append(buf.data(), buf.size() - o_left);
    if (r != static_cast<std::size_t>(-1)) {
      if (in_left == 0) break;
      continue;
    }
    if (errno == E2BIG) continue;
    // EILSEQ: an invalid sequence; EINVAL: a sequence cut by the end of the input. Either way one
    // replacement and move on, so the conversion always terminates.
    out.append(replacement_character);
    if (errno == EILSEQ && in_left > 0) {
      ++in;
      --in_left;
      continue;
    }
    break;
  }
  // Flush a stateful encoding's final shift sequence (ISO-2022-JP back to ASCII).
  char* o = buf.data();
  std::size_t o_left = buf.size();
  iconv(cd.get(), nullptr, nullptr, &o, &o_left);
  out.append(buf.data(), buf.size() - o_left);
  // iconv's output is UTF-8 by construction; repair anyway so the contract holds for any iconv.
  if (!is_valid_utf8(out)) return repair_utf8(out);
  return out;
}

std::string from_windows_1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else if (c < 0xA0) {
      append_utf8(out, cp1252_high[c - 0x80]);
    } else {
      append_utf8(out, c);
    }
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t consumed = 0;
    const std::size_t len = utf8_sequence(s, i, consumed);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string repair_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t consumed = 0;
    const std::size_t len = utf8_sequence(s, i, consumed);
    if (len == 0) {
      out.append(replacement_character);
      i += consumed;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out.append(replacement_character);
  } else if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  const Resolved r = resolve(charset);
  switch (r.path) {
    case Path::utf8: return is_valid_utf8(bytes) ? std::string(bytes) : repair_utf8(bytes);
    case Path::windows_1252: return from_windows_1252(bytes);
    case Path::iconv: break;
  }
  if (auto converted = convert_with_iconv(bytes, r.iconv_name)) return std::move(*converted);
  return is_valid_utf8(bytes) ? std::string(bytes) : repair_utf8(bytes);
}

bool is_known_charset(std::string_view charset) {
  const Resolved r = resolve(charset);
  if (r.path != Path::iconv) {
    // The UTF-8 path is also the fallback: only names that really mean UTF-8 or ASCII count.
    const std::string name = lower_trimmed(charset);
    return r.path != Path::utf8 || name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii" ||
           name == "unicode-1-1-utf-8" || name == "ansi_x3.4-1968" || name == "us" || name == "iso646-us";
  }
  IconvHandle cd(r.iconv_name);
  return cd.ok();
}

}  // namespace atrium::mail::mime
