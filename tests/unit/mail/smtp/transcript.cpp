// Interpreter for the .in transcript scripts (see transcript.hpp).
#include "tests/unit/mail/smtp/transcript.hpp"

#include "tests/unit/mail/smtp/fake_backend.hpp"

#include <fmt/format.h>

#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace atrium::smtp::testing {
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
  if (v == "yes" || v == "true") return true;
  if (v == "no" || v == "false") return false;
  bad(line);
}

void set_option(SessionOptions& o, std::string_view key, const std::string& v, std::string_view line) {
  if (key == "mode") {
    if (v == "mx") o.mode = Mode::mx;
    else if (v == "submission") o.mode = Mode::submission;
    else if (v == "submissions") o.mode = Mode::submissions;
    else if (v == "lmtp") o.mode = Mode::lmtp;
    else bad(line);
  } else if (key == "hostname") {
    o.hostname = v;
  } else if (key == "max_message_size") {
    o.max_message_size = std::stoull(v);
  } else if (key == "max_recipients") {
    o.max_recipients = std::stoull(v);
  } else if (key == "max_errors") {
    o.max_errors = std::stoull(v);
  } else if (key == "tls_available") {
    o.tls_available = parse_bool(v, line);
  } else if (key == "tls_active") {
    o.tls_active = parse_bool(v, line);
  } else if (key == "tls_description") {
    o.tls_description = v;
  } else if (key == "auth_without_tls_allowed") {
    o.auth_without_tls_allowed = parse_bool(v, line);
  } else if (key == "pipelining") {
    o.pipelining = parse_bool(v, line);
  } else {
    bad(line);
  }
}

std::optional<DeliveryStatus> delivery_status(std::string_view v) {
  if (v == "delivered") return DeliveryStatus::delivered;
  if (v == "mailbox_full") return DeliveryStatus::mailbox_full;
  if (v == "unknown_user") return DeliveryStatus::unknown_user;
  if (v == "rejected") return DeliveryStatus::rejected;
  if (v == "temporary_failure") return DeliveryStatus::temporary_failure;
  return std::nullopt;
}

std::optional<SenderStatus> sender_status(std::string_view v) {
  if (v == "accepted") return SenderStatus::accepted;
  if (v == "not_owned") return SenderStatus::not_owned;
  if (v == "rejected") return SenderStatus::rejected;
  if (v == "temporary_failure") return SenderStatus::temporary_failure;
  return std::nullopt;
}

void configure(FakeBackend& b, const std::vector<std::string>& w, std::string_view line) {
  if (w.size() < 2) bad(line);
  const std::string& what = w[1];
  if (what == "user" || what == "full" || what == "domain") {
    auto& set = what == "user" ? b.users : what == "full" ? b.full : b.local_domains;
    for (std::size_t i = 2; i < w.size(); ++i) set.insert(w[i]);
  } else if (what == "login" && w.size() == 5) {
    b.logins[w[2]] = FakeBackend::Login{w[3], w[4]};
  } else if (what == "owns" && w.size() >= 3) {
    for (std::size_t i = 3; i < w.size(); ++i) b.owns[w[2]].insert(w[i] == "<>" ? "" : w[i]);
  } else if (what == "deliver" && w.size() == 4 && delivery_status(w[3])) {
    b.delivery[w[2]] = *delivery_status(w[3]);
  } else if (what == "sender" && w.size() == 3 && sender_status(w[2])) {
    b.sender_status = sender_status(w[2]);
  } else if (what == "auth_temporary" && w.size() == 2) {
    b.auth_temporary = true;
  } else {
    bad(line);
  }
}

std::string_view phase_name(TimeoutPhase p) {
  switch (p) {
    case TimeoutPhase::initial: return "initial";
    case TimeoutPhase::mail: return "mail";
    case TimeoutPhase::rcpt: return "rcpt";
    case TimeoutPhase::data_block: return "data_block";
    case TimeoutPhase::data_termination: return "data_termination";
    case TimeoutPhase::server: return "server";
  }
  return "?";
}

}  // namespace

std::string run_transcript(std::string_view script) {
  SessionOptions options;
  options.hostname = "mx.local.test";
  FakeBackend backend;
  std::optional<Session> session;
  std::string out;
  std::string pipeline;
  auto observe = [&](std::string line) {
    out += line;
    out += '\n';
  };
  auto ensure_started = [&] {
    if (session) return;
    session.emplace(options, "192.0.2.1");
    session->start();
    run_actions(*session, backend, options.mode, observe);
  };
  auto feed = [&](const std::string& bytes) {
    session->feed(bytes);
    run_actions(*session, backend, options.mode, observe);
  };
  auto flush = [&] {
    if (pipeline.empty()) return;
    feed(pipeline);
    pipeline.clear();
  };

  std::size_t start = 0;
  while (start < script.size()) {
    std::size_t end = script.find('\n', start);
    if (end == std::string_view::npos) end = script.size();
    std::string_view line = script.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.starts_with("P: ")) flush();
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("option ")) {
      if (session) bad(line);
      for (const std::string& w : words(line.substr(7))) {
        std::size_t eq = w.find('=');
        if (eq == std::string::npos) bad(line);
        set_option(options, w.substr(0, eq), w.substr(eq + 1), line);
      }
    } else if (line.starts_with("backend ")) {
      configure(backend, words(line), line);
    } else if (line.starts_with("C: ") || line.starts_with("P: ") || line.starts_with("R: ")) {
      ensure_started();
      const std::string text = unescape(line.substr(3));
      observe(std::string(line.starts_with("R: ") ? "C: (raw) " : "C: ") + std::string(line.substr(3)));
      if (line.starts_with("P: ")) {
        pipeline += text + "\r\n";
      } else {
        feed(line.starts_with("C: ") ? text + "\r\n" : text);
      }
    } else if (line == "timeout") {
      ensure_started();
      auto t = session->current_timeout();
      observe(t ? fmt::format("-- timeout {} {}s", phase_name(t->phase), t->limit.count()) : "-- timeout none");
    } else {
      bad(line);
    }
  }
  flush();
  ensure_started();
  return out;
}

}  // namespace atrium::smtp::testing
