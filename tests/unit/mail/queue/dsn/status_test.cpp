// Enhanced status codes: syntax, the mapping from SMTP replies, local failures, descriptions.
#include "mail/queue/dsn/status.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::queue {
namespace {

TEST(StatusCode, Syntax) {
  for (std::string_view ok : {"2.0.0", "4.4.7", "5.1.1", "5.1.10", "4.7.10", "5.999.999", "5.01.001"}) {
    EXPECT_TRUE(is_status_code(ok)) << ok;
  }
  for (std::string_view bad : {"", "5", "5.1", "5.1.", "3.1.1", "1.0.0", "5..1", "5.1.1.", "5.1.1 ", " 5.1.1",
                               "5.1000.1", "5.1.1000", "5.a.1", "550", "5,1,1"}) {
    EXPECT_FALSE(is_status_code(bad)) << bad;
  }
}

TEST(StatusFromReply, EnhancedCodeOfTheSameClassIsKept) {
  EXPECT_EQ(status_from_reply(550, "5.1.1", Permanence::permanent), "5.1.1");
  EXPECT_EQ(status_from_reply(550, "5.1.1 <bob@example.com>: Recipient address rejected", Permanence::transient),
            "5.1.1");
  EXPECT_EQ(status_from_reply(452, "4.2.2 Mailbox full", Permanence::permanent), "4.2.2");
  EXPECT_EQ(status_from_reply(250, "2.0.0 Ok: queued as 12345", Permanence::transient), "2.0.0");
  EXPECT_EQ(status_from_reply(554, "  5.7.1 Spam", Permanence::transient), "5.7.1");
  EXPECT_EQ(status_from_reply(556, "5.1.10 Recipient address has null MX", Permanence::transient), "5.1.10");
}

TEST(StatusFromReply, ClassComesFromTheReplyCode) {
  // RFC 3463 §2: the class must agree with the reply; the reply code decides permanence.
  EXPECT_EQ(status_from_reply(550, "4.2.2 Mailbox full", Permanence::transient), "5.2.2");
  EXPECT_EQ(status_from_reply(421, "5.7.0 Go away", Permanence::permanent), "4.7.0");
}

TEST(StatusFromReply, WithoutEnhancedCode) {
  EXPECT_EQ(status_from_reply(550, "", Permanence::transient), "5.0.0");
  EXPECT_EQ(status_from_reply(550, "User unknown", Permanence::transient), "5.0.0");
  EXPECT_EQ(status_from_reply(451, "Try again later", Permanence::permanent), "4.0.0");
  EXPECT_EQ(status_from_reply(250, "Ok", Permanence::permanent), "2.0.0");
  EXPECT_EQ(status_from_reply(550, "5.1.1User", Permanence::transient), "5.0.0");  // not a word of its own
  EXPECT_EQ(status_from_reply(550, "3.1.1 odd", Permanence::transient), "5.0.0");
}

TEST(StatusFromReply, NoUsableReplyCode) {
  EXPECT_EQ(status_from_reply(0, "", Permanence::transient), "4.0.0");
  EXPECT_EQ(status_from_reply(0, "", Permanence::permanent), "5.0.0");
  EXPECT_EQ(status_from_reply(354, "", Permanence::permanent), "5.0.0");
  EXPECT_EQ(status_from_reply(999, "x", Permanence::transient), "4.0.0");
  EXPECT_EQ(status_from_reply(-550, "", Permanence::transient), "4.0.0");
  EXPECT_EQ(status_from_reply(0, "4.4.2 connection dropped", Permanence::permanent), "4.4.2");
}

TEST(LocalFailures, Codes) {
  EXPECT_EQ(local_failure_status(LocalFailure::domain_not_found), "5.1.2");
  EXPECT_EQ(local_failure_status(LocalFailure::no_route), "5.4.4");
  EXPECT_EQ(local_failure_status(LocalFailure::null_mx), "5.1.10");
  EXPECT_EQ(local_failure_status(LocalFailure::dns_temporary), "4.4.3");
  EXPECT_EQ(local_failure_status(LocalFailure::no_answer), "4.4.1");
  EXPECT_EQ(local_failure_status(LocalFailure::connection_lost), "4.4.2");
  EXPECT_EQ(local_failure_status(LocalFailure::routing_loop), "5.4.6");
  EXPECT_EQ(local_failure_status(LocalFailure::expired), "4.4.7");
  EXPECT_EQ(local_failure_status(LocalFailure::tls_unavailable), "4.7.4");
  EXPECT_EQ(local_failure_status(LocalFailure::tls_not_authenticated), "4.7.5");
  EXPECT_EQ(local_failure_status(LocalFailure::message_too_big), "5.3.4");
  EXPECT_EQ(local_failure_status(LocalFailure::conversion_needed), "5.6.3");
  EXPECT_EQ(local_failure_status(LocalFailure::smtputf8_unsupported), "5.6.7");
}

TEST(StatusDescription, Titles) {
  EXPECT_EQ(status_description("5.1.1"), "Bad destination mailbox address");
  EXPECT_EQ(status_description("4.1.1"), "Bad destination mailbox address");
  EXPECT_EQ(status_description("5.1.10"), "Recipient address has null MX");
  EXPECT_EQ(status_description("4.4.7"), "Delivery time expired");
  EXPECT_EQ(status_description("5.01.01"), "Bad destination mailbox address");
  EXPECT_EQ(status_description("5.7.99"), "Security or policy status");
  EXPECT_EQ(status_description("4.9.9"), "Persistent transient failure");
  EXPECT_EQ(status_description("5.123.4"), "Permanent failure");
  EXPECT_EQ(status_description("2.0.0"), "Other undefined status");
  EXPECT_EQ(status_description("nonsense"), "");
  for (auto f : {LocalFailure::domain_not_found, LocalFailure::no_route, LocalFailure::null_mx,
                 LocalFailure::dns_temporary, LocalFailure::no_answer, LocalFailure::connection_lost,
                 LocalFailure::routing_loop, LocalFailure::expired, LocalFailure::tls_unavailable,
                 LocalFailure::tls_not_authenticated, LocalFailure::message_too_big, LocalFailure::conversion_needed,
                 LocalFailure::smtputf8_unsupported}) {
    const std::string_view code = local_failure_status(f);
    EXPECT_TRUE(is_status_code(code)) << code;
    // Every code we emit ourselves has a title of its own, not just its class's.
    EXPECT_NE(status_description(code), "Permanent failure") << code;
    EXPECT_NE(status_description(code), "Persistent transient failure") << code;
  }
}

}  // namespace
}  // namespace atrium::mail::queue
