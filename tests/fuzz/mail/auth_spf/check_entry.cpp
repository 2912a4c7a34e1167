// Fuzz entry: check_host over a fixed zone, with the input as the TXT record of example.com.
#include "tests/fuzz/mail/auth_spf/fuzz_entries.hpp"

#include "mail/auth/spf/spf.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::mail::auth::spf::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "spf check fuzz: %s\n", what);
  std::abort();
}

// Names a fuzzed record can reach: nested and looping includes and redirects, broken records,
// MX and PTR data in both families, a failing name, and an explanation using every letter.
void fill_zone(dns::StaticResolver& dns, std::string record) {
  dns.add_txt("example.com", std::move(record));
  dns.add_a("example.com", "192.0.2.1");
  dns.add_aaaa("example.com", "2001:db8::1");
  dns.add_mx("example.com", 10, "mx1.example.com");
  dns.add_mx("example.com", 20, "mx2.example.com");
  dns.add_a("mx1.example.com", "192.0.2.3");
  dns.add_aaaa("mx2.example.com", "2001:db8::3");
  dns.add_txt("inc.example.com", "v=spf1 ip4:192.0.2.0/24 include:inc2.example.com -all");
  dns.add_txt("inc2.example.com", "v=spf1 a:mx1.example.com exists:%{i}.e.example.com ?all");
  dns.add_a("192.0.2.3.e.example.com", "127.0.0.2");
  dns.add_txt("loop.example.com", "v=spf1 include:loop.example.com");
  dns.add_txt("red.example.com", "v=spf1 redirect=red.example.com");
  dns.add_txt("bad.example.com", "v=spf1 moo");
  dns.add_txt("two.example.com", "v=spf1 +all");
  dns.add_txt("two.example.com", "v=spf1 -all");
  dns.add_txt("exp.example.com", "%{c} %{r} %{t} %{p} %{S} %{i}");
  dns.fail("fail.example.com");
  for (int i = 0; i < 11; ++i) dns.add_mx("many.example.com", static_cast<std::uint16_t>(i), "mx1.example.com");
  dns.add_ptr("192.0.2.3", "mx1.example.com");
  dns.add_ptr("192.0.2.3", "other.example.org");
  dns.add_a("other.example.org", "198.51.100.1");
  dns.add_ptr("2001:db8::3", "mx2.example.com");
}

}  // namespace

int check_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr const char* clients[] = {"192.0.2.3", "2001:db8::3", "::ffff:192.0.2.3", "198.51.100.7"};
  const unsigned control = data[0];
  dns::StaticResolver dns;
  fill_zone(dns, std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  Request request;
  request.client_ip = clients[control & 3];
  request.mail_from = (control & 8) ? "" : "user@example.com";
  request.helo = (control & 8) ? "example.com" : "mail.example.org";
  request.receiver = "mx.example.net";
  const bool helo = (control & 4) != 0;

  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(
      io, helo ? check_helo(request, dns) : check_host(request, dns), boost::asio::use_future);
  io.run();
  const Result r = future.get();

  const Limits limits;
  require(r.lookups <= limits.dns_terms + 1, "DNS-querying terms past the limit");
  require(r.void_lookups <= limits.void_lookups + 1, "void lookups past the limit");
  // Initial TXT, 11 terms of at most 1 + mx_names queries each, PTR validation once, exp= once.
  require(dns.lookups <= 1 + (limits.dns_terms + 1) * (1 + limits.mx_names) + 1 + limits.ptr_names + 1,
          "more DNS queries than the limits allow");
  require(r.outcome == Outcome::fail || r.explanation.empty(), "explanation without fail");
  require(!r.reason.empty() || r.outcome == Outcome::pass || r.outcome == Outcome::fail ||
              r.outcome == Outcome::softfail || r.outcome == Outcome::neutral,
          "error without a reason");
  for (char c : r.explanation) require(c >= 0x20 && c <= 0x7E, "explanation not printable ASCII");
  require(!authentication_results(r).empty(), "empty Authentication-Results");
  const std::string header = received_spf_header(r, request);
  require(header.find('\r') == std::string::npos && header.find('\n') == std::string::npos, "line break in header");
  return 0;
}

}  // namespace atrium::mail::auth::spf::fuzz
