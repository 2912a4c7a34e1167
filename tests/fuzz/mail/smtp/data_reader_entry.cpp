// Fuzz entry: the DATA/BDAT content decoder, fed whole and in pieces.
#include "tests/fuzz/mail/smtp/fuzz_entries.hpp"

#include "mail/smtp/data_reader.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::smtp::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "smtp data reader fuzz: %s\n", what);
  std::abort();
}

struct Result {
  std::string out;
  std::size_t consumed = 0;
  bool done = false;
  std::optional<ContentError> error;
  bool too_big = false;
  std::uint64_t size = 0;
  bool eight_bit = false;
};

Result run(std::string_view in, BodyFraming framing, std::uint64_t max, unsigned step) {
  DataReader r(framing, max);
  Result res;
  std::size_t pos = 0;
  unsigned k = 0;
  while (pos < in.size() && !r.done()) {
    std::size_t piece = step == 0 ? in.size() : 1 + (k++ * 7 + step) % (step + 3);
    std::string_view chunk = in.substr(pos, piece);
    std::size_t n = r.feed(chunk, res.out);
    require(n <= chunk.size(), "consumed more than fed");
    require(n == chunk.size() || r.done(), "stopped before the end without a terminator");
    pos += n;
  }
  if (framing == BodyFraming::chunked) r.finish();
  res.consumed = pos;
  res.done = r.done();
  res.error = r.error();
  res.too_big = r.too_big();
  res.size = r.size();
  res.eight_bit = r.has_8bit();
  return res;
}

}  // namespace

int data_reader_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  const BodyFraming framing = (control & 1) ? BodyFraming::chunked : BodyFraming::dot_stuffed;
  static constexpr std::uint64_t limits[] = {0, 16, 1000, 1 << 20};
  const std::uint64_t max = limits[(control >> 1) & 3];
  const unsigned step = control >> 3;

  const Result whole = run(in, framing, max, 0);
  const Result cut = run(in, framing, max, step);
  // After an error or once too big, how much was stored before stopping is unspecified.
  const bool clean = !whole.error && !whole.too_big;
  require((!clean || whole.out == cut.out) && whole.consumed == cut.consumed && whole.done == cut.done &&
              whole.error == cut.error && whole.too_big == cut.too_big && whole.size == cut.size &&
              whole.eight_bit == cut.eight_bit,
          "result depends on how the input is cut");
  if (max != 0) require(whole.out.size() <= max, "stored more than the limit");
  if (framing == BodyFraming::dot_stuffed && whole.done) {
    std::string_view used = in.substr(0, whole.consumed);
    require(used == ".\r\n" || used.ends_with("\r\n.\r\n"), "ended without CRLF.CRLF");
  }
  if (clean) {
    const std::string& o = whole.out;
    for (std::size_t i = 0; i < o.size(); ++i) {
      if (o[i] == '\n') require(i > 0 && o[i - 1] == '\r', "bare LF in clean output");
      if (o[i] == '\r') require(i + 1 < o.size() && o[i + 1] == '\n', "bare CR in clean output");
      require(o[i] != '\0', "NUL in clean output");
    }
    require(whole.size == o.size(), "size differs from output");
  }
  return 0;
}

}  // namespace atrium::smtp::fuzz
