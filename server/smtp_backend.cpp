// Maps SMTP session requests onto the store and the delivery library.
#include "server/smtp_backend.hpp"

#include "core/log/log.hpp"
#include "mail/auth/inbound.hpp"
#include "storage/async.hpp"
#include "storage/directory.hpp"

#include <algorithm>
#include <ctime>

namespace atrium::server {
namespace {

namespace dl = mail::delivery;

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

bool is_bare_postmaster(const smtp::Path& path) { return path.is_postmaster() && path.domain().empty(); }

// What delivery needs from the directory before it can build the envelope; most messages (the
// MX's) need nothing, and then no store read happens.
struct EnvelopeLookups {
  std::optional<dl::AuthenticatedUser> user;
  std::string postmaster;  // what a bare <Postmaster> recipient means
};

bool needs_lookups(const smtp::Envelope& e) {
  if (e.authenticated) return true;
  return std::any_of(e.recipients.begin(), e.recipients.end(), [](const auto& r) { return is_bare_postmaster(r.path); });
}

EnvelopeLookups look_up(storage::Store& store, std::string_view hostname, const smtp::Envelope& e) {
  return store.read([&](storage::ReadTxn& t) {
    EnvelopeLookups out;
    if (e.authenticated) {
      if (auto p = storage::directory::find_principal(t, *e.authenticated)) {
        out.user = dl::AuthenticatedUser{p->id, *e.authenticated};
      }
    }
    for (const auto& r : e.recipients) {
      if (is_bare_postmaster(r.path)) {
        out.postmaster = postmaster_of(t, hostname);
        break;
      }
    }
    return out;
  });
}

dl::Envelope to_delivery(const smtp::Envelope& e, EnvelopeLookups lookups) {
  dl::Envelope out;
  out.reverse_path = e.reverse_path.is_null() ? std::string() : e.reverse_path.mailbox();
  for (const auto& r : e.recipients) {
    dl::EnvelopeRecipient rcpt;
    rcpt.address = is_bare_postmaster(r.path) ? lookups.postmaster : r.path.mailbox();
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
  out.authenticated = std::move(lookups.user);
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

asio::awaitable<smtp::SenderResult> SmtpBackend::check_sender(const smtp::CheckSender& request, smtp::Mode,
                                                              runtime::BlockingPool& pool) {
  if (!request.principal) co_return smtp::SenderResult{smtp::SenderStatus::accepted};
  co_return co_await runtime::run_blocking(pool, [&]() -> smtp::SenderResult {
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
  });
}

asio::awaitable<smtp::RecipientResult> SmtpBackend::check_recipient(const smtp::CheckRecipient& request,
                                                                    smtp::Mode mode, runtime::BlockingPool& pool) {
  dl::RecipientMode m = mode == smtp::Mode::lmtp ? dl::RecipientMode::lmtp
                        : request.principal     ? dl::RecipientMode::submission
                                                : dl::RecipientMode::mx;
  bool bare_postmaster = is_bare_postmaster(request.forward_path);
  if (!bare_postmaster && recent_.accepted(m, request.forward_path.mailbox())) {
    co_return smtp::RecipientResult{smtp::RecipientStatus::accepted, {}};
  }
  co_return co_await runtime::run_blocking(pool, [&]() -> smtp::RecipientResult {
    try {
      std::string address = bare_postmaster
                                ? store_.read([&](storage::ReadTxn& t) { return postmaster_of(t, hostname_); })
                                : request.forward_path.mailbox();
      auto decision = recipients_.check(m, address);
      switch (decision.verdict) {
        case dl::RecipientVerdict::accept:
          if (!bare_postmaster) recent_.remember(m, address);
          return {smtp::RecipientStatus::accepted, {}};
        case dl::RecipientVerdict::unknown_user: return {smtp::RecipientStatus::unknown_user, {}};
        case dl::RecipientVerdict::relay_denied: return {smtp::RecipientStatus::relay_denied, {}};
        case dl::RecipientVerdict::quota_full: return {smtp::RecipientStatus::mailbox_full, {}};
        case dl::RecipientVerdict::temporary_failure: return {smtp::RecipientStatus::temporary_failure, {}};
      }
    } catch (const std::exception& e) {
      log::warn("smtp.recipient_check_failed", "reason", e.what());
    }
    return {smtp::RecipientStatus::temporary_failure, {}};
  });
}

asio::awaitable<smtp::DeliveryResult> SmtpBackend::deliver(const smtp::Deliver& request, smtp::Mode mode,
                                                          runtime::BlockingPool& pool) {
  std::vector<smtp::DeliveryStatus> statuses;
  try {
    EnvelopeLookups lookups;
    if (needs_lookups(request.envelope)) {
      lookups = co_await runtime::run_blocking(pool, [&] { return look_up(store_, hostname_, request.envelope); });
    }
    dl::Envelope env = to_delivery(request.envelope, std::move(lookups));
    // Mail from outside on the MX: authentication checks, their results in the message.
    std::string checked;
    const std::string* message = &request.message;
    if (mode == smtp::Mode::mx && !env.authenticated && resolver_) {
      mail::auth::InboundRequest check{env.peer_ip, env.helo, env.reverse_path, authserv_id_,
                                       static_cast<std::int64_t>(std::time(nullptr))};
      auto verdict = co_await mail::auth::check_inbound(std::move(check), request.message, *resolver_);
      log::info("smtp.auth_results", "peer", env.peer_ip, "from", env.reverse_path, "results", verdict.summary);
      if (enforce_dmarc_ && verdict.action == mail::auth::InboundAction::reject) {
        log::info("smtp.dmarc_reject", "peer", env.peer_ip, "domain", verdict.dmarc_domain);
        std::vector<smtp::DeliveryStatus> refused(mode == smtp::Mode::lmtp ? request.envelope.recipients.size() : 1,
                                                  smtp::DeliveryStatus::dmarc_rejected);
        co_return smtp::DeliveryResult{refused};
      }
      env.quarantine = enforce_dmarc_ && verdict.action == mail::auth::InboundAction::quarantine;
      checked = mail::auth::with_authentication_results(request.message, authserv_id_, verdict.authentication_results);
      message = &checked;
    }
    // Shared with the write job, which may outlive this frame when shutdown cuts the session.
    std::shared_ptr<const dl::PreparedMessage> prepared;
    std::string error;
    try {
      if (delivery_.prepare_blocks(message->size())) {
        prepared = std::make_shared<const dl::PreparedMessage>(
            co_await runtime::run_blocking(pool, [&] { return delivery_.prepare(env, *message); }));
      } else {
        prepared = std::make_shared<const dl::PreparedMessage>(delivery_.prepare(env, *message));
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
    std::optional<dl::DeliveryResult> stored;
    if (prepared) {
      try {
        // A named job, not a lambda temporary inside the co_await expression: GCC 12 mishandles
        // the lifetime of captures in such temporaries.
        auto job = [prepared](storage::WriteTxn& txn) { return dl::LocalDelivery::run(txn, *prepared); };
        stored = co_await storage::async_write(store_, std::move(job), asio::use_awaitable);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
    // (No temporaries in a conditional expression here: GCC 12 coroutines mishandle them.)
    if (!prepared) {
      auto failed = std::make_shared<dl::PreparedMessage>();
      failed->envelope = env;
      prepared = failed;
    }
    dl::DeliveryResult result = delivery_.finish(*prepared, std::move(stored), error);
    if (result.outbound && outbound_queued_) outbound_queued_();
    for (const auto& r : result.recipients) statuses.push_back(to_smtp(r.status));
  } catch (const std::exception& e) {
    log::error("smtp.delivery_failed", "reason", e.what());
    statuses.assign(request.envelope.recipients.size(), smtp::DeliveryStatus::temporary_failure);
  }
  if (mode == smtp::Mode::lmtp) co_return smtp::DeliveryResult{statuses};
  co_return smtp::DeliveryResult{{combined(statuses)}};
}

}  // namespace atrium::server
