// The fake backend's answers, the action loop and the transcript rendering of requests.
#include "tests/unit/mail/smtp/fake_backend.hpp"

#include "core/auth/utf8.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <variant>

namespace atrium::smtp::testing {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  fmt::print(stderr, "fake backend: broken session contract: {}\n", what);
  std::abort();
}

std::string path_text(const Path& p) { return fmt::format("<{}>", p.mailbox()); }

std::string body_name(BodyType b) {
  switch (b) {
    case BodyType::unspecified: return "-";
    case BodyType::seven_bit: return "7BIT";
    case BodyType::eight_bit_mime: return "8BITMIME";
    case BodyType::binary_mime: return "BINARYMIME";
  }
  return "?";
}

std::string notify_text(const std::optional<DsnNotify>& n) {
  if (!n) return "-";
  if (n->never) return "NEVER";
  std::string out;
  auto add = [&](DsnNotify::Bits b, std::string_view name) {
    if (!n->has(b)) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(DsnNotify::success, "SUCCESS");
  add(DsnNotify::failure, "FAILURE");
  add(DsnNotify::delay, "DELAY");
  return out;
}

std::string orcpt_text(const std::optional<DsnOrcpt>& o) {
  return o ? o->addr_type + ";" + escape(o->address) : "-";
}

std::string opt_text(const std::optional<std::string>& s) { return s ? escape(*s) : "-"; }

std::string describe_deliver(const Deliver& d) {
  const Envelope& e = d.envelope;
  std::string out = fmt::format(
      "-- deliver from={} body={} smtputf8={} ret={} envid={} declared_size={} size={} undeclared_8bit={} "
      "chunked={} helo={} {} peer={} tls={} auth={}",
      path_text(e.reverse_path), body_name(e.body), e.smtputf8 ? "yes" : "no",
      e.ret ? (*e.ret == DsnRet::full ? "FULL" : "HDRS") : "-", opt_text(e.envid),
      e.declared_size ? fmt::format("{}", *e.declared_size) : "-", e.size, e.undeclared_8bit ? "yes" : "no",
      e.chunked ? "yes" : "no", e.hello_verb == HelloVerb::helo ? "HELO" : e.hello_verb == HelloVerb::ehlo ? "EHLO" : "LHLO",
      escape(e.helo), e.peer, opt_text(e.tls), opt_text(e.authenticated));
  for (const EnvelopeRecipient& r : e.recipients) {
    out += fmt::format("\n--   rcpt {} notify={} orcpt={} token={}", path_text(r.path), notify_text(r.params.notify),
                       orcpt_text(r.params.orcpt), r.token);
  }
  out += "\n--   message " + escape(d.message);
  return out;
}

}  // namespace

std::uint32_t FakeBackend::next_random(std::uint32_t bound) {
  *chaos = *chaos * 1103515245u + 12345u;
  return (*chaos >> 16) % bound;
}

RecipientResult FakeBackend::check_recipient(const CheckRecipient& request) {
  if (chaos) return RecipientResult{static_cast<RecipientStatus>(next_random(6)), "chaos"};
  const Path& p = request.forward_path;
  const std::string mailbox = p.mailbox();
  if (p.is_postmaster()) return {RecipientStatus::accepted, "postmaster"};
  if (local_domains.contains(p.domain())) {
    if (full.contains(mailbox)) return {RecipientStatus::mailbox_full, {}};
    if (users.contains(mailbox)) return {RecipientStatus::accepted, "user:" + mailbox};
    return {RecipientStatus::unknown_user, {}};
  }
  if (request.principal) return {RecipientStatus::accepted, "remote:" + mailbox};
  return {RecipientStatus::relay_denied, {}};
}

SenderResult FakeBackend::check_sender(const CheckSender& request) {
  if (chaos) return SenderResult{static_cast<SenderStatus>(next_random(4))};
  if (sender_status) return {*sender_status};
  if (!request.principal) return {SenderStatus::accepted};
  auto it = owns.find(*request.principal);
  if (it != owns.end() && it->second.contains(request.reverse_path.mailbox())) return {SenderStatus::accepted};
  return {SenderStatus::not_owned};
}

AuthResult FakeBackend::authenticate(const Authenticate& request) {
  if (chaos) return AuthResult{static_cast<AuthOutcome>(next_random(3)), "chaos@local.test"};
  if (auth_temporary) return {AuthOutcome::temporary_failure, {}};
  auto it = logins.find(request.authcid);
  if (it == logins.end() || it->second.password != request.password) return {AuthOutcome::invalid_credentials, {}};
  return {AuthOutcome::success, it->second.principal};
}

DeliveryResult FakeBackend::deliver(const Deliver& request, Mode mode) {
  DeliveryResult result;
  auto status_for = [&](const std::string& mailbox) {
    if (chaos) return static_cast<DeliveryStatus>(next_random(5));
    if (auto it = delivery.find(mailbox); it != delivery.end()) return it->second;
    if (auto it = delivery.find("*"); it != delivery.end()) return it->second;
    return DeliveryStatus::delivered;
  };
  if (mode == Mode::lmtp) {
    for (const EnvelopeRecipient& r : request.envelope.recipients) result.statuses.push_back(status_for(r.path.mailbox()));
  } else {
    result.statuses.push_back(status_for("*"));
  }
  return result;
}

void run_actions(Session& session, FakeBackend& backend, Mode mode, const std::function<void(std::string)>& observe) {
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
        std::string_view rest = send->bytes;
        while (!rest.empty()) {
          std::size_t end = rest.find("\r\n");
          observe("S: " + escape(rest.substr(0, end)));
          rest.remove_prefix(end + 2);
        }
        continue;
      }
      if (std::holds_alternative<Close>(action)) {
        require(last && session.closed(), "Close not last, or session not closed");
        observe("-- close");
        closed = true;
        continue;
      }
      // Every request is the last action of its batch: the session waits for the answer.
      require(last && session.awaiting_completion(), "request not last, or session not waiting");
      if (std::holds_alternative<StartTls>(action)) {
        observe("-- starttls");
        session.tls_started("TLSv1.3 TLS_AES_256_GCM_SHA384");
      } else if (auto* a = std::get_if<Authenticate>(&action)) {
        observe(fmt::format("-- authenticate mechanism={} authcid={} password={}", a->mechanism, escape(a->authcid),
                            std::string(a->password.size(), '*')));
        session.auth_done(backend.authenticate(*a));
      } else if (auto* c = std::get_if<CheckSender>(&action)) {
        observe(fmt::format("-- check_sender {} principal={}", path_text(c->reverse_path), opt_text(c->principal)));
        session.sender_checked(backend.check_sender(*c));
      } else if (auto* r = std::get_if<CheckRecipient>(&action)) {
        observe(fmt::format("-- check_recipient {} notify={} orcpt={} principal={}", path_text(r->forward_path),
                            notify_text(r->params.notify), orcpt_text(r->params.orcpt), opt_text(r->principal)));
        session.recipient_checked(backend.check_recipient(*r));
      } else if (auto* d = std::get_if<Deliver>(&action)) {
        observe(describe_deliver(*d));
        session.delivered(backend.deliver(*d, mode));
      }
    }
  }
}

std::string escape(std::string_view bytes) {
  const bool utf8 = auth::is_valid_utf8(bytes);
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\r': out += "\\r"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\\': out += "\\\\"; continue;
      case '\0': out += "\\0"; continue;
      default: break;
    }
    if (u < 0x20 || u == 0x7F || (u >= 0x80 && !utf8)) {
      out += fmt::format("\\x{:02X}", u);
    } else {
      out += c;
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
        if (i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
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

}  // namespace atrium::smtp::testing
