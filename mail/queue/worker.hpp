// The outbound delivery worker: takes due messages from the store's queue, routes each
// recipient domain (MX, MTA-STS, DANE), sends over the SMTP client with connection reuse and
// per-destination limits, records every recipient's outcome in the store, and returns delivery
// status notifications to the sender in the same transaction that settles the recipients.
//
// Crash safety: a recipient is marked delivered only after the remote's 250, in one store commit
// per attempt; a crash between the remote's 250 and that commit sends the message again at the
// next start (the only duplicate RFC 5321 §6.1 leaves unavoidable). Nothing else is lost: until
// the commit the queue row and its blob stay as they were.
#pragma once

#include "core/dns/resolver.hpp"
#include "mail/queue/dsn/schedule.hpp"
#include "mail/smtp/client/connection.hpp"
#include "storage/store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace atrium::mail::queue {

struct RelayHost {
  std::string host;  // name or IP address
  std::uint16_t port = 25;
  std::optional<smtp::client::Credentials> credentials;  // AUTH over TLS
};

struct WorkerOptions {
  std::string hostname = "localhost";  // Reporting-MTA and MAILER-DAEMON domain of DSNs
  std::string helo_name = "localhost";
  std::uint16_t remote_port = 25;
  std::optional<RelayHost> relay;      // every message goes to the smarthost
  Schedule schedule;
  std::size_t max_connections = 100;
  std::size_t max_connections_per_domain = 20;
  bool require_tls = false;            // verified TLS to every MX
  bool mta_sts = true;
  std::uint16_t mta_sts_port = 443;
  bool dane = true;
  smtp::client::Timeouts timeouts;
  // How often the queue is looked at when nothing wakes the worker (admin tools change it from
  // another process).
  std::chrono::milliseconds poll_interval{1000};
  // Connections kept open after a message for the next one to the same host.
  std::chrono::seconds idle_connection_timeout{5};
  std::size_t batch = 200;             // messages read from the queue per look
};

// Given the outbound form of a message, the header fields to prepend (a DKIM-Signature), or "".
// Called on the worker's strand for every attempt.
using MessageSigner = std::function<std::string(std::string_view message)>;

// For forwarded mail (it carries our MX's Authentication-Results): the ARC set to prepend, sealed
// for `domain`, or "".
using MessageSealer = std::function<std::string(std::string_view message, std::string_view domain)>;

class Worker {
 public:
  // Every reference must outlive the worker and the io_context it runs on. `tls` is a client
  // context (net::make_client_tls_context) used for STARTTLS and MTA-STS policy fetches.
  Worker(asio::any_io_executor executor, storage::Store& store, dns::Resolver& resolver, ssl::context& tls,
         WorkerOptions options, MessageSigner signer = {}, MessageSealer sealer = {});
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Stops taking new messages; attempts in flight end with the io_context.
  void stop();
  // Looks at the queue now (after a submission queued something). Any thread.
  void wake();

  struct Core;

 private:
  std::shared_ptr<Core> core_;
};

// The form a stored message is sent in: without the Return-Path field delivery added (RFC 5321
// §4.4: only the final delivery adds it), everything else byte for byte.
std::string_view outbound_form(std::string_view stored);

// The recipient's domain, lower-cased ("" when the address has no '@').
std::string recipient_domain(std::string_view address);

}  // namespace atrium::mail::queue
