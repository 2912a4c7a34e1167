// Fuzz entry: a whole SMTP/LMTP session fed arbitrary bytes in arbitrary packets, with the fake
// backend answering every request at once.
#include "tests/fuzz/mail/smtp/fuzz_entries.hpp"

#include "core/log/log.hpp"
#include "mail/smtp/session.hpp"
#include "tests/unit/mail/smtp/fake_backend.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::smtp::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "smtp session fuzz: %s\n", what);
  std::abort();
}

void check_reply_line(std::string_view line) {
  if (!line.starts_with("S: ")) return;
  line.remove_prefix(3);
  require(line.size() >= 4, "short reply line");
  for (int i = 0; i < 3; ++i) require(line[i] >= '0' && line[i] <= '9', "reply code not three digits");
  require(line[0] >= '2' && line[0] <= '5', "reply class out of range");
  require(line[3] == ' ' || line[3] == '-', "reply code not followed by SP or '-'");
}

}  // namespace

int session_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  log::set_level(log::Level::error);  // the session logs refusals at info; keep fuzzing quiet
  const std::uint8_t opt = data[0];
  const std::uint8_t seed = data[1];
  SessionOptions o;
  o.hostname = "mx.local.test";
  o.mode = static_cast<Mode>(opt & 3);
  o.tls_available = (opt & 4) != 0;
  o.tls_active = o.mode == Mode::submissions;
  o.auth_without_tls_allowed = (opt & 8) != 0;
  if (opt & 16) {
    o.max_message_size = 64;
    o.max_recipients = 2;
    o.max_errors = 4;
  }
  o.pipelining = (opt & 32) == 0;

  testing::FakeBackend backend;
  backend.users = {"bob@local.test", "alice@local.test"};
  backend.full = {"full@local.test"};
  backend.logins["alice"] = {"secret", "alice@local.test"};
  backend.owns["alice@local.test"] = {"alice@local.test"};
  if (opt & 64) backend.delivery["*"] = DeliveryStatus::temporary_failure;
  if (seed & 1) backend.chaos = seed;

  Session session(o, "192.0.2.1");
  session.start();
  testing::run_actions(session, backend, o.mode, check_reply_line);
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  std::size_t pos = 0;
  unsigned k = seed;
  while (pos < in.size()) {
    k = k * 1103515245u + 12345u;
    // Mostly whole lines' worth; sometimes tiny pieces to split CRLF and the terminator.
    std::size_t piece = (seed & 2) ? 1 + (k >> 16) % 7 : 1 + (k >> 16) % 512;
    session.feed(in.substr(pos, piece));
    pos += piece;
    testing::run_actions(session, backend, o.mode, check_reply_line);
    require(!session.awaiting_completion(), "request left unanswered by the loop");
    if (session.closed()) break;
  }
  require(session.closed() == !session.current_timeout().has_value(), "timeout present on a closed session");
  return 0;
}

}  // namespace atrium::smtp::fuzz
