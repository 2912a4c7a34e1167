// The trace fields byte for byte: Return-Path, Received clauses, RFC 3848 keywords, and that
// hostile envelope values cannot break out of their field.
#include "mail/delivery/trace.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::delivery {
namespace {

constexpr std::int64_t k_time = 1709647387;  // Tue, 05 Mar 2024 14:03:07 UTC

Envelope envelope() {
  Envelope env;
  env.reverse_path = "sender@remote.test";
  env.recipients = {{"a@example.test"}};
  env.helo = "mail.remote.test";
  env.peer_ip = "192.0.2.7";
  env.protocol = Protocol::esmtp;
  return env;
}

TEST(Trace, FormatsTheDateAsRfc5322InUtc) {
  EXPECT_EQ(rfc5322_date(k_time), "Tue, 05 Mar 2024 14:03:07 +0000");
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(Trace, PlainEsmtpForOneRecipient) {
  EXPECT_EQ(trace_fields(envelope(), {"mx.example.test", "0123ABCD", k_time}),
            "Return-Path: <sender@remote.test>\r\n"
            "Received: from mail.remote.test ([192.0.2.7])\r\n"
            "\tby mx.example.test (Atrium) with ESMTP id 0123ABCD\r\n"
            "\tfor <a@example.test>; Tue, 05 Mar 2024 14:03:07 +0000\r\n");
}

TEST(Trace, TlsAndAuthenticationAndSeveralRecipients) {
  auto env = envelope();
  env.tls = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384";
  env.authenticated = AuthenticatedUser{7, "a@example.test"};
  env.recipients.push_back({"b@example.test"});
  env.reverse_path.clear();
  env.peer_ip = "2001:db8::25";
  EXPECT_EQ(trace_fields(env, {"mx.example.test", "ID1", k_time}),
            "Return-Path: <>\r\n"
            "Received: from mail.remote.test ([IPv6:2001:db8::25])\r\n"
            "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n"
            "\tby mx.example.test (Atrium) with ESMTPSA id ID1; Tue, 05 Mar 2024 14:03:07 +0000\r\n");
}

TEST(Trace, WithKeywordsFollowRfc3848) {
  auto env = envelope();
  EXPECT_EQ(with_keyword(env), "ESMTP");
  env.tls = "TLSv1.2";
  EXPECT_EQ(with_keyword(env), "ESMTPS");
  env.authenticated = AuthenticatedUser{1, "a@example.test"};
  EXPECT_EQ(with_keyword(env), "ESMTPSA");
  env.tls.clear();
  EXPECT_EQ(with_keyword(env), "ESMTPA");
  env.protocol = Protocol::lmtp;
  env.authenticated.reset();
  EXPECT_EQ(with_keyword(env), "LMTP");
  env.tls = "TLSv1.3";
  EXPECT_EQ(with_keyword(env), "LMTPS");
  env.protocol = Protocol::smtp;
  EXPECT_EQ(with_keyword(env), "SMTP");
}

TEST(Trace, HostileValuesStayInsideTheirClauses) {
  auto env = envelope();
  env.helo = "evil)\r\nX-Injected: yes (";
  env.reverse_path = "a>\r\nBcc: x@y.test";
  env.recipients = {{"b@example.test>\nX-Other: 1"}};
  env.peer_ip = "1.2.3.4]\r\n";
  env.tls = "TLSv1.3 (fake) \\";
  auto out = trace_fields(env, {"mx.example.test", "ID", k_time});
  // Exactly the lines we write: every line break is ours, followed by a tab or a new field.
  std::size_t breaks = 0;
  for (std::size_t i = out.find("\r\n"); i != std::string::npos; i = out.find("\r\n", i + 2)) {
    ++breaks;
    ASSERT_TRUE(i + 2 == out.size() || out[i + 2] == '\t' || out.compare(i + 2, 9, "Received:") == 0) << out;
  }
  EXPECT_EQ(breaks, 5u);
  EXPECT_EQ(out.find('\n'), out.find("\r\n") + 1);
  EXPECT_NE(out.find("from evil___X-Injected:_yes__ ([1.2.3.4])"), std::string::npos) << out;
  EXPECT_NE(out.find("Return-Path: <a___Bcc: x@y.test>\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("(using TLSv1.3 _fake_ _)"), std::string::npos) << out;
}

TEST(Trace, Utf8PathsSurviveOnlyWithSmtputf8) {
  auto env = envelope();
  env.reverse_path = "j\xC3\xB6rg@remote.test";
  EXPECT_NE(trace_fields(env, {"mx", "ID", k_time}).find("<j__rg@remote.test>"), std::string::npos);
  env.smtputf8 = true;
  EXPECT_NE(trace_fields(env, {"mx", "ID", k_time}).find("<j\xC3\xB6rg@remote.test>"), std::string::npos);
}

}  // namespace
}  // namespace atrium::mail::delivery
