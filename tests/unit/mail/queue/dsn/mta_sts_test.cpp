// MTA-STS (RFC 8461): TXT records, policy files, MX matching and the cache rules.
#include "mail/queue/dsn/mta_sts.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::queue {
namespace {

using namespace std::literals;

StsRecord record(std::string_view txt) {
  auto r = parse_sts_record(txt);
  EXPECT_TRUE(std::holds_alternative<StsRecord>(r)) << txt;
  return std::holds_alternative<StsRecord>(r) ? std::get<StsRecord>(r) : StsRecord{};
}

StsRecordError record_error(std::string_view txt) {
  auto r = parse_sts_record(txt);
  EXPECT_TRUE(std::holds_alternative<StsRecordError>(r)) << txt;
  return std::holds_alternative<StsRecordError>(r) ? std::get<StsRecordError>(r) : StsRecordError::none;
}

StsPolicy policy(std::string_view body) {
  auto r = parse_sts_policy(body);
  EXPECT_TRUE(std::holds_alternative<StsPolicy>(r)) << body;
  return std::holds_alternative<StsPolicy>(r) ? std::get<StsPolicy>(r) : StsPolicy{};
}

StsPolicyError policy_error(std::string_view body) {
  auto r = parse_sts_policy(body);
  EXPECT_TRUE(std::holds_alternative<StsPolicyError>(r)) << body;
  return std::holds_alternative<StsPolicyError>(r) ? std::get<StsPolicyError>(r) : StsPolicyError::too_long;
}

// ---- TXT records ----

TEST(StsRecord, Rfc8461Example) {
  // §3.1: "_mta-sts.example.com.  IN TXT "v=STSv1; id=20160831085700Z;""
  EXPECT_EQ(record("v=STSv1; id=20160831085700Z;").id, "20160831085700Z");
}

TEST(StsRecord, Variants) {
  EXPECT_EQ(record("v=STSv1;id=abc").id, "abc");
  EXPECT_EQ(record("v=STSv1; id=abc").id, "abc");
  EXPECT_EQ(record("v=STSv1 ; id=abc ;").id, "abc");
  EXPECT_EQ(record("v=STSv1;\tid=abc;  ").id, "abc");
  EXPECT_EQ(record("v=STSv1; ext_1=some-value; id=XyZ09").id, "XyZ09");
  EXPECT_EQ(record("v=STSv1; id=abc; future.key=a:b/c").id, "abc");
  EXPECT_EQ(record("v=STSv1; id=" + std::string(32, '7')).id, std::string(32, '7'));
}

TEST(StsRecord, Rejected) {
  EXPECT_EQ(record_error(""), StsRecordError::not_sts);
  EXPECT_EQ(record_error("v=spf1 -all"), StsRecordError::not_sts);
  EXPECT_EQ(record_error("v=stsv1; id=abc"), StsRecordError::not_sts);  // the version is case-sensitive
  EXPECT_EQ(record_error("v=STSv10; id=abc"), StsRecordError::not_sts);
  EXPECT_EQ(record_error(" v=STSv1; id=abc"), StsRecordError::not_sts);
  EXPECT_EQ(record_error("id=abc; v=STSv1"), StsRecordError::not_sts);
  EXPECT_EQ(record_error("v=STSv1"), StsRecordError::missing_id);
  EXPECT_EQ(record_error("v=STSv1;"), StsRecordError::missing_id);
  EXPECT_EQ(record_error("v=STSv1; ID=abc"), StsRecordError::missing_id);  // %s"id="
  EXPECT_EQ(record_error("v=STSv1; id="), StsRecordError::bad_id);
  EXPECT_EQ(record_error("v=STSv1; id=" + std::string(33, 'a')), StsRecordError::bad_id);
  EXPECT_EQ(record_error("v=STSv1; id=2016-08-31"), StsRecordError::bad_id);
  EXPECT_EQ(record_error("v=STSv1; id=abc; id=def"), StsRecordError::duplicate_id);
  EXPECT_EQ(record_error("v=STSv1 id=abc"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id=abc def"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1;; id=abc"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id=abc; _x=1"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id=abc; x="), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id=abc; x=a=b"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id=abc; " + std::string(33, 'x') + "=1"), StsRecordError::syntax);
  EXPECT_EQ(record_error("v=STSv1; id=abc\r\n"), StsRecordError::bad_id);
  EXPECT_EQ(record_error("v=STSv1; id=abc; x=" + std::string(max_sts_record_size, 'y')), StsRecordError::too_long);
}

TEST(StsRecord, Selection) {
  using V = std::vector<std::string>;
  auto selected = [](const V& v) { return select_sts_record(v); };
  EXPECT_EQ(std::get<StsRecord>(selected(V{"v=spf1 -all", "v=STSv1; id=one"})).id, "one");
  EXPECT_EQ(std::get<StsRecordError>(selected(V{})), StsRecordError::none);
  EXPECT_EQ(std::get<StsRecordError>(selected(V{"v=spf1 -all", "google-site-verification=x"})), StsRecordError::none);
  EXPECT_EQ(std::get<StsRecordError>(selected(V{"v=STSv1; id=one", "v=STSv1; id=two"})), StsRecordError::multiple);
  // A record that starts like STSv1 but is malformed still counts, and makes the answer invalid.
  EXPECT_EQ(std::get<StsRecordError>(selected(V{"v=STSv1; id=", "other"})), StsRecordError::bad_id);
  EXPECT_EQ(std::get<StsRecordError>(selected(V{"v=STSv1 bogus", "v=STSv1; id=a"})), StsRecordError::multiple);
  // "v=STSv10" is not the version: discarded, not counted.
  EXPECT_EQ(std::get<StsRecord>(selected(V{"v=STSv10; id=x", "v=STSv1; id=a"})).id, "a");
}

TEST(StsRecord, Names) {
  EXPECT_EQ(sts_record_name("Example.COM."), "_mta-sts.example.com");
  EXPECT_EQ(policy_url("example.com"), "https://mta-sts.example.com/.well-known/mta-sts.txt");
  EXPECT_EQ(policy_url("Example.Com."), "https://mta-sts.example.com/.well-known/mta-sts.txt");
  EXPECT_EQ(policy_url("xn--bcher-kva.example"), "https://mta-sts.xn--bcher-kva.example/.well-known/mta-sts.txt");
}

// ---- Policies ----

constexpr std::string_view rfc_example =
    "version: STSv1\r\n"
    "mode: enforce\r\n"
    "mx: mail.example.com\r\n"
    "mx: *.example.net\r\n"
    "mx: backupmx.example.com\r\n"
    "max_age: 604800\r\n";

TEST(StsPolicy, Rfc8461Example) {
  const StsPolicy p = policy(rfc_example);
  EXPECT_EQ(p.mode, StsMode::enforce);
  EXPECT_EQ(p.mx, (std::vector<std::string>{"mail.example.com", "*.example.net", "backupmx.example.com"}));
  EXPECT_EQ(p.max_age, 604800);
}

TEST(StsPolicy, LineEndsOrderAndBlanks) {
  const StsPolicy crlf = policy(rfc_example);
  std::string lf(rfc_example);
  std::erase(lf, '\r');
  EXPECT_EQ(policy(lf), crlf);
  EXPECT_EQ(policy(lf.substr(0, lf.size() - 1)), crlf);  // no final line end
  EXPECT_EQ(policy("max_age: 604800\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\n"
                   "mode: enforce\nversion: STSv1\n"),
            crlf);
  EXPECT_EQ(policy("version:STSv1\nmode:\tenforce  \nmx: MAIL.Example.COM\nmx: *.example.net\n"
                   "mx: backupmx.example.com\nmax_age: 604800\t\n\n"),
            crlf);
  EXPECT_EQ(policy("\nversion: STSv1\n\nmode: testing\r\nmx: a.example\nmax_age: 0").mode, StsMode::testing);
}

TEST(StsPolicy, ModeNoneNeedsNoMx) {
  const StsPolicy p = policy("version: STSv1\nmode: none\nmax_age: 86400\n");
  EXPECT_EQ(p.mode, StsMode::none);
  EXPECT_TRUE(p.mx.empty());
  EXPECT_EQ(p.max_age, 86400);
}

TEST(StsPolicy, UnknownKeysAreIgnored) {
  const StsPolicy p = policy(
      "version: STSv1\nmode: enforce\nmx: mx.example.org\nmax_age: 31557600\n"
      "x-note: anything goes: even colons\nfuture.field: caf\xC3\xA9 au lait\nVersion: STSv2\n");
  EXPECT_EQ(p.max_age, max_sts_max_age);
  EXPECT_EQ(p.mx, (std::vector<std::string>{"mx.example.org"}));
}

TEST(StsPolicy, Rejected) {
  EXPECT_EQ(policy_error(""), StsPolicyError::missing_version);
  EXPECT_EQ(policy_error("mode: enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::missing_version);
  EXPECT_EQ(policy_error("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_version);
  EXPECT_EQ(policy_error("version: stsv1\nmode: enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_version);
  EXPECT_EQ(policy_error("version: STSv1 extra\nmode: enforce\nmx: a.example\nmax_age: 1\n"),
            StsPolicyError::bad_version);
  EXPECT_EQ(policy_error("Version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n"),
            StsPolicyError::missing_version);
  EXPECT_EQ(policy_error("version : STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_line);
  EXPECT_EQ(policy_error(" version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_line);
  EXPECT_EQ(policy_error("version: STSv1\nversion: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n"),
            StsPolicyError::duplicate_field);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmode: testing\nmx: a.example\nmax_age: 1\n"),
            StsPolicyError::duplicate_field);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nmax_age: 2\n"),
            StsPolicyError::duplicate_field);
  EXPECT_EQ(policy_error("version: STSv1\nmx: a.example\nmax_age: 1\n"), StsPolicyError::missing_mode);
  EXPECT_EQ(policy_error("version: STSv1\nmode: Enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_mode);
  EXPECT_EQ(policy_error("version: STSv1\nmode: report\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_mode);
  EXPECT_EQ(policy_error("version: STSv1\nmode:\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_mode);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\n"), StsPolicyError::missing_max_age);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n"),
            StsPolicyError::bad_max_age);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1d\n"),
            StsPolicyError::bad_max_age);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n"),
            StsPolicyError::bad_max_age);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n"),
            StsPolicyError::max_age_too_large);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 9999999999\n"),
            StsPolicyError::max_age_too_large);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmax_age: 1\n"), StsPolicyError::missing_mx);
  EXPECT_EQ(policy_error("version: STSv1\nmode: testing\nmax_age: 1\n"), StsPolicyError::missing_mx);
  for (std::string_view bad : {"*", "*.", "a.*.example", "**.example", "-a.example", "a-.example", "a..example",
                               "a.example.", "a_b.example", "mx.example.com extra", "*example.com", "192.0.2.1:25",
                               "m\xC3\xA4il.example"}) {
    EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: " + std::string(bad) + "\nmax_age: 1\n"),
              StsPolicyError::bad_mx)
        << bad;
  }
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nno colon here\n"),
            StsPolicyError::bad_line);
  EXPECT_EQ(policy_error("version: STSv1\rmode: enforce\nmx: a.example\nmax_age: 1\n"), StsPolicyError::bad_line);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nx: a\0b\n"sv),
            StsPolicyError::bad_line);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nx: \xFF\n"),
            StsPolicyError::bad_line);
  EXPECT_EQ(policy_error("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\nx:\n"), StsPolicyError::bad_line);
  std::string big = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n";
  big += "x: " + std::string(max_sts_policy_size, 'a') + "\n";
  EXPECT_EQ(policy_error(big), StsPolicyError::too_long);
}

TEST(StsPolicy, LongButLegalMxLists) {
  std::string body = "version: STSv1\nmode: enforce\nmax_age: 86400\n";
  for (int i = 0; i < 1000; ++i) body += "mx: mx" + std::to_string(i) + ".example.com\n";
  ASSERT_LE(body.size(), max_sts_policy_size);
  const StsPolicy p = policy(body);
  EXPECT_EQ(p.mx.size(), 1000u);
  EXPECT_TRUE(mx_matches(p, "mx999.example.com"));
}

TEST(StsPolicy, ErrorsHaveText) {
  EXPECT_EQ(to_string(StsPolicyError::max_age_too_large), "max_age over 31557600");
  EXPECT_EQ(to_string(StsRecordError::multiple), "more than one STSv1 record");
  EXPECT_EQ(to_string(StsMode::testing), "testing");
}

// ---- MX matching (§4.1) ----

TEST(MxMatches, ExactAndWildcard) {
  const StsPolicy p = policy(rfc_example);
  EXPECT_TRUE(mx_matches(p, "mail.example.com"));
  EXPECT_TRUE(mx_matches(p, "MAIL.Example.Com"));
  EXPECT_TRUE(mx_matches(p, "mail.example.com."));
  EXPECT_TRUE(mx_matches(p, "backupmx.example.com"));
  EXPECT_FALSE(mx_matches(p, "example.com"));
  EXPECT_FALSE(mx_matches(p, "mail2.example.com"));
  EXPECT_FALSE(mx_matches(p, "xmail.example.com"));
  EXPECT_FALSE(mx_matches(p, "mail.example.com.evil"));
  // "*.example.net" matches one leftmost label only.
  EXPECT_TRUE(mx_matches(p, "mx1.example.net"));
  EXPECT_TRUE(mx_matches(p, "MX1.EXAMPLE.NET."));
  EXPECT_FALSE(mx_matches(p, "example.net"));
  EXPECT_FALSE(mx_matches(p, ".example.net"));
  EXPECT_FALSE(mx_matches(p, "a.b.example.net"));
  EXPECT_FALSE(mx_matches(p, "mx1.example.net.evil"));
  EXPECT_FALSE(mx_matches(p, "mx1example.net"));
  EXPECT_FALSE(mx_matches(p, ""));
  EXPECT_FALSE(mx_matches(p, "."));
}

TEST(MxMatches, PatternValidity) {
  EXPECT_TRUE(is_mx_pattern("mail.example.com"));
  EXPECT_TRUE(is_mx_pattern("*.example.com"));
  EXPECT_TRUE(is_mx_pattern("localhost"));
  EXPECT_TRUE(is_mx_pattern("xn--bcher-kva.example"));
  EXPECT_FALSE(is_mx_pattern("*.*.example.com"));
  EXPECT_FALSE(is_mx_pattern(std::string(64, 'a') + ".example"));
  EXPECT_TRUE(is_mx_pattern(std::string(63, 'a') + ".example"));
  std::string long_name;
  while (long_name.size() < 250) long_name += "abcdefghi.";
  long_name += "example";
  EXPECT_FALSE(is_mx_pattern(long_name));
}

// ---- Caching (§5.1) ----

constexpr std::int64_t t0 = 1'700'000'000;

CachedStsPolicy cached(std::string id, std::int64_t fetched_at, std::int64_t max_age) {
  CachedStsPolicy c;
  c.policy = policy(rfc_example);
  c.policy.max_age = max_age;
  c.id = std::move(id);
  c.fetched_at = fetched_at;
  return c;
}

TEST(StsCache, Expiry) {
  const CachedStsPolicy c = cached("a", t0, 86400);
  EXPECT_EQ(c.expires_at(), t0 + 86400);
  EXPECT_FALSE(c.expired(t0 + 86399));
  EXPECT_TRUE(c.expired(t0 + 86400));
  EXPECT_EQ(cached("a", INT64_MAX - 5, 86400).expires_at(), INT64_MAX);
}

TEST(StsCache, RefreshWhenTheIdChanges) {
  const CachedStsPolicy c = cached("20160831085700Z", t0, 86400);
  EXPECT_FALSE(needs_refresh(c, StsRecord{"20160831085700Z"}, t0 + 10));
  EXPECT_TRUE(needs_refresh(c, StsRecord{"20170101000000Z"}, t0 + 10));
  EXPECT_TRUE(needs_refresh(c, StsRecord{"20160831085700z"}, t0 + 10));  // ids compare exactly
  EXPECT_TRUE(needs_refresh(c, StsRecord{"20160831085700Z"}, t0 + 86400));
}

TEST(StsCache, Plan) {
  const std::optional<StsRecord> same{StsRecord{"a"}};
  const std::optional<StsRecord> other{StsRecord{"b"}};
  const std::optional<StsRecord> no_record;
  const std::optional<CachedStsPolicy> fresh = cached("a", t0, 86400);
  const std::optional<CachedStsPolicy> none;
  EXPECT_EQ(plan_sts(none, no_record, t0), StsPlan::no_policy);
  EXPECT_EQ(plan_sts(none, same, t0), StsPlan::fetch);
  EXPECT_EQ(plan_sts(fresh, same, t0 + 100), StsPlan::use_cached);
  EXPECT_EQ(plan_sts(fresh, other, t0 + 100), StsPlan::fetch);
  // The TXT record vanished or the lookup failed: the cached policy stays in force until it expires.
  EXPECT_EQ(plan_sts(fresh, no_record, t0 + 100), StsPlan::use_cached);
  EXPECT_EQ(plan_sts(fresh, no_record, t0 + 86400), StsPlan::no_policy);
  EXPECT_EQ(plan_sts(fresh, same, t0 + 86400), StsPlan::fetch);
}

}  // namespace
}  // namespace atrium::mail::queue
