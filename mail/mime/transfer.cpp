// Transfer decoding, total over arbitrary bytes: malformed input decodes to something rather than
// to an error, because a reader must still show the part.
#include "mail/mime/transfer.hpp"

#include "core/text/ascii.hpp"

namespace atrium::mail::mime {
namespace {

int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

TransferEncoding classify_transfer_encoding(std::optional<std::string_view> token) {
  if (!token) return TransferEncoding::seven_bit;
  std::string_view t = *token;
  if (text::iequals(t, "7bit")) return TransferEncoding::seven_bit;
  if (text::iequals(t, "8bit")) return TransferEncoding::eight_bit;
  if (text::iequals(t, "binary")) return TransferEncoding::binary;
  if (text::iequals(t, "base64")) return TransferEncoding::base64;
  if (text::iequals(t, "quoted-printable")) return TransferEncoding::quoted_printable;
  return TransferEncoding::unknown;
}

std::string decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    if (ch == '=') break;
    const int v = base64_value(static_cast<unsigned char>(ch));
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  std::size_t blanks_start = std::string::npos;  // where a run of blanks began in `out`
  while (i < in.size()) {
    const char c = in[i];
    if (c == '\r' || c == '\n') {
      // A hard line end: trailing blanks before it were added in transport.
      if (blanks_start != std::string::npos) out.resize(blanks_start);
      blanks_start = std::string::npos;
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '=') {
      // Soft line break: "=", optional blanks, then CRLF or LF (or the end of the input).
      std::size_t j = i + 1;
      while (j < in.size() && is_blank(in[j])) ++j;
      if (j == in.size() || in[j] == '\n' || (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n')) {
        if (j < in.size()) j += in[j] == '\r' ? 2 : 1;
        i = j;
        blanks_start = std::string::npos;
        continue;
      }
      if (i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2])));
        i += 3;
        blanks_start = std::string::npos;
        continue;
      }
      out.push_back('=');
      ++i;
      blanks_start = std::string::npos;
      continue;
    }
    if (is_blank(c)) {
      if (blanks_start == std::string::npos) blanks_start = out.size();
    } else {
      blanks_start = std::string::npos;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string decode_transfer(std::string_view body, TransferEncoding encoding) {
  switch (encoding) {
    case TransferEncoding::base64: return decode_base64(body);
    case TransferEncoding::quoted_printable: return decode_quoted_printable(body);
    default: return std::string(body);
  }
}

std::size_t crlf_size(std::string_view text) {
  std::size_t size = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) ++size;
  }
  return size;
}

std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(crlf_size(text));
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace atrium::mail::mime
