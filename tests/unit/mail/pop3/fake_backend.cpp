// The fake backend's answers, the action loop and the transcript rendering of requests.
#include "tests/unit/mail/pop3/fake_backend.hpp"

#include "mail/pop3/message_encoder.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <variant>

namespace atrium::pop3::testing {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  fmt::print(stderr, "fake backend: broken session contract: {}\n", what);
  std::abort();
}

void observe_lines(std::string_view bytes, const std::function<void(std::string)>& observe) {
  while (!bytes.empty()) {
    std::size_t end = bytes.find("\r\n");
    if (end == std::string_view::npos) {
      observe("S: " + escape(bytes) + " (no CRLF)");
      return;
    }
    observe("S: " + escape(bytes.substr(0, end)));
    bytes.remove_prefix(end + 2);
  }
}

std::string keys_text(const std::vector<std::uint64_t>& keys) {
  std::string out;
  for (auto k : keys) out += (out.empty() ? "" : ",") + std::to_string(k);
  return out;
}

}  // namespace

std::uint32_t FakeBackend::next_random(std::uint32_t bound) {
  *chaos = *chaos * 1103515245u + 12345u;
  return (*chaos >> 16) % bound;
}

AuthResult FakeBackend::authenticate(const Authenticate& request) {
  if (chaos) {
    auto outcome = static_cast<AuthOutcome>(next_random(3));
    return {outcome, "chaos@local.test", 7};
  }
  if (auth_temporary) return {AuthOutcome::temporary_failure, {}, 0};
  auto it = logins.find(request.authcid);
  if (it == logins.end() || it->second.password != request.password) return {AuthOutcome::invalid_credentials, {}, 0};
  return {AuthOutcome::success, it->second.principal, it->second.account};
}

MaildropResult FakeBackend::open(const OpenMaildrop& request) {
  MaildropResult r;
  if (chaos) {
    r.status = static_cast<MaildropStatus>(next_random(4));
    if (r.status == MaildropStatus::opened) {
      const std::uint64_t count = next_random(5);
      for (std::uint64_t k = 1; k <= count; ++k) {
        r.messages.push_back({k * 3, k * 10, fmt::format("77.{}", k * 3)});
      }
    }
    return r;
  }
  if (maildrop_temporary) return {MaildropStatus::temporary_failure, {}};
  if (in_use.contains(request.principal)) return {MaildropStatus::in_use, {}};
  if (missing.contains(request.principal)) return {MaildropStatus::missing, {}};
  opened_ = request.principal;
  r.status = MaildropStatus::opened;
  for (const FakeMessage& m : maildrops[request.principal]) r.messages.push_back({m.key, m.content.size(), m.unique_id});
  return r;
}

std::optional<RetrieveStatus> FakeBackend::content(std::uint64_t key, std::string& out) {
  if (chaos) {
    auto pick = next_random(4);
    if (pick == 1) return RetrieveStatus::gone;
    if (pick == 2) return RetrieveStatus::temporary_failure;
    out = "Subject: chaos\r\n\r\n.line\nbody\r\n";
    return std::nullopt;
  }
  if (gone.contains(key)) return RetrieveStatus::gone;
  if (unreadable.contains(key)) return RetrieveStatus::temporary_failure;
  for (const FakeMessage& m : maildrops[opened_]) {
    if (m.key == key) {
      out = m.content;
      return std::nullopt;
    }
  }
  return RetrieveStatus::gone;
}

CommitStatus FakeBackend::commit(const Commit& request) {
  commits.push_back(request.keys);
  if (chaos) return static_cast<CommitStatus>(next_random(2));
  return commit_fails ? CommitStatus::temporary_failure : CommitStatus::committed;
}

void run_actions(Session& session, FakeBackend& backend, const std::function<void(std::string)>& observe) {
  bool closed = false;
  while (true) {
    std::vector<Action> actions = session.take_actions();
    if (actions.empty()) return;
    require(!closed, "actions after Close");
    for (std::size_t i = 0; i < actions.size(); ++i) {
      Action& action = actions[i];
      const bool last = i + 1 == actions.size();
      if (auto* send = std::get_if<Send>(&action)) {
        require(!send->bytes.empty() && send->bytes.ends_with("\r\n"), "Send without a complete line");
        observe_lines(send->bytes, observe);
        continue;
      }
      if (std::holds_alternative<Close>(action)) {
        require(last && session.closed(), "Close not last, or session not closed");
        observe("-- close");
        closed = true;
        continue;
      }
      require(last, "a request is not the last action of its batch");
      require(session.awaiting_completion(), "a request without awaiting_completion()");
      if (std::holds_alternative<StartTls>(action)) {
        observe("-- starttls");
        session.tls_started("TLSv1.3 TLS_AES_128_GCM_SHA256");
      } else if (auto* a = std::get_if<Authenticate>(&action)) {
        // Never the password: the transcript shows what a log line could.
        observe(fmt::format("-- authenticate {} {}", a->mechanism, escape(a->authcid)));
        session.auth_done(backend.authenticate(*a));
      } else if (auto* o = std::get_if<OpenMaildrop>(&action)) {
        observe(fmt::format("-- open {} account={}", o->principal, o->account));
        session.maildrop_opened(backend.open(*o));
      } else if (auto* r = std::get_if<Retrieve>(&action)) {
        observe(fmt::format("-- retrieve key={} number={} lines={}", r->key, r->number,
                            r->body_lines ? std::to_string(*r->body_lines) : "all"));
        std::string stored;
        if (auto failed = backend.content(r->key, stored)) {
          session.retrieved(*failed);
          continue;
        }
        // As the driver does: the status line, then the encoded content in uneven pieces.
        std::string out = r->status_line;
        MessageEncoder encoder(r->body_lines);
        for (std::size_t pos = 0; pos < stored.size(); pos += 7) {
          if (!encoder.encode(std::string_view(stored).substr(pos, 7), out)) break;
        }
        encoder.finish(out);
        observe_lines(out, observe);
        session.retrieved(RetrieveStatus::sent);
      } else if (auto* c = std::get_if<Commit>(&action)) {
        observe("-- commit " + keys_text(c->keys));
        require(!c->keys.empty(), "an empty Commit");
        session.committed(backend.commit(*c));
      } else {
        require(false, "unknown action");
      }
    }
  }
}

std::string escape(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '\0': out += "\\0"; break;
      default:
        if (u < 0x20 || u >= 0x7F) {
          out += fmt::format("\\x{:02X}", u);
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char n = text[++i];
    switch (n) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case '\\': out += '\\'; break;
      case 'x':
        if (i + 2 < text.size()) {
          out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
          i += 2;
          break;
        }
        [[fallthrough]];
      default:
        out += '\\';
        out += n;
    }
  }
  return out;
}

}  // namespace atrium::pop3::testing
