// Return-Path and Received construction with every untrusted value made header-safe.
#include "mail/delivery/trace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

namespace atrium::mail::delivery {
namespace {

enum class Utf8 { replace, keep };

// Copies `in` keeping printable ASCII and space (and UTF-8 octets when allowed) minus `forbidden`;
// anything else (CR, LF, other controls) becomes '_'. Capped at `max` octets, so a hostile value cannot make a line over 998.
std::string header_safe(std::string_view in, std::string_view forbidden, Utf8 utf8, std::size_t max) {
  std::string out;
  out.reserve(std::min(in.size(), max));
  for (unsigned char c : in.substr(0, max)) {
    bool ok = (c >= 0x20 && c < 0x7f && forbidden.find(static_cast<char>(c)) == std::string_view::npos) ||
              (c >= 0x80 && utf8 == Utf8::keep);
    out += ok ? static_cast<char>(c) : '_';
  }
  return out;
}

// The TCP-info address literal (RFC 5321 §4.1.3): "[192.0.2.1]" or "[IPv6:2001:db8::1]".
std::string address_literal(std::string_view ip) {
  std::string clean;
  for (char c : ip.substr(0, 64)) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    if (ok) clean += c;
  }
  if (clean.empty()) return "unknown";
  if (clean.find(':') != std::string::npos) return "[IPv6:" + clean + "]";
  return "[" + clean + "]";
}

}  // namespace

std::string with_keyword(const Envelope& env) {
  if (env.protocol == Protocol::smtp) return "SMTP";  // RFC 3848 defines S/A only for ESMTP and LMTP
  std::string out = env.protocol == Protocol::lmtp ? "LMTP" : "ESMTP";
  if (!env.tls.empty()) out += 'S';
  if (env.authenticated) out += 'A';
  return out;
}

std::string rfc5322_date(std::int64_t time) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", days[tm.tm_wday % 7], tm.tm_mday,
                     months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string trace_fields(const Envelope& env, const TraceInfo& info) {
  Utf8 utf8 = env.smtputf8 ? Utf8::keep : Utf8::replace;
  // A path may hold a space only inside a quoted local part, which is harmless here; '<' '>' would
  // end it. 256 is RFC 5321's path limit.
  std::string reverse = header_safe(env.reverse_path, "<>", utf8, 256);
  std::string out = fmt::format("Return-Path: <{}>\r\n", reverse);

  // Comments may not carry unbalanced parentheses or a quoting backslash.
  std::string helo = env.helo.empty() ? std::string("unknown") : header_safe(env.helo, " ()\\;<>", Utf8::replace, 255);
  out += fmt::format("Received: from {} ({})\r\n", helo, address_literal(env.peer_ip));
  if (!env.tls.empty()) {
    out += fmt::format("\t(using {})\r\n", header_safe(env.tls, "()\\", Utf8::replace, 200));
  }
  std::string host = info.hostname.empty() ? std::string("localhost")
                                           : header_safe(info.hostname, " ()\\;<>", Utf8::replace, 255);
  std::string id = header_safe(info.queue_id, " ()\\;<>", Utf8::replace, 64);
  out += fmt::format("\tby {} (Atrium) with {} id {}", host, with_keyword(env), id);
  if (env.recipients.size() == 1) {
    out += fmt::format("\r\n\tfor <{}>", header_safe(env.recipients.front().address, "<>", utf8, 256));
  }
  out += fmt::format("; {}\r\n", rfc5322_date(info.time));
  return out;
}

}  // namespace atrium::mail::delivery
