// Router: exact and prefix routes, method selection, 405 Allow lists.
#include "core/http/router.hpp"

#include <cstdio>
#include <ctime>

#include <boost/beast/http/field.hpp>

#include <stdexcept>

namespace atrium::http {

// RFC 9110 IMF-fixdate, without strftime so the process locale cannot change it.
std::string http_date(std::time_t t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Response text_response(status code, std::string body, std::string_view content_type) {
  Response res{code, 11};
  res.set(beast::http::field::content_type, content_type);
  res.body() = std::move(body);
  return res;
}

Router::Route& Router::route_for(std::string&& path) {
  if (path.empty() || path.front() != '/') throw std::invalid_argument("http route must start with '/': '" + path + "'");
  auto& table = path.back() == '/' ? prefix_ : exact_;
  return table[std::move(path)];
}

void Router::add(verb method, std::string path, Handler handler) {
  if (method == verb::unknown) throw std::invalid_argument("http route " + path + ": unknown method");
  const std::string name = path;
  auto& route = route_for(std::move(path));
  for (const auto& [m, h] : route.methods) {
    if (m == method)
      throw std::invalid_argument("http route " + name + ": " + std::string(beast::http::to_string(method)) +
                                  " registered twice");
  }
  route.methods.emplace_back(method, std::move(handler));
}

void Router::add_any(std::string path, Handler handler) {
  const std::string name = path;
  auto& route = route_for(std::move(path));
  if (route.any) throw std::invalid_argument("http route " + name + ": any-method handler registered twice");
  route.any = std::move(handler);
}

Router::Match Router::match_route(const std::string& pattern, const Route& route, verb method) const {
  Match m;
  m.route = pattern;
  auto find = [&](verb v) -> const Handler* {
    for (const auto& [rv, h] : route.methods)
      if (rv == v) return &h;
    return nullptr;
  };
  const Handler* h = find(method);
  if (!h && route.any) h = &*route.any;
  if (!h && method == verb::head) h = find(verb::get);
  if (h) {
    m.kind = Match::Kind::found;
    m.handler = h;
    return m;
  }
  m.kind = Match::Kind::method_not_allowed;
  bool has_get = false, has_head = false;
  for (const auto& [rv, unused] : route.methods) {
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += beast::http::to_string(rv);
    has_get |= rv == verb::get;
    has_head |= rv == verb::head;
  }
  if (has_get && !has_head) m.allow += ", HEAD";
  return m;
}

Router::Match Router::match(verb method, std::string_view path) const {
  if (auto it = exact_.find(path); it != exact_.end()) return match_route(it->first, it->second, method);
  // Walk up the path one segment at a time: "/dav/a/b" tries "/dav/a/", "/dav/", "/".
  std::string_view candidate = path;
  while (!candidate.empty()) {
    const auto slash = candidate.back() == '/' ? candidate.size() - 1 : candidate.rfind('/');
    if (slash == std::string_view::npos) break;
    candidate = candidate.substr(0, slash + 1);
    if (auto it = prefix_.find(candidate); it != prefix_.end()) return match_route(it->first, it->second, method);
    candidate.remove_suffix(1);
  }
  return {};
}

}  // namespace atrium::http
