// The message as it goes on the wire: line endings made CRLF, and for DATA the dot-stuffing and
// the terminating CRLF.CRLF (RFC 5321 sections 2.3.8, 4.1.1.4 and 4.5.2). Pure and incremental.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace atrium::smtp::client {

// What a message needs before it can be sent.
struct MessageScan {
  // Octets after line-ending canonicalisation, without dot-stuffing or terminator: the SIZE=
  // value of RFC 1870 and the octets of the BDAT chunks.
  std::uint64_t size = 0;
  bool eight_bit = false;  // an octet above 127 (the message needs 8BITMIME)
};

// Scans a text (7BIT or 8BITMIME) message. Agrees with MessageEncoder(Framing::bdat): its whole
// output is `size` octets long.
MessageScan scan_message(std::string_view message);

// Encodes a text message in slices, keeping its state between them (a CR at the end of one slice
// may pair with an LF at the start of the next). Bare LF and bare CR both become CRLF: SMTP
// allows neither alone, and a receiver that does not treat them as line ends would otherwise
// see a different message (SMTP smuggling). A last line without a line ending gets one.
// BINARYMIME content is sent as it is, without this encoder.
class MessageEncoder {
 public:
  enum class Framing {
    data,  // after DATA: lines starting with '.' get a second '.', and finish() adds ".\r\n"
    bdat,  // BDAT chunks: no stuffing, no terminator
  };
  explicit MessageEncoder(Framing framing) : framing_(framing) {}

  // Appends the encoding of `slice` (the next part of the message) to `out`.
  void feed(std::string_view slice, std::string& out);
  // Appends what ends the message: the pending line ending, and for DATA the terminator. The
  // encoder must not be fed afterwards.
  void finish(std::string& out);

 private:
  Framing framing_;
  bool line_start_ = true;   // the next octet begins a line
  bool pending_cr_ = false;  // the last octet fed was CR; its LF (or not) is still to come
};

}  // namespace atrium::smtp::client
