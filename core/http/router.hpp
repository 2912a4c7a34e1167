// HTTP request routing: handlers registered by method and path (exact, or a subtree prefix
// ending in "/"), the most specific path winning; plus the types every HTTP handler sees.
#pragma once

#include "core/net/listener.hpp"
#include "core/runtime/asio.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atrium::http {

using Request = beast::http::request<beast::http::string_body>;
using Response = beast::http::response<beast::http::string_body>;
using verb = beast::http::verb;
using status = beast::http::status;

// What a handler knows about the request beyond the message itself. Views point into the
// request and the connection and are valid for the handler call.
struct RequestContext {
  const net::ConnectionInfo& connection;
  bool tls = false;
  std::string_view path;   // the target's path, raw (not percent-decoded, not normalised)
  std::string_view query;  // after '?', without it; empty if none
  std::string_view route;  // the registered path that matched, e.g. "/dav/"
};

// Produces the response; the server fills in version, Server, Date, Content-Length and
// keep-alive, and strips the body for HEAD. An exception becomes a 500 (and an error log line).
using Handler = std::function<asio::awaitable<Response>(Request&, RequestContext&)>;

// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), independent of the process locale.
std::string http_date(std::time_t t);

// A response with `body` and Content-Type `content_type`.
Response text_response(status code, std::string body, std::string_view content_type = "text/plain; charset=utf-8");

// Build once at start-up, then share read-only between connections (match() is const and
// thread-safe; add() is not).
class Router {
 public:
  // Registers `handler` for `method` on `path`. A path ending in "/" is a prefix and matches
  // every path below it (and itself); any other path matches only itself. Throws
  // std::invalid_argument for a path not starting with "/", for verb::unknown, or when the
  // method is already registered on that path.
  void add(verb method, std::string path, Handler handler);
  // As add(), for every method that has no handler of its own on `path`.
  void add_any(std::string path, Handler handler);

  struct Match {
    enum class Kind { found, not_found, method_not_allowed };
    Kind kind = Kind::not_found;
    const Handler* handler = nullptr;  // for found; points into the router
    std::string_view route;            // for found and method_not_allowed
    std::string allow;                 // for method_not_allowed: the Allow header value
  };
  // The exact route for `path` if there is one, otherwise the longest prefix route. Only that
  // route is considered: a wrong method there is 405, even if a shorter prefix would accept it.
  // HEAD falls back to the GET handler.
  Match match(verb method, std::string_view path) const;

 private:
  struct Route {
    std::vector<std::pair<verb, Handler>> methods;
    std::optional<Handler> any;
  };
  Route& route_for(std::string&& path);
  Match match_route(const std::string& pattern, const Route& route, verb method) const;

  std::map<std::string, Route, std::less<>> exact_;
  std::map<std::string, Route, std::less<>> prefix_;
};

}  // namespace atrium::http
