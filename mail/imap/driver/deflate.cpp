// zlib in raw mode (negative window bits) for COMPRESS=DEFLATE.
#include "mail/imap/driver/deflate.hpp"

#include <zlib.h>

#include <stdexcept>

namespace atrium::imap {

struct Deflater::State {
  z_stream z{};
};

Deflater::Deflater() : state_(std::make_unique<State>()) {
  if (deflateInit2(&state_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
}

Deflater::~Deflater() { deflateEnd(&state_->z); }

std::string Deflater::compress(std::string_view in) {
  std::string out;
  auto& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buffer[16384];
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    deflate(&z, Z_SYNC_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

struct Inflater::State {
  z_stream z{};
};

Inflater::Inflater(std::size_t max_output) : state_(std::make_unique<State>()), max_output_(max_output) {
  if (inflateInit2(&state_->z, -15) != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

Inflater::~Inflater() { inflateEnd(&state_->z); }

bool Inflater::decompress(std::string_view in, std::string& out) {
  auto& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::size_t produced = 0;
  char buffer[16384];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    int rc = inflate(&z, Z_SYNC_FLUSH);
    std::size_t n = sizeof buffer - z.avail_out;
    out.append(buffer, n);
    produced += n;
    if (produced > max_output_) return false;
    if (rc == Z_STREAM_END) return z.avail_in == 0;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    // Done when all input is taken and the output buffer was not filled (nothing pending).
    if (z.avail_in == 0 && z.avail_out != 0) return true;
    if (rc == Z_BUF_ERROR && n == 0) return true;
  }
}

}  // namespace atrium::imap
