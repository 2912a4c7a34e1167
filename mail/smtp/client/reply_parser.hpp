// The client side's reply parser: server bytes in, smtp::Reply values out (RFC 5321 section 4.2,
// enhanced status codes of RFC 2034/3463). Pure and incremental, total over arbitrary bytes, and
// fuzzed (tests/fuzz/mail/smtp_client).
#pragma once

#include "mail/smtp/reply.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace atrium::smtp::client {

// RFC 5321 section 4.5.3.1.5 allows 512 octets per reply line; real servers send longer ones
// (long EHLO keywords, verbose rejections), so we tolerate up to a cap instead.
struct ReplyLimits {
  std::size_t max_line = 4096;  // octets of one line without its line ending
  std::size_t max_lines = 100;  // lines in one reply
};

enum class ReplyError {
  line_too_long,   // a line exceeds ReplyLimits::max_line
  too_many_lines,  // a reply exceeds ReplyLimits::max_lines
  bad_code,        // the line does not start with three digits, the first 2 to 5
  bad_separator,   // the code is followed by something other than SP, '-' or the end of the line
  code_mismatch,   // a line of a multi-line reply repeats a different code than the first
};
std::string_view to_string(ReplyError e) noexcept;

// Parses one reply at a time, keeping a partly received multi-line reply between calls. After
// an error the input is out of step with the replies: the caller drops the connection (reset()
// makes the parser usable again, e.g. for tests).
//
// A parsed Reply has the code; `enhanced` is the RFC 3463 code ("2.1.5") when the first line's
// text starts with one whose class is the reply's first digit, else ""; `lines` holds each line's
// text without the code, separator and (where a line repeats it) the enhanced code. Text octets
// are kept as received (they may be anything but LF): sanitise before quoting them elsewhere.
// Lines may end in CRLF or a bare LF. Round trip: for a Reply r this parser produced, parsing
// smtp::format_reply(r) gives back r.
class ReplyParser {
 public:
  enum class Kind {
    need_more,  // no complete reply yet
    reply,      // `reply` is complete
    error,      // `error` says why; the partial reply is dropped
  };
  struct Result {
    Kind kind = Kind::need_more;
    std::size_t consumed = 0;  // next(): octets of the input used (whole lines only)
    Reply reply;
    ReplyError error = ReplyError::bad_code;
  };

  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  // Byte level: looks at the front of `buffered` (all input not consumed yet) and consumes lines
  // until one reply is complete, an error occurs, or no complete line is left. Returns at most
  // one reply; call again with the rest. A line that cannot fit max_line is an error as soon as
  // that is known, without waiting for its end (then `consumed` is all of `buffered`).
  Result next(std::string_view buffered);

  // Line level, for callers that frame lines themselves (net::read_line): one line without its
  // line ending. `consumed` is unused.
  Result add_line(std::string_view line);

  // Forgets a partly received reply.
  void reset();

  const ReplyLimits& limits() const { return limits_; }

 private:
  ReplyLimits limits_;
  int code_ = 0;  // of the reply being collected; 0 between replies
  std::vector<std::string> texts_;
};

// Splits an RFC 3463 enhanced status code ("5.1.1 ") off the front of `text` when its class
// digit is `klass`; returns its length without the following space, 0 if none (always for a
// `klass` other than '2', '4' or '5', the only RFC 3463 classes).
std::size_t enhanced_code_length(std::string_view text, char klass) noexcept;

}  // namespace atrium::smtp::client
