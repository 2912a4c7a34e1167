#include "dav/server/http.hpp"

#include "core/auth/login_cache.hpp"
#include "core/auth/sasl.hpp"
#include "core/log/log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <memory>

namespace atrium::dav {
namespace {

using field = beast::http::field;

struct Shared {
  HttpServices services;
  Executor executor;
  auth::LoginCache logins;
  Shared(HttpServices s) : services(s), executor(s.store, s.options) {}
};

http::Response challenge() {
  auto res = http::text_response(http::status::unauthorized, "Authentication required.\n");
  res.set(field::www_authenticate, "Basic realm=\"Atrium\", charset=\"UTF-8\"");
  return res;
}

// "Basic <base64(login:password)>" → (login, password).
std::optional<std::pair<std::string, std::string>> basic_credentials(const http::Request& req) {
  auto it = req.find(field::authorization);
  if (it == req.end()) return std::nullopt;
  std::string_view value(it->value().data(), it->value().size());
  if (value.size() < 6 || (value.substr(0, 6) != "Basic " && value.substr(0, 6) != "basic ")) return std::nullopt;
  value.remove_prefix(6);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  auto decoded = auth::base64_decode(value);
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<http::Response> serve(std::shared_ptr<Shared> shared, http::Request& req, http::RequestContext& rc) {
  if (req.method() == http::verb::options) {
    // Clients probe capabilities before they authenticate (RFC 4918 §9 lets OPTIONS answer the
    // server's, not a resource's).
    auto res = http::text_response(http::status::ok, "");
    res.set(field::allow,
            "OPTIONS, GET, HEAD, POST, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, COPY, MOVE, REPORT");
    res.set("DAV", "1, 3, access-control, calendar-access, calendar-auto-schedule, addressbook, extended-mkcol");
    co_return res;
  }
  auto credentials = basic_credentials(req);
  if (!credentials) co_return challenge();
  auto& [login, password] = *credentials;
  Caller caller;
  if (auto cached = shared->logins.find(login, password)) {
    caller = Caller{cached->principal_id, cached->canonical_email};
  } else {
    std::string ip = rc.connection.remote_address.to_string();
    auto& authenticator = shared->services.authenticator;
    auto result = co_await runtime::run_blocking(shared->services.cpu,
                                                 [&] { return authenticator.login(login, password, ip, "dav"); });
    co_await pause(result.delay);
    switch (result.status) {
      case auth::LoginResult::Status::ok: break;
      case auth::LoginResult::Status::bad_credentials: co_return challenge();
      case auth::LoginResult::Status::throttled: {
        auto res = http::text_response(http::status::too_many_requests, "Too many failed logins; try later.\n");
        res.set(field::retry_after, std::to_string(std::max<long long>(1, result.retry_after.count() / 1000)));
        co_return res;
      }
      case auth::LoginResult::Status::unavailable: {
        auto res = http::text_response(http::status::service_unavailable, "Try again later.\n");
        res.set(field::retry_after, "5");
        co_return res;
      }
    }
    shared->logins.remember(login, password, {result.principal_id, result.canonical_email});
    caller = Caller{result.principal_id, result.canonical_email};
  }
  auto& executor = shared->executor;
  co_return co_await runtime::run_blocking(shared->services.store_pool,
                                           [&] { return executor.execute(req, caller); });
}

// RFC 6764 §5 allows 301, 303 or 307. 307 keeps the method and the body: clients following a 301
// for a PROPFIND drop its body (python requests does), which turns the request into an allprop.
asio::awaitable<http::Response> well_known(http::Request&, http::RequestContext&) {
  auto res = http::text_response(http::status::temporary_redirect, "");
  res.set(field::location, "/dav/");
  co_return res;
}

}  // namespace

void add_routes(http::Router& router, HttpServices services) {
  auto shared = std::make_shared<Shared>(services);
  router.add_any("/.well-known/caldav", well_known);
  router.add_any("/.well-known/carddav", well_known);
  router.add_any("/dav/", [shared](http::Request& req, http::RequestContext& rc) { return serve(shared, req, rc); });
}

}  // namespace atrium::dav
