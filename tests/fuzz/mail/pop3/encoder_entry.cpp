// Fuzz entry: stored message content through the RETR/TOP encoder, cut into pieces.
#include "tests/fuzz/mail/pop3/fuzz_entries.hpp"

#include "mail/pop3/message_encoder.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::pop3::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "pop3 encoder fuzz: %s\n", what);
  std::abort();
}

std::string run(std::string_view in, std::optional<std::uint64_t> lines, unsigned seed) {
  MessageEncoder e(lines);
  std::string out;
  std::size_t pos = 0;
  unsigned k = seed;
  while (pos < in.size()) {
    k = k * 1103515245u + 12345u;
    const std::size_t piece = seed == 0 ? in.size() : 1 + (k >> 16) % 9;
    if (!e.encode(in.substr(pos, piece), out)) break;
    pos += piece;
  }
  e.finish(out);
  return out;
}

// Every line ending (CRLF, bare LF, a CR at the very end) as CRLF; lone CRs elsewhere kept.
std::string normalised(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && (i + 1 == in.size() || in[i + 1] == '\n')) {
      out += "\r\n";
      if (i + 1 < in.size()) ++i;
    } else if (in[i] == '\n') {
      out += "\r\n";
    } else {
      out += in[i];
    }
  }
  if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
  return out;
}

}  // namespace

int encoder_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::optional<std::uint64_t> lines;
  if (data[0] & 1) lines = (data[0] >> 1) & 7;
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::string whole = run(in, lines, 0);
  require(run(in, lines, data[1] | 1u) == whole, "output depends on how the input is cut");
  require(whole.ends_with(".\r\n"), "no terminator");
  // Line structure: CRLF only, and the only "." line is the last.
  std::string unstuffed;
  std::size_t start = 0;
  while (start < whole.size()) {
    std::size_t lf = whole.find('\n', start);
    require(lf != std::string::npos, "output does not end with a line ending");
    require(lf > start && whole[lf - 1] == '\r', "bare LF in output");
    std::string_view line(whole.data() + start, lf - 1 - start);
    const bool last = lf + 1 == whole.size();
    if (last) {
      require(line == ".", "last line is not the terminator");
    } else {
      require(line != ".", "a lone dot before the end");
      if (line.starts_with('.')) {
        require(line.size() >= 2 && line[1] == '.', "a line starting with one dot was not stuffed");
        line.remove_prefix(1);
      }
      unstuffed.append(line);
      unstuffed += "\r\n";
    }
    start = lf + 1;
  }
  if (!lines) require(unstuffed == normalised(in), "RETR output is not the input with CRLF line endings");
  return 0;
}

}  // namespace atrium::pop3::fuzz
