// Interpreter for the .in transcript scripts (see transcript.hpp).
#include "tests/unit/mail/pop3/transcript.hpp"

#include "tests/unit/mail/pop3/fake_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace atrium::pop3::testing {
namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

[[noreturn]] void bad(std::string_view line) { throw std::runtime_error(fmt::format("bad script line: {}", line)); }

bool parse_bool(std::string_view v, std::string_view line) {
  if (v == "yes") return true;
  if (v == "no") return false;
  bad(line);
}

void set_option(SessionOptions& o, std::string_view key, const std::string& v, std::string_view line) {
  if (key == "hostname") {
    o.hostname = v;
  } else if (key == "max_errors") {
    o.max_errors = std::stoull(v);
  } else if (key == "tls_available") {
    o.tls_available = parse_bool(v, line);
  } else if (key == "tls_active") {
    o.tls_active = parse_bool(v, line);
  } else if (key == "cleartext") {
    o.cleartext_login_allowed = parse_bool(v, line);
  } else {
    bad(line);
  }
}

void configure(FakeBackend& b, std::string_view rest, std::string_view line) {
  auto w = words(rest);
  if (w.empty()) bad(line);
  const std::string& what = w[0];
  if (what == "login" && w.size() == 5) {
    b.logins[w[1]] = {w[2], w[3], std::stoll(w[4])};
  } else if (what == "message" && w.size() >= 4) {
    // The content is everything after the fourth word and one space, unescaped.
    std::string_view tail = rest;
    for (int i = 0; i < 4; ++i) {
      tail.remove_prefix(std::min(tail.find_first_not_of(' '), tail.size()));
      tail.remove_prefix(std::min(tail.find(' '), tail.size()));
    }
    if (!tail.empty()) tail.remove_prefix(1);
    b.maildrops[w[1]].push_back({std::stoull(w[2]), w[3], unescape(tail)});
  } else if (what == "in_use" && w.size() == 2) {
    b.in_use.insert(w[1]);
  } else if (what == "missing" && w.size() == 2) {
    b.missing.insert(w[1]);
  } else if (what == "gone" && w.size() == 2) {
    b.gone.insert(std::stoull(w[1]));
  } else if (what == "unreadable" && w.size() == 2) {
    b.unreadable.insert(std::stoull(w[1]));
  } else if (what == "auth_temporary" && w.size() == 1) {
    b.auth_temporary = true;
  } else if (what == "maildrop_temporary" && w.size() == 1) {
    b.maildrop_temporary = true;
  } else if (what == "commit_fails" && w.size() == 1) {
    b.commit_fails = true;
  } else {
    bad(line);
  }
}

}  // namespace

std::string run_transcript(std::string_view script) {
  SessionOptions options;
  options.hostname = "pop.local.test";
  FakeBackend backend;
  std::optional<Session> session;
  std::string out;
  auto observe = [&](std::string l) { out += l + "\n"; };
  auto ensure_started = [&] {
    if (session) return;
    session.emplace(options, "192.0.2.1");
    session->start();
    run_actions(*session, backend, observe);
  };
  std::string pipelined;
  auto flush_pipelined = [&] {
    if (pipelined.empty()) return;
    session->feed(pipelined);
    pipelined.clear();
    run_actions(*session, backend, observe);
  };

  std::istringstream in{std::string(script)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    const bool is_p = line.starts_with("P: ");
    if (!is_p) {
      if (session) flush_pipelined();
    }
    if (line.starts_with("option ")) {
      if (session) bad(line);
      for (const auto& kv : words(std::string_view(line).substr(7))) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) bad(line);
        set_option(options, kv.substr(0, eq), kv.substr(eq + 1), line);
      }
    } else if (line.starts_with("backend ")) {
      configure(backend, std::string_view(line).substr(8), line);
    } else if (line.starts_with("C: ") || is_p) {
      ensure_started();
      std::string bytes = unescape(std::string_view(line).substr(3)) + "\r\n";
      observe("C: " + escape(bytes.substr(0, bytes.size() - 2)));
      if (is_p) {
        pipelined += bytes;
      } else {
        session->feed(bytes);
        run_actions(*session, backend, observe);
      }
    } else if (line.starts_with("R: ")) {
      ensure_started();
      std::string bytes = unescape(std::string_view(line).substr(3));
      observe("R: " + escape(bytes));
      session->feed(bytes);
      run_actions(*session, backend, observe);
    } else {
      bad(line);
    }
  }
  ensure_started();
  flush_pipelined();
  std::string commits;
  for (const auto& c : backend.commits) {
    commits += commits.empty() ? "" : " ";
    for (std::size_t i = 0; i < c.size(); ++i) commits += (i ? "," : "") + std::to_string(c[i]);
  }
  observe("-- commits: " + (commits.empty() ? std::string("none") : commits));
  return out;
}

}  // namespace atrium::pop3::testing
