// Raw DEFLATE streams for IMAP COMPRESS=DEFLATE (RFC 4978; RFC 1951 without zlib framing).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace atrium::imap {

class Deflater {
 public:
  Deflater();
  ~Deflater();
  // Compresses `in` and flushes (Z_SYNC_FLUSH), so the peer can decode every response at once.
  std::string compress(std::string_view in);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class Inflater {
 public:
  // At most `max_output` octets come out of one call's input (a bound on decompression bombs
  // per read; the framer's limits apply to what follows).
  explicit Inflater(std::size_t max_output = 16 << 20);
  ~Inflater();
  // Appends the decompressed form of `in` to `out`. False on corrupt input or when the output
  // bound is exceeded: the connection must then close.
  bool decompress(std::string_view in, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::size_t max_output_;
};

}  // namespace atrium::imap
