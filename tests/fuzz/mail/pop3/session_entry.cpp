// Fuzz entry: a whole POP3 session fed arbitrary bytes in arbitrary packets, with the fake
// backend answering every request at once.
#include "tests/fuzz/mail/pop3/fuzz_entries.hpp"

#include "core/log/log.hpp"
#include "mail/pop3/session.hpp"
#include "tests/unit/mail/pop3/fake_backend.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::pop3::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "pop3 session fuzz: %s\n", what);
  std::abort();
}

// Every line the server writes is free of NUL (message content in the fake backend has none).
void check_line(std::string_view line) {
  if (!line.starts_with("S: ")) return;
  line.remove_prefix(3);
  for (char c : line) require(c != '\0', "NUL in server output");
}

}  // namespace

int session_one_input(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  log::set_level(log::Level::error);  // the session logs refusals at info; keep fuzzing quiet
  const std::uint8_t opt = data[0];
  const std::uint8_t seed = data[1];
  SessionOptions o;
  o.hostname = "pop.local.test";
  o.tls_available = (opt & 1) != 0;
  o.tls_active = (opt & 2) != 0;
  o.cleartext_login_allowed = (opt & 4) != 0;
  if (opt & 8) o.max_errors = 3;

  testing::FakeBackend backend;
  backend.logins["alice"] = {"secret", "alice@local.test", 42};
  backend.maildrops["alice@local.test"] = {{1, "5.1", "Subject: a\r\n\r\nbody\r\n"},
                                           {4, "5.4", "Subject: b\n\n.dot\nx"},
                                           {9, "5.9", "Header: only\r\n"}};
  if (opt & 16) backend.in_use.insert("alice@local.test");
  if (opt & 32) backend.commit_fails = true;
  if (seed & 1) backend.chaos = seed;

  Session session(o, "192.0.2.1");
  session.start();
  // The first line after the greeting's batch or a request is a status line (+OK, -ERR, or a
  // SASL "+ "); later lines of a batch may be multi-line bodies, so only that one is checked.
  bool expect_status = true;
  auto observe = [&](std::string line) {
    check_line(line);
    if (line.starts_with("-- ")) {
      expect_status = true;
      return;
    }
    if (expect_status && line.starts_with("S: ")) {
      std::string_view l(line);
      l.remove_prefix(3);
      require(l.starts_with("+OK") || l.starts_with("-ERR") || l.starts_with("+ "), "reply is not +OK, -ERR or +");
      expect_status = false;
    }
  };
  testing::run_actions(session, backend, observe);
  const std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  std::size_t pos = 0;
  unsigned k = seed;
  while (pos < in.size()) {
    k = k * 1103515245u + 12345u;
    std::size_t piece = (seed & 2) ? 1 + (k >> 16) % 7 : 1 + (k >> 16) % 512;
    session.feed(in.substr(pos, piece));
    pos += piece;
    testing::run_actions(session, backend, observe);
    require(!session.awaiting_completion(), "request left unanswered by the loop");
    if (session.closed()) break;
  }
  require(!session.closed() || !session.holds_maildrop(), "closed while holding the maildrop");
  return 0;
}

}  // namespace atrium::pop3::fuzz
