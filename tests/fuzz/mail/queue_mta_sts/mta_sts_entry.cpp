// Fuzz entry: the MTA-STS record and policy parsers, MX matching and the cache plan.
#include "tests/fuzz/mail/queue_mta_sts/fuzz_entries.hpp"

#include "mail/queue/dsn/mta_sts.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::queue::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "mta-sts fuzz: %s\n", what);
  std::abort();
}

bool is_lower(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The policy written back as a file, in a fixed field order.
std::string format(const StsPolicy& p) {
  std::string out = "version: STSv1\nmode: " + std::string(to_string(p.mode)) + "\n";
  for (const std::string& mx : p.mx) out += "mx: " + mx + "\n";
  out += "max_age: " + std::to_string(p.max_age) + "\n";
  return out;
}

void check_policy(std::string_view in) {
  auto r = parse_sts_policy(in);
  if (in.size() > max_sts_policy_size) {
    require(std::holds_alternative<StsPolicyError>(r) && std::get<StsPolicyError>(r) == StsPolicyError::too_long,
            "accepted a policy over the size cap");
    return;
  }
  const auto* p = std::get_if<StsPolicy>(&r);
  if (p == nullptr) return;
  require(p->max_age >= 0 && p->max_age <= max_sts_max_age, "max_age out of range");
  require(p->mode == StsMode::none || !p->mx.empty(), "enforce/testing policy without mx");
  for (const std::string& mx : p->mx) {
    require(is_mx_pattern(mx), "stored an invalid mx pattern");
    require(is_lower(mx), "stored an mx pattern that is not lower case");
    std::string host = mx;
    if (host.starts_with("*.")) host.replace(0, 1, "x");
    require(mx_matches(*p, host), "a host made from a pattern does not match it");
    require(mx_matches(*p, host + "."), "the trailing dot of an MX name changes matching");
    if (mx.starts_with("*.")) {
      // One more label on the left never matches through this wildcard; an exact pattern or
      // another wildcard may still match it, so check against this pattern alone.
      StsPolicy alone = *p;
      alone.mx = {mx};
      require(!mx_matches(alone, "y." + host), "a wildcard matched two labels");
      require(!mx_matches(alone, mx.substr(2)), "a wildcard matched its own base");
    }
  }
  auto again = parse_sts_policy(format(*p));
  require(std::holds_alternative<StsPolicy>(again) && std::get<StsPolicy>(again) == *p,
          "policy does not survive being written back");

  // A cached copy lives exactly max_age seconds.
  CachedStsPolicy cached{*p, "fuzz", 1000};
  const std::optional<StsRecord> same{StsRecord{"fuzz"}};
  require(plan_sts(cached, same, 1000 + p->max_age - 1) == StsPlan::use_cached,
          "cached policy expired early or late");
  require(plan_sts(cached, same, 1000 + p->max_age) == StsPlan::fetch, "expired policy used");
  require(plan_sts(cached, std::nullopt, 1000 + p->max_age) == StsPlan::no_policy, "expired policy kept");
}

void check_record(std::string_view in) {
  auto r = parse_sts_record(in);
  if (in.size() > max_sts_record_size) {
    require(std::holds_alternative<StsRecordError>(r) && std::get<StsRecordError>(r) == StsRecordError::too_long,
            "accepted a record over the size cap");
    return;
  }
  const auto* rec = std::get_if<StsRecord>(&r);
  if (rec == nullptr) return;
  require(in.starts_with("v=STSv1"), "accepted a record without the version first");
  require(!rec->id.empty() && rec->id.size() <= max_sts_id_length, "id length out of range");
  require(std::all_of(rec->id.begin(), rec->id.end(),
                      [](char c) {
                        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                      }),
          "id is not alphanumeric");
  auto again = parse_sts_record("v=STSv1; id=" + rec->id + ";");
  require(std::holds_alternative<StsRecord>(again) && std::get<StsRecord>(again) == *rec,
          "id does not re-parse to itself");
}

void check_selection(std::string_view in) {
  std::vector<std::string> records;
  std::size_t pos = 0;
  while (pos <= in.size() && records.size() < 64) {
    const std::size_t lf = in.find('\n', pos);
    records.emplace_back(in.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos));
    if (lf == std::string_view::npos) break;
    pos = lf + 1;
  }
  auto r = select_sts_record(records);
  if (const auto* rec = std::get_if<StsRecord>(&r)) {
    const auto n = std::count_if(records.begin(), records.end(),
                                 [](const std::string& s) { return std::holds_alternative<StsRecord>(parse_sts_record(s)); });
    require(n == 1, "selected a record although not exactly one is valid");
    require(!rec->id.empty(), "selected a record without id");
  }
}

}  // namespace

int mta_sts_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_policy(in);
  check_record(in);
  check_selection(in);
  // Any bytes as an MX host name must be answered without fault.
  StsPolicy p;
  p.mx = {"mail.example.com", "*.example.net"};
  (void)mx_matches(p, in);
  (void)policy_url(in.substr(0, 300));
  return 0;
}

}  // namespace atrium::mail::queue::fuzz
