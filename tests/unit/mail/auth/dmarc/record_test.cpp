// DMARC record parsing: tag rules, defaults, each tag's values and the §6.6.3 rua fallback.
#include "mail/auth/dmarc/record.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth::dmarc {
namespace {

Record ok(std::string_view text) {
  auto r = parse_record(text);
  const auto* record = std::get_if<Record>(&r);
  if (record == nullptr) {
    ADD_FAILURE() << "rejected: " << text << " (" << to_string(std::get<RecordError>(r).code) << ")";
    return {};
  }
  return *record;
}

RecordError error(std::string_view text) {
  auto r = parse_record(text);
  const auto* e = std::get_if<RecordError>(&r);
  if (e == nullptr) {
    ADD_FAILURE() << "accepted: " << text;
    return {};
  }
  return *e;
}

TEST(DmarcRecord, MinimalRecordHasTheDefaults) {
  const Record r = ok("v=DMARC1; p=none");
  EXPECT_EQ(r.policy, Policy::none);
  EXPECT_FALSE(r.subdomain_policy);
  EXPECT_FALSE(r.nonexistent_policy);
  EXPECT_EQ(r.dkim_alignment, Alignment::relaxed);
  EXPECT_EQ(r.spf_alignment, Alignment::relaxed);
  EXPECT_EQ(r.percent, 100);
  EXPECT_TRUE(r.aggregate_reports.empty());
  EXPECT_TRUE(r.failure_reports.empty());
  EXPECT_EQ(r.failure_options, (FailureOptions{.all_failed = true}));
  EXPECT_EQ(r.report_formats, std::vector<std::string>{"afrf"});
  EXPECT_EQ(r.report_interval, 86400u);
  EXPECT_FALSE(r.policy_assumed);
  EXPECT_EQ(r.effective_subdomain_policy(), Policy::none);
  EXPECT_EQ(r.effective_nonexistent_policy(), Policy::none);
}

TEST(DmarcRecord, EveryTag) {
  const Record r = ok(
      "v=DMARC1; p=reject; sp=quarantine; np=none; adkim=s; aspf=s; pct=25; "
      "rua=mailto:agg@example.com!10m, mailto:agg2@example.net; ruf=mailto:fail@example.com!512; "
      "fo=1:d:s; rf=afrf:iodef; ri=3600");
  EXPECT_EQ(r.policy, Policy::reject);
  EXPECT_EQ(r.subdomain_policy, Policy::quarantine);
  EXPECT_EQ(r.nonexistent_policy, Policy::none);
  EXPECT_EQ(r.dkim_alignment, Alignment::strict);
  EXPECT_EQ(r.spf_alignment, Alignment::strict);
  EXPECT_EQ(r.percent, 25);
  ASSERT_EQ(r.aggregate_reports.size(), 2u);
  EXPECT_EQ(r.aggregate_reports[0], (ReportUri{"mailto:agg@example.com", 10u << 20}));
  EXPECT_EQ(r.aggregate_reports[1], (ReportUri{"mailto:agg2@example.net", std::nullopt}));
  ASSERT_EQ(r.failure_reports.size(), 1u);
  EXPECT_EQ(r.failure_reports[0], (ReportUri{"mailto:fail@example.com", 512}));
  EXPECT_EQ(r.failure_options, (FailureOptions{.any_failed = true, .dkim_failed = true, .spf_failed = true}));
  EXPECT_EQ(r.report_formats, (std::vector<std::string>{"afrf", "iodef"}));
  EXPECT_EQ(r.report_interval, 3600u);
}

TEST(DmarcRecord, SubdomainAndNonexistentFallBack) {
  Record r = ok("v=DMARC1; p=reject");
  EXPECT_EQ(r.effective_subdomain_policy(), Policy::reject);
  EXPECT_EQ(r.effective_nonexistent_policy(), Policy::reject);
  r = ok("v=DMARC1; p=reject; sp=none");
  EXPECT_EQ(r.effective_subdomain_policy(), Policy::none);
  EXPECT_EQ(r.effective_nonexistent_policy(), Policy::none);
  r = ok("v=DMARC1; p=none; np=reject");
  EXPECT_EQ(r.effective_subdomain_policy(), Policy::none);
  EXPECT_EQ(r.effective_nonexistent_policy(), Policy::reject);
}

TEST(DmarcRecord, LenientSpacingCaseAndSeparators) {
  EXPECT_EQ(ok("v=DMARC1;p=reject").policy, Policy::reject);
  EXPECT_EQ(ok("  v = DMARC1 ;  p = Quarantine ;").policy, Policy::quarantine);
  EXPECT_EQ(ok("v=DMARC1; p=REJECT;; adkim=S").dkim_alignment, Alignment::strict);
  EXPECT_EQ(ok("V=DMARC1; P=reject").policy, Policy::reject);
  EXPECT_EQ(ok("v=DMARC1;\tp=reject;\r\n pct=5").percent, 5);
  EXPECT_EQ(ok("v=DMARC1; pct=050; p=none").percent, 50);  // p need not follow v
}

TEST(DmarcRecord, UnknownTagsAreIgnored) {
  const Record r = ok("v=DMARC1; p=reject; psd=n; t=y; x_future=some value here");
  EXPECT_EQ(r.policy, Policy::reject);
}

TEST(DmarcRecord, ErrorsTable) {
  struct Case {
    std::string text;
    RecordErrorCode code;
    std::string tag;
  };
  const Case cases[] = {
      {"", RecordErrorCode::not_dmarc, "v"},
      {"p=reject; v=DMARC1", RecordErrorCode::not_dmarc, "v"},
      {"v=DMARC2; p=reject", RecordErrorCode::not_dmarc, "v"},
      {"v=dmarc1; p=reject", RecordErrorCode::not_dmarc, "v"},  // %x44.4d.41.52.43.31: exact
      {"v=spf1 -all", RecordErrorCode::not_dmarc, "v"},
      {"v=DMARC1 p=reject", RecordErrorCode::not_dmarc, "v"},
      {"v=DMARC1", RecordErrorCode::missing_policy, "p"},
      {"v=DMARC1; sp=reject", RecordErrorCode::missing_policy, "p"},
      {"v=DMARC1; p=block", RecordErrorCode::invalid_policy, "p"},
      {"v=DMARC1; p=", RecordErrorCode::invalid_policy, "p"},
      {"v=DMARC1; p=reject; sp=deny", RecordErrorCode::invalid_subdomain_policy, "sp"},
      {"v=DMARC1; p=reject; adkim=x", RecordErrorCode::invalid_alignment, "adkim"},
      {"v=DMARC1; p=reject; aspf=relaxed", RecordErrorCode::invalid_alignment, "aspf"},
      {"v=DMARC1; p=reject; pct=101", RecordErrorCode::invalid_percent, "pct"},
      {"v=DMARC1; p=reject; pct=-1", RecordErrorCode::invalid_percent, "pct"},
      {"v=DMARC1; p=reject; pct=1000", RecordErrorCode::invalid_percent, "pct"},
      {"v=DMARC1; p=reject; pct=", RecordErrorCode::invalid_percent, "pct"},
      {"v=DMARC1; p=reject; p=none", RecordErrorCode::duplicate_tag, "p"},
      {"v=DMARC1; p=reject; P=none", RecordErrorCode::duplicate_tag, "p"},
      {"v=DMARC1; v=DMARC1; p=reject", RecordErrorCode::duplicate_tag, "v"},
      {"v=DMARC1; p=reject; garbage", RecordErrorCode::syntax, ""},
      {"v=DMARC1; p=reject; =x", RecordErrorCode::syntax, ""},
      {"v=DMARC1; p=reject; 1x=y", RecordErrorCode::syntax, ""},
      {std::string("v=DMARC1; p=reject; x=a\x01z"), RecordErrorCode::syntax, "x"},
      {"v=DMARC1; p=reject; " + std::string(max_record_bytes, 'x'), RecordErrorCode::too_long, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text.substr(0, 60));
    const RecordError e = error(c.text);
    EXPECT_EQ(e.code, c.code) << to_string(e.code);
    EXPECT_EQ(e.tag, c.tag);
  }
}

TEST(DmarcRecord, TooManyTags) {
  std::string text = "v=DMARC1; p=none";
  for (int i = 0; i < 70; ++i) text += "; x" + std::to_string(i) + "=1";
  EXPECT_EQ(error(text).code, RecordErrorCode::too_long);
}

TEST(DmarcRecord, InvalidPolicyWithValidRuaBecomesNone) {
  // RFC 7489 §6.6.3: act as if p=none was published, so reports reach the owner.
  Record r = ok("v=DMARC1; p=blah; rua=mailto:d@example.com");
  EXPECT_EQ(r.policy, Policy::none);
  EXPECT_TRUE(r.policy_assumed);
  r = ok("v=DMARC1; rua=mailto:d@example.com");
  EXPECT_EQ(r.policy, Policy::none);
  EXPECT_TRUE(r.policy_assumed);
  r = ok("v=DMARC1; p=reject; sp=bogus; np=reject; rua=mailto:d@example.com");
  EXPECT_EQ(r.policy, Policy::none);
  EXPECT_FALSE(r.subdomain_policy);
  EXPECT_FALSE(r.nonexistent_policy);
  EXPECT_TRUE(r.policy_assumed);
  // An rua without one valid URI does not rescue the record.
  EXPECT_EQ(error("v=DMARC1; p=blah; rua=not a uri").code, RecordErrorCode::invalid_policy);
  EXPECT_EQ(error("v=DMARC1; rua=").code, RecordErrorCode::missing_policy);
}

TEST(DmarcRecord, ReportingTagsNeverVoidThePolicy) {
  const Record r = ok("v=DMARC1; p=reject; rua=bad uri, mailto:ok@example.com!x, :x, mailto:a@b!2g; "
                      "ruf=; fo=2; rf=af rf; ri=99999999999; np=sometimes");
  EXPECT_EQ(r.policy, Policy::reject);
  ASSERT_EQ(r.aggregate_reports.size(), 1u);
  EXPECT_EQ(r.aggregate_reports[0], (ReportUri{"mailto:a@b", 2ull << 30}));
  EXPECT_TRUE(r.failure_reports.empty());
  EXPECT_EQ(r.failure_options, (FailureOptions{.all_failed = true}));
  EXPECT_EQ(r.report_formats, std::vector<std::string>{"afrf"});
  EXPECT_EQ(r.report_interval, 86400u);
  EXPECT_FALSE(r.nonexistent_policy);
}

TEST(DmarcRecord, ReportUriSizes) {
  const Record r = ok("v=DMARC1; p=none; rua=mailto:a@x.example!1k,mailto:b@x.example!3t,"
                      "https://r.example/report?x=1,mailto:c@x.example!999999999999999");
  ASSERT_EQ(r.aggregate_reports.size(), 3u);
  EXPECT_EQ(r.aggregate_reports[0].max_bytes, 1024u);
  EXPECT_EQ(r.aggregate_reports[1].max_bytes, 3ull << 40);
  EXPECT_EQ(r.aggregate_reports[2].uri, "https://r.example/report?x=1");
  EXPECT_FALSE(r.aggregate_reports[2].max_bytes);
}

TEST(DmarcRecord, IsDmarcRecord) {
  EXPECT_TRUE(is_dmarc_record("v=DMARC1; p=none"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1"));
  EXPECT_TRUE(is_dmarc_record(" v =DMARC1;"));
  EXPECT_TRUE(is_dmarc_record("v=DMARC1; p=nonsense"));  // kept, then fails to parse: permerror
  EXPECT_FALSE(is_dmarc_record("v=spf1 include:example.com -all"));
  EXPECT_FALSE(is_dmarc_record("google-site-verification=abc"));
  EXPECT_FALSE(is_dmarc_record("p=none; v=DMARC1"));
  EXPECT_FALSE(is_dmarc_record(""));
}

}  // namespace
}  // namespace atrium::mail::auth::dmarc
