// Maps SMTP session requests onto the store and the delivery library.
#include "server/smtp_backend.hpp"

#include "core/log/log.hpp"
#include "storage/directory.hpp"

namespace atrium::server {
namespace {

namespace dl = mail::delivery;

std::string_view protocol_label(smtp::Mode m) {
  switch (m) {
    case smtp::Mode::mx: return "smtp";
    case smtp::Mode::submission: return "submission";
    case smtp::Mode::submissions: return "submissions";
    case smtp::Mode::lmtp: return "lmtp";
  }
  return "smtp";
}

// RCPT TO:<Postmaster> without a domain (RFC 5321 4.5.1) means this server's postmaster:
// postmaster@ our hostname, or its nearest parent that is a local domain, or the first local
// domain.
std::string postmaster_of(storage::ReadTxn& t, std::string_view hostname) {
  for (std::string_view d = hostname; !d.empty();) {
    if (storage::directory::is_local_domain(t, d)) return "postmaster@" + std::string(d);
    auto dot = d.find('.');
    if (dot == std::string_view::npos) break;
    d.remove_prefix(dot + 1);
  }
  auto domains = storage::directory::list_domains(t);
  return domains.empty() ? std::string("postmaster") : "postmaster@" + domains.front().name;
}

std::string recipient_address(storage::Store& store, const smtp::Path& path, std::string_view hostname) {
  if (path.is_postmaster() && path.domain().empty()) {
    return store.read([&](storage::ReadTxn& t) { return postmaster_of(t, hostname); });
  }
  return path.mailbox();
}

dl::Envelope to_delivery(storage::Store& store, std::string_view hostname, const smtp::Envelope& e,
                         std::optional<dl::AuthenticatedUser> user) {
  dl::Envelope out;
  out.reverse_path = e.reverse_path.is_null() ? std::string() : e.reverse_path.mailbox();
  for (const auto& r : e.recipients) {
    dl::EnvelopeRecipient rcpt;
    rcpt.address = recipient_address(store, r.path, hostname);
    if (r.params.notify) {
      if (r.params.notify->never) {
        rcpt.notify = dl::notify_never;
      } else {
        if (r.params.notify->has(smtp::DsnNotify::success)) rcpt.notify |= dl::notify_success;
        if (r.params.notify->has(smtp::DsnNotify::failure)) rcpt.notify |= dl::notify_failure;
        if (r.params.notify->has(smtp::DsnNotify::delay)) rcpt.notify |= dl::notify_delay;
      }
    }
    if (r.params.orcpt) rcpt.orcpt = r.params.orcpt->addr_type + ";" + r.params.orcpt->address;
    out.recipients.push_back(std::move(rcpt));
  }
  if (e.envid) out.envid = *e.envid;
  if (e.ret) out.ret = *e.ret == smtp::DsnRet::full ? dl::DsnRet::full : dl::DsnRet::headers;
  switch (e.body) {
    case smtp::BodyType::eight_bit_mime: out.body_type = dl::BodyType::eight_bit_mime; break;
    case smtp::BodyType::binary_mime: out.body_type = dl::BodyType::binary_mime; break;
    default: out.body_type = dl::BodyType::seven_bit; break;
  }
  out.smtputf8 = e.smtputf8;
  out.undeclared_8bit = e.undeclared_8bit;
  out.helo = e.helo;
  out.peer_ip = e.peer;
  out.tls = e.tls.value_or("");
  out.authenticated = std::move(user);
  out.protocol = e.hello_verb == smtp::HelloVerb::lhlo   ? dl::Protocol::lmtp
                 : e.hello_verb == smtp::HelloVerb::helo ? dl::Protocol::smtp
                                                         : dl::Protocol::esmtp;
  return out;
}

smtp::DeliveryStatus to_smtp(dl::DeliveryStatus s) {
  switch (s) {
    case dl::DeliveryStatus::delivered: return smtp::DeliveryStatus::delivered;
    case dl::DeliveryStatus::over_quota: return smtp::DeliveryStatus::mailbox_full;
    case dl::DeliveryStatus::unknown_recipient: return smtp::DeliveryStatus::unknown_user;
    case dl::DeliveryStatus::relay_denied: return smtp::DeliveryStatus::rejected;
    case dl::DeliveryStatus::temporary_failure: return smtp::DeliveryStatus::temporary_failure;
  }
  return smtp::DeliveryStatus::temporary_failure;
}

// One reply for a whole SMTP transaction. Recipients were checked at RCPT time, so a mixed
// outcome is a race; until bounces exist, a temporary failure of any recipient makes the client
// retry the whole message (a duplicate for the others is better than a lost message).
smtp::DeliveryStatus combined(const std::vector<smtp::DeliveryStatus>& all) {
  bool temporary = false, full = false, delivered = false;
  for (auto s : all) {
    temporary = temporary || s == smtp::DeliveryStatus::temporary_failure;
    full = full || s == smtp::DeliveryStatus::mailbox_full;
    delivered = delivered || s == smtp::DeliveryStatus::delivered;
  }
  if (temporary) return smtp::DeliveryStatus::temporary_failure;
  if (full) return smtp::DeliveryStatus::mailbox_full;
  if (delivered) return smtp::DeliveryStatus::delivered;
  return all.empty() ? smtp::DeliveryStatus::temporary_failure : all.front();
}

}  // namespace

SmtpBackend::SmtpBackend(storage::Store& store, auth::Authenticator& authenticator, std::string hostname)
    : store_(store),
      authenticator_(authenticator),
      hostname_(hostname),
      delivery_(store, dl::DeliveryOptions{std::move(hostname)}),
      recipients_(store),
      senders_(store) {}

std::optional<storage::PrincipalId> SmtpBackend::principal_id(const std::string& email) {
  return store_.read([&](storage::ReadTxn& t) -> std::optional<storage::PrincipalId> {
    auto p = storage::directory::find_principal(t, email);
    if (!p) return std::nullopt;
    return p->id;
  });
}

smtp::AuthResult SmtpBackend::authenticate(const smtp::Authenticate& request, const net::ConnectionInfo& peer,
                                           std::chrono::milliseconds& delay) {
  auto r = authenticator_.login(request.authcid, request.password, peer.remote_address.to_string(), peer.protocol);
  delay = r.delay;
  smtp::AuthResult out;
  switch (r.status) {
    case auth::LoginResult::Status::ok:
      out.outcome = smtp::AuthOutcome::success;
      out.principal = r.canonical_email;
      break;
    case auth::LoginResult::Status::bad_credentials: out.outcome = smtp::AuthOutcome::invalid_credentials; break;
    case auth::LoginResult::Status::throttled:
    case auth::LoginResult::Status::unavailable: out.outcome = smtp::AuthOutcome::temporary_failure; break;
  }
  return out;
}

smtp::SenderResult SmtpBackend::check_sender(const smtp::CheckSender& request, smtp::Mode) {
  if (!request.principal) return {smtp::SenderStatus::accepted};
  try {
    auto id = principal_id(*request.principal);
    if (!id) return {smtp::SenderStatus::temporary_failure};
    std::string address = request.reverse_path.is_null() ? std::string() : request.reverse_path.mailbox();
    switch (senders_.check(*id, address)) {
      case dl::SenderVerdict::allowed: return {smtp::SenderStatus::accepted};
      case dl::SenderVerdict::denied: return {smtp::SenderStatus::not_owned};
      case dl::SenderVerdict::temporary_failure: return {smtp::SenderStatus::temporary_failure};
    }
  } catch (const std::exception& e) {
    log::warn("smtp.sender_check_failed", "reason", e.what());
  }
  return {smtp::SenderStatus::temporary_failure};
}

smtp::RecipientResult SmtpBackend::check_recipient(const smtp::CheckRecipient& request, smtp::Mode mode) {
  dl::RecipientMode m = mode == smtp::Mode::lmtp ? dl::RecipientMode::lmtp
                        : request.principal     ? dl::RecipientMode::submission
                                                : dl::RecipientMode::mx;
  std::string address = recipient_address(store_, request.forward_path, hostname_);
  try {
    auto decision = recipients_.check(m, address);
    switch (decision.verdict) {
      case dl::RecipientVerdict::accept: return {smtp::RecipientStatus::accepted, {}};
      case dl::RecipientVerdict::unknown_user: return {smtp::RecipientStatus::unknown_user, {}};
      case dl::RecipientVerdict::relay_denied: return {smtp::RecipientStatus::relay_denied, {}};
      case dl::RecipientVerdict::quota_full: return {smtp::RecipientStatus::mailbox_full, {}};
      case dl::RecipientVerdict::temporary_failure: return {smtp::RecipientStatus::temporary_failure, {}};
    }
  } catch (const std::exception& e) {
    log::warn("smtp.recipient_check_failed", "reason", e.what());
  }
  return {smtp::RecipientStatus::temporary_failure, {}};
}

smtp::DeliveryResult SmtpBackend::deliver(const smtp::Deliver& request, smtp::Mode mode) {
  std::optional<dl::AuthenticatedUser> user;
  if (request.envelope.authenticated) {
    if (auto id = principal_id(*request.envelope.authenticated)) user = dl::AuthenticatedUser{*id, *request.envelope.authenticated};
  }
  std::vector<smtp::DeliveryStatus> statuses;
  std::string queue_id;
  try {
    auto result = delivery_.deliver(to_delivery(store_, hostname_, request.envelope, std::move(user)), request.message);
    queue_id = result.queue_id;
    for (const auto& r : result.recipients) statuses.push_back(to_smtp(r.status));
  } catch (const std::exception& e) {
    log::error("smtp.delivery_failed", "reason", e.what());
    statuses.assign(request.envelope.recipients.size(), smtp::DeliveryStatus::temporary_failure);
  }
  log::info("smtp.delivered", "proto", protocol_label(mode), "id", queue_id, "size", request.message.size(),
            "recipients", request.envelope.recipients.size());
  if (mode == smtp::Mode::lmtp) return {statuses};
  return {{combined(statuses)}};
}

}  // namespace atrium::server
