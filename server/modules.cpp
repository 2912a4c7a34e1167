// The table of protocol modules and the HTTP routes.
#include "server/modules.hpp"

#include "core/http/builtin.hpp"
#include "core/http/server.hpp"
#include "dav/server/http.hpp"
#include "mail/imap/driver/connection.hpp"
#include "mail/pop3/driver/driver.hpp"
#include "mail/smtp/driver/driver.hpp"
#include "server/pop3_backend.hpp"
#include "server/smtp_backend.hpp"

namespace atrium::server {
namespace {

net::ConnectionHandler http_handler(Services& s) {
  http::ServerOptions options;
  options.idle_timeout = s.config.limits.http_idle_timeout;
  options.max_body_bytes = s.config.limits.max_http_body;
  return http::connection_handler(std::make_shared<const http::Server>(s.router, options, s.metrics));
}

// SMTP, submission, submissions and LMTP: one driver, the session's mode tells them apart.
std::function<net::ConnectionHandler(Services&)> smtp_handler(smtp::Mode mode) {
  return [mode](Services& s) -> net::ConnectionHandler {
    auto backend = std::make_shared<SmtpBackend>(s.store, s.authenticator, s.config.server.hostname);
    backend->on_outbound_queued(s.outbound_queued);
    if (s.config.mail_auth.verify && s.resolver) {
      const auto& a = s.config.mail_auth;
      backend->check_inbound(s.resolver, a.authserv_id.empty() ? s.config.server.hostname : a.authserv_id,
                             a.dmarc_enforce);
    }
    smtp::DriverOptions options;
    options.session.hostname = s.config.server.hostname;
    options.session.mode = mode;
    options.session.max_message_size = s.config.limits.max_message_size;
    options.tls = &s.tls;
    options.store_pool = &s.store_blocking;
    options.command_timeout = s.config.limits.smtp_idle_timeout;
    auto* pool = &s.blocking;
    return [backend, options, pool](net::Stream stream, net::ConnectionInfo info) {
      return smtp::serve_connection(std::move(stream), std::move(info), options, *backend, *pool);
    };
  };
}

// IMAP and IMAPS: one transport; STARTTLS is offered on the plain listener.
net::ConnectionHandler imap_handler(Services& s) {
  auto services = std::make_shared<imap::Services>(imap::Services{s.store, s.authenticator, s.blocking, s.store_blocking, s.search, s.config.search.wait});
  imap::ConnectionOptions options;
  options.session.hostname = s.config.server.hostname;
  options.session.append_limit = s.config.limits.max_message_size;
  options.session.idle_timeout = s.config.limits.imap_idle_timeout;
  options.cleartext_from_loopback = s.config.auth.cleartext_login == config::CleartextLogin::loopback;
  options.cleartext_anywhere = s.config.auth.cleartext_login == config::CleartextLogin::always;
  options.tls = &s.tls;
  return [services, options](net::Stream stream, net::ConnectionInfo info) {
    return imap::serve_connection(std::move(stream), std::move(info), options, *services);
  };
}

// POP3 and POP3S: one driver; the stream says whether TLS is already on. Both listeners share
// the maildrop locks, so a second session for the same account gets [IN-USE] on either.
net::ConnectionHandler pop3_handler(Services& s) {
  auto backend = std::make_shared<Pop3Backend>(s.store, s.authenticator, s.maildrop_locks);
  pop3::DriverOptions options;
  options.session.hostname = s.config.server.hostname;
  options.tls = &s.tls;
  options.store_pool = &s.store_blocking;
  options.idle_timeout = s.config.limits.pop3_idle_timeout;
  switch (s.config.auth.cleartext_login) {
    case config::CleartextLogin::never: options.cleartext_login = pop3::CleartextLogin::never; break;
    case config::CleartextLogin::loopback: options.cleartext_login = pop3::CleartextLogin::loopback; break;
    case config::CleartextLogin::always: options.cleartext_login = pop3::CleartextLogin::always; break;
  }
  auto* pool = &s.blocking;
  return [backend, options, pool](net::Stream stream, net::ConnectionInfo info) {
    return pop3::serve_connection(std::move(stream), std::move(info), options, *backend, *pool);
  };
}

}  // namespace

std::optional<ProtocolModule> module_for(config::Protocol p) {
  switch (p) {
    case config::Protocol::http:
      return ProtocolModule{p, net::TlsMode::none, http_handler};
    case config::Protocol::https:
      return ProtocolModule{p, net::TlsMode::implicit, http_handler};
    case config::Protocol::smtp:
      return ProtocolModule{p, net::TlsMode::none, smtp_handler(smtp::Mode::mx)};
    case config::Protocol::submission:
      return ProtocolModule{p, net::TlsMode::none, smtp_handler(smtp::Mode::submission)};
    case config::Protocol::submissions:
      return ProtocolModule{p, net::TlsMode::implicit, smtp_handler(smtp::Mode::submissions)};
    case config::Protocol::lmtp:
      return ProtocolModule{p, net::TlsMode::none, smtp_handler(smtp::Mode::lmtp)};
    case config::Protocol::imap:
      return ProtocolModule{p, net::TlsMode::none, imap_handler};
    case config::Protocol::imaps:
      return ProtocolModule{p, net::TlsMode::implicit, imap_handler};
    case config::Protocol::pop3:
      return ProtocolModule{p, net::TlsMode::none, pop3_handler};
    case config::Protocol::pop3s:
      return ProtocolModule{p, net::TlsMode::implicit, pop3_handler};
    default:
      return std::nullopt;
  }
}

void add_http_routes(Services& services) {
  http::add_builtin_routes(*services.router, services.metrics);
  dav::ExecutorOptions dav_options;
  dav_options.hostname = services.config.server.hostname;
  dav::add_routes(*services.router, dav::HttpServices{services.store, services.authenticator, services.blocking,
                                                      services.store_blocking, dav_options});
}

}  // namespace atrium::server
