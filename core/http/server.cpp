// HTTP/1.1 connection loop: read with deadlines and limits, dispatch, respond, keep alive.
#include "core/http/server.hpp"

#include "core/log/log.hpp"
#include "core/net/line.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <ctime>
#include <exception>
#include <optional>

namespace atrium::http {

namespace bhttp = beast::http;
using beast::http::field;

namespace {

constexpr unsigned version_11 = 11;

bool is_parse_error(const net::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Splits a request target into path and query. Origin form ("/a?b") is the norm; absolute form
// ("http://host/a") must be accepted too (RFC 9112 3.2.2). Returns false for anything else.
bool split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    const auto authority = target.find("://") + 3;
    const auto slash = target.find_first_of("/?", authority);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    if (target.front() == '?') return false;
  }
  if (target.empty() || target.front() != '/') return false;
  const auto q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  return true;
}

}  // namespace

// One request/response pair, for the access log and the metrics.
struct Server::Exchange {
  const net::ConnectionInfo& info;
  std::string_view method;
  std::string_view path;
  std::chrono::steady_clock::time_point started;
};

Server::Server(std::shared_ptr<const Router> router, ServerOptions options, metrics::Registry& metrics)
    : router_(std::move(router)), options_(options), metrics_(metrics) {}

metrics::Counter& Server::requests_counter(unsigned code) const {
  if (code >= requests_.size()) code = 0;
  if (auto* c = requests_[code].load(std::memory_order_acquire)) return *c;
  // Two threads may both look it up; the registry returns the same counter to both.
  auto& c = metrics_.counter("atrium_http_requests_total", "HTTP responses sent, by status code.",
                             {{"code", std::to_string(code)}});
  requests_[code].store(&c, std::memory_order_release);
  return c;
}

asio::awaitable<Response> Server::dispatch(Request& req, const net::ConnectionInfo& info, bool tls) const {
  std::string_view path, query;
  if (!split_target(req.target(), path, query)) co_return text_response(status::bad_request, "bad request target\n");
  const auto match = router_->match(req.method(), path);
  if (match.kind == Router::Match::Kind::not_found) co_return text_response(status::not_found, "not found\n");
  if (match.kind == Router::Match::Kind::method_not_allowed) {
    auto res = text_response(status::method_not_allowed, "method not allowed\n");
    res.set(field::allow, match.allow);
    co_return res;
  }
  RequestContext ctx{info, tls, path, query, match.route};
  std::optional<Response> res;
  // Only what the handler throws is caught; the message is logged, never sent to the client.
  try {
    res = co_await (*match.handler)(req, ctx);
  } catch (const std::exception& e) {
    log::error("http.handler_failed", "conn", info.id, "method", req.method_string(), "path", path, "what", e.what());
  } catch (...) {
    log::error("http.handler_failed", "conn", info.id, "method", req.method_string(), "path", path, "what",
               "non-standard exception");
  }
  if (!res) co_return text_response(status::internal_server_error, "internal server error\n");
  co_return std::move(*res);
}

asio::awaitable<bool> Server::send(net::Stream& stream, Response& res, const Exchange& ex) const {
  res.set(field::server, "Atrium");
  res.set(field::date, http_date(std::time(nullptr)));
  bhttp::response_serializer<bhttp::string_body> sr(res);
  bool ok = true;
  while (!sr.is_done()) {
    net::Deadline deadline(stream, net::DeadlineScope::write, options_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write_some(stream, sr, asio::as_tuple(asio::use_awaitable));
    if (ec || deadline.expired()) {
      ok = false;
      log::info("http.write_failed", "conn", ex.info.id, "error", deadline.expired() ? "timeout" : ec.message());
      break;
    }
  }
  const unsigned code = res.result_int();
  requests_counter(code).inc();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - ex.started);
  log::info("http.request", "conn", ex.info.id, "method", ex.method, "path", ex.path, "status", code, "duration_ms",
            ms.count());
  co_return ok;
}

asio::awaitable<void> Server::serve(net::Stream stream, net::ConnectionInfo info) const {
  beast::flat_buffer buffer;
  const bool tls = stream.is_tls();

  // Answers a request we could not read and ends the connection: the rest of its bytes cannot
  // be trusted to frame the next request.
  auto refuse = [&](status code, const char* text) -> asio::awaitable<void> {
    auto res = text_response(code, text);
    res.version(version_11);
    res.keep_alive(false);
    res.prepare_payload();
    Exchange ex{info, "-", "-", std::chrono::steady_clock::now()};
    co_await send(stream, res, ex);
  };

  for (;;) {
    if (stream.interrupted()) break;
    if (buffer.size() == 0) {
      net::Deadline idle(stream, net::DeadlineScope::read, options_.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), asio::as_tuple(asio::use_awaitable));
      buffer.commit(n);
      if (ec) break;  // closed by the peer, idle timeout or interrupted: nobody is waiting for a reply
    }
    const auto started = std::chrono::steady_clock::now();

    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(options_.max_header_bytes);
    parser.body_limit(options_.max_body_bytes);

    net::error_code ec;
    bool timed_out = false;
    {
      net::Deadline deadline(stream, net::DeadlineScope::read, options_.header_timeout);
      auto [e, n] = co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      ec = e;
      timed_out = deadline.expired();
    }
    if (!ec && !timed_out) {
      auto& req = parser.get();
      if (req.version() != 10 && req.version() != version_11) {
        co_await refuse(status::http_version_not_supported, "HTTP version not supported\n");
        break;
      }
      if (req.version() == version_11 && req.count(field::host) != 1) {
        co_await refuse(status::bad_request, "exactly one Host header is required\n");
        break;
      }
      if (!parser.is_done() && req.version() == version_11 && beast::iequals(req[field::expect], "100-continue")) {
        const auto r = co_await net::write_all(stream, "HTTP/1.1 100 Continue\r\n\r\n", options_.write_timeout);
        if (!r) break;
      }
      while (!parser.is_done()) {
        net::Deadline deadline(stream, net::DeadlineScope::read, options_.body_timeout);
        auto [e, n] = co_await bhttp::async_read_some(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        ec = e;
        timed_out = deadline.expired();
        if (ec || timed_out) break;
      }
    }
    if (timed_out || stream.interrupted()) {
      log::info("http.read_aborted", "conn", info.id, "reason", timed_out ? "timeout" : "interrupted");
      break;
    }
    if (ec == bhttp::error::header_limit) {
      co_await refuse(status::request_header_fields_too_large, "request header too large\n");
      break;
    }
    if (ec == bhttp::error::body_limit) {
      co_await refuse(status::payload_too_large, "request body too large\n");
      break;
    }
    if (ec && is_parse_error(ec) && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      log::info("http.bad_request", "conn", info.id, "error", ec.message());
      co_await refuse(status::bad_request, "bad request\n");
      break;
    }
    if (ec) break;  // the peer went away mid-request

    Request req = parser.release();
    Response res = co_await dispatch(req, info, tls);
    // A handler may end the connection itself (Connection: close); read that before the version
    // changes what keep_alive() means.
    const bool keep_alive = req.keep_alive() && res.keep_alive() && !stream.interrupted();
    res.version(req.version());
    if (req.method() == verb::head) {
      // The headers of the GET, without its body.
      if (!res.body().empty()) {
        res.content_length(res.body().size());
        res.body().clear();
      }
    } else {
      res.prepare_payload();
    }
    res.keep_alive(keep_alive);
    // The query is left out of the log: it can carry tokens.
    const std::string_view target = req.target();
    Exchange ex{info, req.method_string(), target.substr(0, target.find('?')), started};
    if (!co_await send(stream, res, ex) || !keep_alive) break;
  }
  co_await stream.shutdown(options_.close_timeout);
  stream.close();
}

net::ConnectionHandler connection_handler(std::shared_ptr<const Server> server) {
  return [server = std::move(server)](net::Stream stream, net::ConnectionInfo info) -> asio::awaitable<void> {
    return server->serve(std::move(stream), std::move(info));
  };
}

}  // namespace atrium::http
