// The SMTP sessions' backend over the store: logins through the shared Authenticator, sender
// and recipient policy and local delivery from mail/delivery.
#pragma once

#include "core/dns/resolver.hpp"

#include <functional>

#include "core/auth/authenticator.hpp"
#include "mail/delivery/delivery.hpp"
#include "mail/delivery/policy.hpp"
#include "mail/smtp/driver/driver.hpp"
#include "storage/store.hpp"

namespace atrium::server {

class SmtpBackend : public smtp::Backend {
 public:
  SmtpBackend(storage::Store& store, auth::Authenticator& authenticator, std::string hostname);

  // Called after a delivery queued mail for remote recipients (wakes the delivery worker).
  void on_outbound_queued(std::function<void()> callback) { outbound_queued_ = std::move(callback); }

  // Mail arriving on the MX from outside is checked (SPF, DKIM, ARC, DMARC, iprev) with
  // `resolver` and gets an Authentication-Results field; with `enforce`, DMARC reject refuses it
  // and quarantine files it into Junk.
  void check_inbound(dns::Resolver* resolver, std::string authserv_id, bool enforce) {
    resolver_ = resolver;
    authserv_id_ = std::move(authserv_id);
    enforce_dmarc_ = enforce;
  }

  smtp::AuthResult authenticate(const smtp::Authenticate& request, const net::ConnectionInfo& peer,
                                std::chrono::milliseconds& delay) override;
  asio::awaitable<smtp::SenderResult> check_sender(const smtp::CheckSender& request, smtp::Mode mode,
                                                   runtime::BlockingPool& pool) override;
  asio::awaitable<smtp::RecipientResult> check_recipient(const smtp::CheckRecipient& request, smtp::Mode mode,
                                                         runtime::BlockingPool& pool) override;
  asio::awaitable<smtp::DeliveryResult> deliver(const smtp::Deliver& request, smtp::Mode mode,
                                                runtime::BlockingPool& pool) override;

 private:
  std::optional<storage::PrincipalId> principal_id(const std::string& email);

  storage::Store& store_;
  auth::Authenticator& authenticator_;
  std::string hostname_;
  mail::delivery::LocalDelivery delivery_;
  mail::delivery::RecipientPolicy recipients_;
  mail::delivery::SenderPolicy senders_;
  mail::delivery::RecipientCache recent_;
  std::function<void()> outbound_queued_;
  dns::Resolver* resolver_ = nullptr;
  std::string authserv_id_;
  bool enforce_dmarc_ = true;
};

}  // namespace atrium::server
