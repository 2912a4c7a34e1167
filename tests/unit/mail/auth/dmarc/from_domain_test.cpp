// From-domain extraction from raw header blocks.
#include "mail/auth/dmarc/from_domain.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace atrium::mail::auth::dmarc {
namespace {

using Domains = std::vector<std::string>;

TEST(DmarcFromDomains, OneMailbox) {
  const FromDomains f = from_domains(
      "Received: from x by y\r\n"
      "From: \"Alice, Example\" <alice@Mail.Example.COM.>\r\n"
      "To: bob@example.net\r\n"
      "\r\n"
      "From: body@not-a-header.example\r\n");
  EXPECT_EQ(f.domains, Domains{"mail.example.com"});
  EXPECT_EQ(f.fields, 1u);
  EXPECT_EQ(f.mailboxes, 1u);
}

TEST(DmarcFromDomains, FoldedAndCommented) {
  const FromDomains f = from_domains(
      "from:\r\n (the author) Alice\r\n <alice (home) @ example.org>\r\nSubject: x\r\n\r\n");
  EXPECT_EQ(f.domains, Domains{"example.org"});
}

TEST(DmarcFromDomains, BareAddressAndLfLineEnds) {
  const FromDomains f = from_domains("From: alice@example.org (Alice)\nTo: b@example.net\n\nbody");
  EXPECT_EQ(f.domains, Domains{"example.org"});
}

TEST(DmarcFromDomains, SeveralMailboxesDistinctDomains) {
  const FromDomains f = from_domains(
      "From: a@example.com, B <b@EXAMPLE.com>, c@example.net\r\n\r\n");
  EXPECT_EQ(f.domains, (Domains{"example.com", "example.net"}));
  EXPECT_EQ(f.mailboxes, 3u);
  EXPECT_EQ(f.fields, 1u);
}

TEST(DmarcFromDomains, SeveralFromFields) {
  const FromDomains f = from_domains("From: a@example.com\r\nFrom: b@example.org\r\n\r\n");
  EXPECT_EQ(f.domains, (Domains{"example.com", "example.org"}));
  EXPECT_EQ(f.fields, 2u);
}

TEST(DmarcFromDomains, GroupMembersCount) {
  const FromDomains f = from_domains("From: Team: a@example.com, b@example.org;\r\n\r\n");
  EXPECT_EQ(f.domains, (Domains{"example.com", "example.org"}));
  EXPECT_EQ(f.mailboxes, 2u);
}

TEST(DmarcFromDomains, NoFromField) {
  const FromDomains f = from_domains("To: a@example.com\r\nSubject: hi\r\n\r\n");
  EXPECT_TRUE(f.domains.empty());
  EXPECT_EQ(f.fields, 0u);
  EXPECT_TRUE(from_domains("").domains.empty());
}

TEST(DmarcFromDomains, UnusableDomainsAreReportedAsWritten) {
  EXPECT_EQ(from_domains("From: alice\r\n\r\n").domains, Domains{""});
  EXPECT_EQ(from_domains("From: <alice@[192.0.2.1]>\r\n\r\n").domains, Domains{"[192.0.2.1]"});
  const FromDomains empty_group = from_domains("From: undisclosed-recipients:;\r\n\r\n");
  EXPECT_TRUE(empty_group.domains.empty());
  EXPECT_EQ(empty_group.fields, 1u);
  EXPECT_EQ(empty_group.mailboxes, 0u);
}

TEST(DmarcFromDomains, BoundedDomainCount) {
  std::string from = "From: ";
  for (int i = 0; i < 100; ++i) from += "u@d" + std::to_string(i) + ".example, ";
  const FromDomains f = from_domains(from + "last@x.example\r\n\r\n");
  EXPECT_EQ(f.domains.size(), max_from_domains);
  EXPECT_EQ(f.mailboxes, 101u);
}

}  // namespace
}  // namespace atrium::mail::auth::dmarc
