// MX routing over the in-memory resolver: preference order, implicit MX, null MX, and which DNS
// outcomes are temporary and which permanent.
#include "mail/queue/router.hpp"
#include "mail/queue/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace atrium::mail::queue {
namespace {

Route run(dns::Resolver& r, std::string domain) {
  asio::io_context io;
  auto f = asio::co_spawn(io, route_domain(r, std::move(domain)), asio::use_future);
  io.run();
  return f.get();
}

TEST(Router, MxHostsInPreferenceOrderWithTheirAddresses) {
  dns::StaticResolver r;
  r.add_mx("example.test", 20, "mx2.example.test");
  r.add_mx("example.test", 10, "mx1.example.test");
  r.add_a("mx1.example.test", "192.0.2.1");
  r.add_aaaa("mx1.example.test", "2001:db8::1");
  r.add_a("mx2.example.test", "192.0.2.2");
  auto route = run(r, "example.test");
  ASSERT_EQ(route.status, RouteStatus::ok);
  ASSERT_EQ(route.hosts.size(), 2u);
  EXPECT_EQ(route.hosts[0].name, "mx1.example.test");
  EXPECT_EQ(route.hosts[0].addresses, (std::vector<std::string>{"192.0.2.1", "2001:db8::1"}));
  EXPECT_EQ(route.hosts[1].name, "mx2.example.test");
  EXPECT_FALSE(route.implicit_mx);
}

TEST(Router, NoMxMeansTheDomainItself) {
  dns::StaticResolver r;
  r.add_a("example.test", "192.0.2.9");
  auto route = run(r, "example.test");
  ASSERT_EQ(route.status, RouteStatus::ok);
  EXPECT_TRUE(route.implicit_mx);
  EXPECT_EQ(route.hosts.at(0).name, "example.test");
  EXPECT_EQ(route.hosts.at(0).addresses.at(0), "192.0.2.9");
}

TEST(Router, NullMxFailsForGood) {
  dns::StaticResolver r;
  r.add_mx("example.test", 0, ".");
  auto route = run(r, "example.test");
  EXPECT_EQ(route.status, RouteStatus::permanent);
  EXPECT_EQ(route.status_code, "5.1.10");
}

TEST(Router, NonexistentDomainFailsForGood) {
  dns::StaticResolver r;
  auto route = run(r, "nowhere.test");
  EXPECT_EQ(route.status, RouteStatus::permanent);
  EXPECT_EQ(route.status_code, "5.1.2");
}

TEST(Router, TemporaryDnsFailuresAreRetried) {
  dns::StaticResolver r;
  r.fail("example.test");
  EXPECT_EQ(run(r, "example.test").status, RouteStatus::temporary);

  dns::StaticResolver r2;  // MX known, its address lookup fails for now
  r2.add_mx("example.test", 10, "mx.example.test");
  r2.fail("mx.example.test");
  auto route = run(r2, "example.test");
  EXPECT_EQ(route.status, RouteStatus::temporary);
  EXPECT_EQ(route.status_code, "4.4.3");
}

TEST(Router, MxWithoutAnyAddressIsUnroutable) {
  dns::StaticResolver r;
  r.add_mx("example.test", 10, "mx.example.test");
  r.add_txt("mx.example.test", "exists, but no address");
  auto route = run(r, "example.test");
  EXPECT_EQ(route.status, RouteStatus::permanent);
  EXPECT_EQ(route.status_code, "5.4.4");
}

TEST(Router, HostsAndAddressesAreCapped) {
  dns::StaticResolver r;
  for (int i = 0; i < 15; ++i) {
    auto host = "mx" + std::to_string(i) + ".example.test";
    r.add_mx("example.test", static_cast<std::uint16_t>(i), host);
    for (int j = 0; j < 6; ++j) r.add_a(host, "192.0.2." + std::to_string(j + 1));
  }
  auto route = run(r, "example.test");
  ASSERT_EQ(route.hosts.size(), 10u);
  EXPECT_EQ(route.hosts[0].addresses.size(), 4u);
}

TEST(Router, AddressLiteralRelayNeedsNoLookup) {
  dns::StaticResolver r;
  asio::io_context io;
  auto f = asio::co_spawn(io, route_host(r, "192.0.2.7"), asio::use_future);
  io.run();
  auto route = f.get();
  ASSERT_EQ(route.status, RouteStatus::ok);
  EXPECT_EQ(route.hosts.at(0).addresses.at(0), "192.0.2.7");
  EXPECT_EQ(r.lookups, 0);
}

TEST(OutboundForm, DropsOnlyTheLeadingReturnPath) {
  EXPECT_EQ(outbound_form("Return-Path: <a@b>\r\nReceived: x\r\n\r\nbody"), "Received: x\r\n\r\nbody");
  EXPECT_EQ(outbound_form("return-path: <a@b>\r\n\tfolded\r\nSubject: s\r\n\r\n"), "Subject: s\r\n\r\n");
  EXPECT_EQ(outbound_form("Subject: s\r\nReturn-Path: <a@b>\r\n\r\n"), "Subject: s\r\nReturn-Path: <a@b>\r\n\r\n");
  EXPECT_EQ(outbound_form(""), "");
}

TEST(OutboundForm, RecipientDomainIsLowerCase) {
  EXPECT_EQ(recipient_domain("Bob@Example.TEST"), "example.test");
  EXPECT_EQ(recipient_domain("\"a@b\"@c.test"), "c.test");
  EXPECT_EQ(recipient_domain("postmaster"), "");
}

}  // namespace
}  // namespace atrium::mail::queue
