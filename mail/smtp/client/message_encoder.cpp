// Line-ending canonicalisation and dot-stuffing.
#include "mail/smtp/client/message_encoder.hpp"

namespace atrium::smtp::client {

MessageScan scan_message(std::string_view message) {
  MessageScan scan;
  bool line_start = true;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r') {
      if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
      scan.size += 2;
      line_start = true;
    } else if (c == '\n') {
      scan.size += 2;
      line_start = true;
    } else {
      if (static_cast<unsigned char>(c) > 127) scan.eight_bit = true;
      ++scan.size;
      line_start = false;
    }
  }
  if (!line_start) scan.size += 2;
  return scan;
}

void MessageEncoder::feed(std::string_view slice, std::string& out) {
  for (const char c : slice) {
    if (pending_cr_) {
      pending_cr_ = false;
      out += "\r\n";
      line_start_ = true;
      if (c == '\n') continue;  // the CR's own LF: already written
    }
    if (c == '\r') {
      pending_cr_ = true;
      continue;
    }
    if (c == '\n') {
      out += "\r\n";
      line_start_ = true;
      continue;
    }
    if (line_start_ && c == '.' && framing_ == Framing::data) out += '.';
    out += c;
    line_start_ = false;
  }
}

void MessageEncoder::finish(std::string& out) {
  if (pending_cr_) {
    pending_cr_ = false;
    out += "\r\n";
    line_start_ = true;
  }
  if (!line_start_) {
    out += "\r\n";
    line_start_ = true;
  }
  if (framing_ == Framing::data) out += ".\r\n";
}

}  // namespace atrium::smtp::client
