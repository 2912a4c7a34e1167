// The outbound delivery worker. Everything runs on one strand: the scheduler loop, every
// message's attempt and the idle connection pool, so its state needs no locks and a pooled
// connection is always used on the executor it was opened on.
#include "mail/queue/worker.hpp"

#include "core/log/log.hpp"
#include "core/text/ascii.hpp"
#include "mail/delivery/delivery.hpp"
#include "mail/queue/dsn/dsn.hpp"
#include "mail/queue/dsn/mta_sts.hpp"
#include "mail/queue/dsn/status.hpp"
#include "mail/queue/router.hpp"
#include "mail/queue/sts_fetch.hpp"
#include "storage/async.hpp"
#include "storage/mail_auth.hpp"
#include "storage/queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <random>
#include <set>

namespace atrium::mail::queue {
namespace {

namespace sq = storage::queue;
namespace client = smtp::client;
using Clock = std::chrono::steady_clock;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// "550-5.1.1 first\r\n550 5.1.1 second": a reply as the remote sent it, for DSN diagnostics.
std::string reply_text(const smtp::Reply& r) {
  std::string out;
  if (r.lines.empty()) return std::to_string(r.code) + (r.enhanced.empty() ? "" : " " + r.enhanced);
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    if (!out.empty()) out += "\r\n";
    out += std::to_string(r.code);
    out += i + 1 == r.lines.size() ? ' ' : '-';
    if (!r.enhanced.empty()) out += r.enhanced + " ";
    out += r.lines[i];
  }
  return out;
}

client::Envelope client_envelope(const sq::OutboundMessage& m, const std::vector<const sq::OutboundRecipient*>& rcpts) {
  client::Envelope env;
  env.reverse_path = m.reverse_path;
  switch (m.body_type) {
    case sq::BodyType::seven_bit: env.body = smtp::BodyType::unspecified; break;
    case sq::BodyType::eight_bit_mime: env.body = smtp::BodyType::eight_bit_mime; break;
    case sq::BodyType::binary_mime: env.body = smtp::BodyType::binary_mime; break;
  }
  env.smtputf8 = m.smtputf8;
  if (m.ret == sq::DsnRet::full) env.ret = smtp::DsnRet::full;
  if (m.ret == sq::DsnRet::headers) env.ret = smtp::DsnRet::headers;
  if (!m.envid.empty()) env.envid = m.envid;
  for (const auto* r : rcpts) {
    client::Recipient c;
    c.address = r->address;
    if (r->notify != 0) {
      smtp::DsnNotify n;
      if (r->notify & sq::notify_never) {
        n.never = true;
      } else {
        if (r->notify & sq::notify_success) n.bits |= smtp::DsnNotify::success;
        if (r->notify & sq::notify_failure) n.bits |= smtp::DsnNotify::failure;
        if (r->notify & sq::notify_delay) n.bits |= smtp::DsnNotify::delay;
      }
      c.notify = n;
    }
    if (auto semi = r->orcpt.find(';'); semi != std::string::npos) {
      c.orcpt = smtp::DsnOrcpt{r->orcpt.substr(0, semi), r->orcpt.substr(semi + 1)};
    }
    env.recipients.push_back(std::move(c));
  }
  return env;
}

std::optional<NotifyRequest> notify_request(sq::DsnNotifySet n) {
  if (n == 0) return std::nullopt;
  NotifyRequest r;
  r.never = (n & sq::notify_never) != 0;
  r.success = (n & sq::notify_success) != 0;
  r.failure = (n & sq::notify_failure) != 0;
  r.delay = (n & sq::notify_delay) != 0;
  return r;
}

sq::RecipientOutcome outcome(const sq::OutboundRecipient& r, sq::RecipientStatus status, std::string error,
                             std::string code, std::string remote = {}) {
  return {r.address, status, std::move(error), std::move(code), std::move(remote)};
}

std::string token() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

}  // namespace

std::string_view outbound_form(std::string_view stored) {
  // Only the first field, and only when it is the Return-Path delivery put there.
  constexpr std::string_view name = "return-path:";
  if (stored.size() < name.size() || !text::iequals(stored.substr(0, name.size()), name)) return stored;
  std::size_t pos = 0;
  for (;;) {
    auto eol = stored.find('\n', pos);
    if (eol == std::string_view::npos) return stored;
    pos = eol + 1;
    if (pos >= stored.size() || (stored[pos] != ' ' && stored[pos] != '\t')) break;  // unfolded
  }
  return stored.substr(pos);
}

std::string recipient_domain(std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  return text::ascii_lowered(address.substr(at + 1));
}

struct IdleConnection {
  client::Connection connection;
  Clock::time_point since;
};

struct Worker::Core : std::enable_shared_from_this<Worker::Core> {
  Core(asio::any_io_executor ex, storage::Store& s, dns::Resolver& r, ssl::context& t, WorkerOptions o,
       MessageSigner sign, MessageSealer seal)
      : strand(asio::make_strand(ex)),
        timer(strand),
        store(s),
        resolver(r),
        tls(t),
        options(std::move(o)),
        signer(std::move(sign)),
        sealer(std::move(seal)),
        dsn_delivery(s, {.hostname = options.hostname}) {}

  asio::strand<asio::any_io_executor> strand;
  asio::steady_timer timer;
  storage::Store& store;
  dns::Resolver& resolver;
  ssl::context& tls;
  WorkerOptions options;
  MessageSigner signer;
  MessageSealer sealer;
  delivery::LocalDelivery dsn_delivery;

  bool stopping = false;
  bool woken = false;
  std::set<sq::QueueId> in_flight;
  std::map<std::string, std::size_t> per_domain;
  std::map<std::string, std::vector<IdleConnection>> idle;

  // ---- scheduling ----

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    while (!stopping) {
      try {
        admit();
      } catch (const std::exception& e) {
        log::warn("queue.scan_failed", "reason", e.what());
      }
      prune_idle();
      if (stopping) break;
      if (woken) {
        woken = false;
        continue;
      }
      timer.expires_after(options.poll_interval);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  void admit() {
    if (in_flight.size() >= options.max_connections) return;
    auto now = now_seconds();
    // The messages in flight are the oldest due ones, so this many rows cover them and the free slots.
    auto limit = std::min(options.batch, options.max_connections + 16);
    auto due = store.read([&](storage::ReadTxn& t) { return sq::due_messages(t, now, limit); });
    for (auto& m : due) {
      if (in_flight.size() >= options.max_connections) break;
      if (in_flight.count(m.id)) continue;
      std::set<std::string> domains;
      for (const auto& r : m.recipients) {
        if (r.status == sq::RecipientStatus::pending) domains.insert(domain_key(r.address));
      }
      bool room = std::all_of(domains.begin(), domains.end(), [&](const std::string& d) {
        return per_domain[d] < options.max_connections_per_domain;
      });
      if (!room) continue;
      for (const auto& d : domains) ++per_domain[d];
      in_flight.insert(m.id);
      asio::co_spawn(strand, attempt(std::move(m), std::move(domains)), asio::detached);
    }
  }

  // With a smarthost every message shares one destination.
  std::string domain_key(std::string_view address) const {
    return options.relay ? std::string("[relay]") : recipient_domain(address);
  }

  asio::awaitable<void> attempt(sq::OutboundMessage m, std::set<std::string> domains) {
    auto self = shared_from_this();
    auto id = m.id;
    try {
      co_await deliver(std::move(m));
    } catch (const std::exception& e) {
      log::error("queue.attempt_failed", "id", id, "reason", e.what());
    }
    in_flight.erase(id);
    for (const auto& d : domains) {
      if (--per_domain[d] == 0) per_domain.erase(d);
    }
    poke();
  }

  void poke() {
    woken = true;
    timer.cancel();
  }

  // ---- one message ----

  asio::awaitable<void> deliver(sq::OutboundMessage m) {
    auto content = store.read_blob(m.blob.hash);
    std::vector<sq::RecipientOutcome> results;
    std::map<std::string, std::vector<const sq::OutboundRecipient*>> groups;
    for (const auto& r : m.recipients) {
      if (r.status == sq::RecipientStatus::pending) groups[recipient_domain(r.address)].push_back(&r);
    }
    if (!content) {
      log::error("queue.content_missing", "id", m.id, "blob", m.blob.hash);
      for (const auto& [domain, rcpts] : groups) {
        for (const auto* r : rcpts) {
          results.push_back(outcome(*r, sq::RecipientStatus::pending, "the message content is missing", "4.3.0"));
        }
      }
    } else {
      std::string body(outbound_form(*content));
      try {
        // Forwarded mail: the forwarding address's domain (ORCPT names it) seals our verdict.
        std::string forwarder;
        for (const auto& r : m.recipients) {
          if (r.orcpt.rfind("rfc822;", 0) == 0) forwarder = recipient_domain(r.orcpt.substr(7));
        }
        std::string arc_set = sealer && !forwarder.empty() ? sealer(body, forwarder) : std::string();
        if (!arc_set.empty()) {
          body.insert(0, arc_set);
        } else if (signer) {
          body.insert(0, signer(body));
        }
      } catch (const std::exception& e) {
        log::warn("queue.dkim_sign_failed", "id", m.id, "reason", e.what());
      }
      for (const auto& [domain, rcpts] : groups) {
        auto part = co_await deliver_domain(m, domain, rcpts, body);
        for (auto& o : part) results.push_back(std::move(o));
      }
    }
    // A named value, not a ?: temporary in the co_await expression: GCC 12 destroys those twice.
    std::string original;
    if (content) original = std::move(*content);
    co_await settle(m, std::move(results), original);
  }

  // ---- one destination ----

  struct Policy {
    client::TlsMode tls = client::TlsMode::opportunistic;
    bool sts_enforce = false;
    std::optional<StsPolicy> sts;
  };

  asio::awaitable<std::vector<sq::RecipientOutcome>> deliver_domain(const sq::OutboundMessage& m,
                                                                     const std::string& domain,
                                                                     const std::vector<const sq::OutboundRecipient*>& rcpts,
                                                                     const std::string& body) {
    std::vector<sq::RecipientOutcome> out;
    auto all = [&](sq::RecipientStatus status, const std::string& error, const std::string& code,
                   const std::string& remote = {}) {
      out.clear();
      for (const auto* r : rcpts) out.push_back(outcome(*r, status, error, code, remote));
    };

    Route route;
    std::uint16_t port = options.remote_port;
    if (options.relay) {
      route = co_await route_host(resolver, options.relay->host);
      port = options.relay->port;
    } else {
      route = co_await route_domain(resolver, domain);
    }
    if (route.status != RouteStatus::ok) {
      auto status = route.status == RouteStatus::permanent ? sq::RecipientStatus::failed : sq::RecipientStatus::pending;
      log::info("queue.route_failed", "id", m.id, "domain", domain, "reason", route.reason);
      all(status, route.reason, route.status_code);
      co_return out;
    }

    Policy policy;
    policy.tls = options.require_tls ? client::TlsMode::required_verify_name : client::TlsMode::opportunistic;
    if (options.mta_sts && !options.relay) {
      policy.sts = co_await sts_policy(domain);
      if (policy.sts && policy.sts->mode == StsMode::enforce) {
        policy.sts_enforce = true;
        policy.tls = client::TlsMode::required_verify_name;
        std::vector<RouteHost> kept;
        for (auto& h : route.hosts) {
          if (mx_matches(*policy.sts, h.name)) {
            kept.push_back(std::move(h));
          } else {
            log::warn("queue.mta_sts_mx_mismatch", "domain", domain, "mx", h.name);
          }
        }
        route.hosts = std::move(kept);
        if (route.hosts.empty()) {
          all(sq::RecipientStatus::pending, "no MX host of " + domain + " matches its MTA-STS policy",
              std::string(local_failure_status(LocalFailure::tls_not_authenticated)));
          co_return out;
        }
      }
    }

    auto envelope = client_envelope(m, rcpts);
    std::string last_error = "no MX host of " + domain + " accepted a connection";
    std::string last_code(local_failure_status(LocalFailure::no_answer));
    std::string last_host;
    for (const auto& host : route.hosts) {
      client::ConnectOptions o;
      o.helo_name = options.helo_name;
      o.timeouts = options.timeouts;
      o.tls_context = &tls;
      o.tls_name = host.name;
      o.tls = policy.tls;
      if (options.relay) o.auth = options.relay->credentials;
      if (options.dane && !options.relay && route.mx_secure && host.secure) {
        auto tlsa = co_await resolver.tlsa(fmt::format("_{}._tcp.{}", port, host.name));
        if (tlsa.status == dns::Status::bogus || tlsa.status == dns::Status::temporary) {
          // RFC 7672 §2.2: TLSA records that cannot be looked up make the host unusable for now.
          last_error = "TLSA lookup for " + host.name + " failed";
          last_code = std::string(local_failure_status(LocalFailure::dns_temporary));
          continue;
        }
        if (tlsa.ok() && tlsa.secure) {
          o.tls = client::TlsMode::dane;
          o.tlsa = tlsa.records;
        }
      }
      for (const auto& address : host.addresses) {
        boost::system::error_code ec;
        auto ip = asio::ip::make_address(address, ec);
        if (ec) continue;
        client::tcp::endpoint endpoint(ip, port);
        std::string key = pool_key(endpoint, o);
        auto connected = co_await connect(endpoint, o, key, last_error, last_code);
        if (!connected.connection) continue;
        auto* connection = &*connected.connection;
        auto tx = co_await connection->send(envelope, body);
        if (tx.error && !tx.mail && !connection->usable() && connected.reused) {
          // A pooled connection the server had closed meanwhile: once more on a fresh one.
          connected = co_await connect(endpoint, o, {}, last_error, last_code);
          if (!connected.connection) continue;
          connection = &*connected.connection;
          tx = co_await connection->send(envelope, body);
        }
        last_host = host.name;
        if (tx.error && !tx.mail) {
          last_error = fmt::format("{} [{}]: {}", host.name, address, client::describe(*tx.error));
          last_code = std::string(local_failure_status(LocalFailure::connection_lost));
          continue;
        }
        auto outcomes = client::recipient_outcomes(tx, rcpts.size());
        out.clear();
        for (std::size_t i = 0; i < rcpts.size(); ++i) {
          const auto& oc = outcomes[i];
          sq::RecipientStatus status = oc.disposition == client::Disposition::delivered ? sq::RecipientStatus::delivered
                                       : oc.disposition == client::Disposition::permanent_failure
                                           ? sq::RecipientStatus::failed
                                           : sq::RecipientStatus::pending;
          std::string text, code;
          if (oc.reply) {
            text = reply_text(*oc.reply);
            code = status_from_reply(oc.reply->code, oc.reply->enhanced,
                                     status == sq::RecipientStatus::failed ? Permanence::permanent : Permanence::transient);
          } else if (tx.local) {
            text = tx.local->text;
            code = local_code(tx.local->reason);
          } else if (tx.error) {
            text = client::describe(*tx.error);
            code = std::string(local_failure_status(LocalFailure::connection_lost));
          }
          out.push_back(outcome(*rcpts[i], status, text, code, host.name));
        }
        log::info("queue.sent", "id", m.id, "domain", domain, "host", host.name, "address", address,
                  "tls", connection->tls_description(), "accepted",
                  std::count_if(out.begin(), out.end(),
                                [](const auto& o) { return o.status == sq::RecipientStatus::delivered; }),
                  "recipients", out.size());
        if (connection->usable()) {
          idle[key].push_back({std::move(*connection), Clock::now()});
        }
        co_return out;
      }
    }
    log::info("queue.deferred", "id", m.id, "domain", domain, "reason", last_error);
    all(sq::RecipientStatus::pending, last_error, last_code, last_host);
    co_return out;
  }

  static std::string local_code(client::LocalReason r) {
    switch (r) {
      case client::LocalReason::smtputf8_unsupported: return "5.6.7";
      case client::LocalReason::eight_bit_unsupported:
      case client::LocalReason::binary_unsupported: return "5.6.3";
      case client::LocalReason::too_big: return "5.3.4";
      case client::LocalReason::invalid_sender: return "5.1.7";
      case client::LocalReason::invalid_recipient: return "5.1.3";
      case client::LocalReason::no_recipients: break;
    }
    return "5.0.0";
  }

  struct Connected {
    std::optional<client::Connection> connection;
    bool reused = false;  // taken from the idle pool (the server may have closed it meanwhile)
  };

  static std::string pool_key(const client::tcp::endpoint& ep, const client::ConnectOptions& o) {
    return fmt::format("{}|{}|{}|{}", ep.address().to_string(), ep.port(), static_cast<int>(o.tls), o.tls_name);
  }

  // A pooled connection for `key` ("" never pools), else a new one. Errors go to last_error.
  asio::awaitable<Connected> connect(const client::tcp::endpoint& endpoint, client::ConnectOptions o,
                                     const std::string& key, std::string& last_error, std::string& last_code) {
    if (!key.empty()) {
      auto it = idle.find(key);
      if (it != idle.end() && !it->second.empty()) {
        auto c = std::move(it->second.back().connection);
        it->second.pop_back();
        if (it->second.empty()) idle.erase(it);
        if (c.usable()) {
          Connected pooled;
          pooled.connection.emplace(std::move(c));
          pooled.reused = true;
          co_return pooled;
        }
      }
    }
    auto opened = co_await client::Connection::open(strand, endpoint, o);
    if (auto* err = std::get_if<client::Error>(&opened);
        err && err->kind == client::ErrorKind::tls_failure && o.tls == client::TlsMode::opportunistic) {
      // Opportunistic TLS that fails in the handshake: in clear text on a new connection, as
      // Postfix does (RFC 7435); verified modes never fall back.
      log::info("queue.tls_fallback", "address", endpoint.address().to_string(), "reason", client::describe(*err));
      o.tls = client::TlsMode::none;
      opened = co_await client::Connection::open(strand, endpoint, o);
    }
    if (auto* err = std::get_if<client::Error>(&opened)) {
      last_error = fmt::format("{} [{}]: {}", o.tls_name, endpoint.address().to_string(), client::describe(*err));
      if (err->kind == client::ErrorKind::tls_failure || err->kind == client::ErrorKind::unsupported) {
        last_code = std::string(local_failure_status(err->stage == client::Stage::starttls || err->kind == client::ErrorKind::unsupported
                                                         ? LocalFailure::tls_unavailable
                                                         : LocalFailure::tls_not_authenticated));
      } else if (err->reply) {
        last_code = status_from_reply(err->reply->code, err->reply->enhanced, Permanence::transient);
        // A refusal at greeting or EHLO is about this host, not the message: another MX may
        // take it, and the recipient stays pending until the schedule runs out.
        if (last_code[0] == '5') last_code[0] = '4';
      } else {
        last_code = std::string(local_failure_status(LocalFailure::no_answer));
      }
      co_return Connected{};
    }
    Connected fresh;
    fresh.connection.emplace(std::move(std::get<client::Connection>(opened)));
    co_return fresh;
  }

  void prune_idle() {
    auto limit = Clock::now() - options.idle_connection_timeout;
    for (auto it = idle.begin(); it != idle.end();) {
      auto& list = it->second;
      for (auto c = list.begin(); c != list.end();) {
        if (stopping || c->since < limit || !c->connection.usable()) {
          auto conn = std::make_shared<client::Connection>(std::move(c->connection));
          asio::co_spawn(strand, quit(conn), asio::detached);
          c = list.erase(c);
        } else {
          ++c;
        }
      }
      it = list.empty() ? idle.erase(it) : std::next(it);
    }
  }

  static asio::awaitable<void> quit(std::shared_ptr<client::Connection> c) {
    if (c->usable()) co_await c->quit();
  }

  // ---- MTA-STS ----

  asio::awaitable<std::optional<StsPolicy>> sts_policy(const std::string& domain) {
    auto now = now_seconds();
    std::optional<CachedStsPolicy> cached;
    auto entry = store.read([&](storage::ReadTxn& t) { return storage::mail_auth::mta_sts_policy(t, domain); });
    if (entry) {
      auto parsed = parse_sts_policy(entry->policy);
      if (auto* p = std::get_if<StsPolicy>(&parsed)) cached = CachedStsPolicy{*p, entry->policy_id, entry->fetched_at};
    }
    std::optional<StsRecord> record;
    auto txt = co_await resolver.txt(sts_record_name(domain));
    if (txt.ok()) {
      auto selected = select_sts_record(txt.records);
      if (auto* r = std::get_if<StsRecord>(&selected)) record = *r;
    }
    switch (plan_sts(cached, record, now)) {
      case StsPlan::no_policy: co_return std::nullopt;
      case StsPlan::use_cached: co_return cached->policy;
      case StsPlan::fetch: break;
    }
    auto fetched = co_await fetch_sts_policy(strand, resolver, tls, domain,
                                             {.port = options.mta_sts_port, .timeout = std::chrono::seconds(30)});
    if (fetched.ok) {
      auto parsed = parse_sts_policy(fetched.body);
      if (auto* p = std::get_if<StsPolicy>(&parsed)) {
        storage::mail_auth::MtaStsEntry e{domain, record->id, fetched.body, now, now + p->max_age};
        auto job = [e](storage::WriteTxn& t) { storage::mail_auth::put_mta_sts_policy(t, e); };
        try {
          co_await storage::async_write(store, std::move(job), asio::use_awaitable);
        } catch (const std::exception& ex) {
          log::warn("queue.mta_sts_cache_failed", "domain", domain, "reason", ex.what());
        }
        log::info("queue.mta_sts_policy", "domain", domain, "mode", to_string(p->mode), "id", record->id);
        co_return *p;
      }
      log::warn("queue.mta_sts_bad_policy", "domain", domain, "reason", to_string(std::get<StsPolicyError>(parsed)));
    } else {
      log::warn("queue.mta_sts_fetch_failed", "domain", domain, "reason", fetched.error);
    }
    // §5.1: a failed refresh keeps a cached policy that has not expired.
    if (cached && !cached->expired(now)) co_return cached->policy;
    co_return std::nullopt;
  }

  // ---- settling an attempt ----

  asio::awaitable<void> settle(const sq::OutboundMessage& m, std::vector<sq::RecipientOutcome> results,
                               const std::string& original) {
    auto now = now_seconds();
    auto next = next_attempt(options.schedule, static_cast<int>(m.attempts) + 1, m.created_at, now);
    bool any_pending = std::any_of(results.begin(), results.end(),
                                   [](const auto& r) { return r.status == sq::RecipientStatus::pending; });
    if (any_pending && !next) {
      for (auto& r : results) {
        if (r.status != sq::RecipientStatus::pending) continue;
        r.status = sq::RecipientStatus::failed;
        r.status_code = std::string(local_failure_status(LocalFailure::expired));
        if (r.last_error.empty()) r.last_error = "delivery time expired";
      }
      any_pending = false;
    }

    auto find = [&](const std::string& address) -> const sq::OutboundRecipient* {
      for (const auto& r : m.recipients) {
        if (r.address == address) return &r;
      }
      return nullptr;
    };
    auto report = [&](const sq::RecipientOutcome& r, DsnAction action) {
      RecipientReport rep;
      rep.address = r.address;
      if (const auto* q = find(r.address); q && !q->orcpt.empty()) rep.orcpt = q->orcpt;
      rep.action = action;
      rep.status = r.status_code.empty() ? (action == DsnAction::failed ? "5.0.0" : "2.0.0") : r.status_code;
      if (!r.remote_mta.empty()) rep.remote_mta = r.remote_mta;
      bool quoted = !r.last_error.empty() && r.last_error[0] >= '2' && r.last_error[0] <= '5' && !r.remote_mta.empty() &&
                    r.last_error.size() > 3 && std::isdigit(static_cast<unsigned char>(r.last_error[1]));
      if (quoted) {
        rep.diagnostic = r.last_error;
      } else if (!r.last_error.empty()) {
        rep.explanation = r.last_error;
      }
      rep.last_attempt = now;
      if (action == DsnAction::delayed) rep.will_retry_until = expires_at(options.schedule, m.created_at);
      return rep;
    };

    std::vector<RecipientReport> failed, delayed, succeeded;
    for (const auto& r : results) {
      const auto* q = find(r.address);
      auto notify = notify_request(q ? q->notify : 0);
      if (r.status == sq::RecipientStatus::failed &&
          should_send_dsn(DsnKind::failure, m.reverse_path, notify, DelayNoticeDefault::send)) {
        failed.push_back(report(r, DsnAction::failed));
      } else if (r.status == sq::RecipientStatus::delivered &&
                 should_send_dsn(DsnKind::success, m.reverse_path, notify, DelayNoticeDefault::send)) {
        succeeded.push_back(report(r, DsnAction::relayed));
      } else if (r.status == sq::RecipientStatus::pending && !m.delay_notified &&
                 delay_notice_due(options.schedule, m.created_at, now,
                                  m.delay_notified ? DelayNotice::sent : DelayNotice::not_sent) &&
                 should_send_dsn(DsnKind::delay, m.reverse_path, notify, DelayNoticeDefault::send)) {
        delayed.push_back(report(r, DsnAction::delayed));
      }
    }

    std::vector<std::shared_ptr<const delivery::PreparedMessage>> reports;
    auto compose = [&](DsnKind kind, std::vector<RecipientReport> recipients) {
      if (recipients.empty()) return;
      DsnInput in;
      in.reporting_host = options.hostname;
      in.reverse_path = m.reverse_path;
      if (!m.envid.empty()) in.envid = m.envid;
      in.ret = m.ret == sq::DsnRet::full      ? DsnReturn::full
               : m.ret == sq::DsnRet::headers ? DsnReturn::headers
                                              : DsnReturn::unspecified;
      in.smtputf8 = m.smtputf8;
      in.arrival = m.created_at;
      in.original = outbound_form(original);
      in.kind = kind;
      in.recipients = std::move(recipients);
      in.now = now;
      in.message_id = token();
      delivery::Envelope env;
      env.recipients.push_back({m.reverse_path, 0, {}});
      env.helo = options.hostname;
      env.peer_ip = "127.0.0.1";
      env.protocol = delivery::Protocol::esmtp;
      // The report may go back out (a sender outside): it is our own mail, like a submission.
      env.authenticated = delivery::AuthenticatedUser{0, "MAILER-DAEMON@" + options.hostname};
      env.smtputf8 = m.smtputf8;
      env.body_type = m.smtputf8 ? delivery::BodyType::eight_bit_mime : delivery::BodyType::seven_bit;
      reports.push_back(std::make_shared<const delivery::PreparedMessage>(dsn_delivery.prepare(env, compose_dsn(in))));
    };
    compose(DsnKind::failure, std::move(failed));
    compose(DsnKind::success, std::move(succeeded));
    bool delay_sent = !delayed.empty();
    compose(DsnKind::delay, std::move(delayed));

    sq::AttemptOutcome attempt;
    attempt.id = m.id;
    attempt.attempted_at = now;
    attempt.recipients = std::move(results);
    attempt.next_attempt_at = next.value_or(now);
    attempt.delay_notified = delay_sent;
    auto job = [attempt, reports](storage::WriteTxn& t) {
      bool removed = sq::record_attempt(t, attempt);
      for (const auto& r : reports) delivery::LocalDelivery::run(t, *r);
      return removed;
    };
    try {
      bool removed = co_await storage::async_write(store, std::move(job), asio::use_awaitable);
      for (const auto& r : reports) log::info("queue.dsn_sent", "id", m.id, "to", m.reverse_path, "dsn", r->queue_id);
      log::info(removed ? "queue.done" : "queue.retry_scheduled", "id", m.id, "attempts", m.attempts + 1, "next",
                removed ? 0 : attempt.next_attempt_at - now);
    } catch (const storage::StoreError& e) {
      if (e.code() == storage::Errc::not_found) {
        log::info("queue.deleted_meanwhile", "id", m.id);
      } else {
        log::error("queue.record_failed", "id", m.id, "reason", e.what());
      }
    }
  }
};

Worker::Worker(asio::any_io_executor executor, storage::Store& store, dns::Resolver& resolver, ssl::context& tls,
               WorkerOptions options, MessageSigner signer, MessageSealer sealer)
    : core_(std::make_shared<Core>(executor, store, resolver, tls, std::move(options), std::move(signer),
                                   std::move(sealer))) {}

Worker::~Worker() { stop(); }

void Worker::start() {
  asio::co_spawn(core_->strand, core_->run(), asio::detached);
}

void Worker::stop() {
  auto core = core_;
  asio::post(core->strand, [core] {
    core->stopping = true;
    core->timer.cancel();
    core->prune_idle();
  });
}

void Worker::wake() {
  auto core = core_;
  asio::post(core->strand, [core] { core->poke(); });
}

}  // namespace atrium::mail::queue
