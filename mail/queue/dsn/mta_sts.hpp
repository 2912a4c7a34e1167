// MTA-STS (RFC 8461): the "_mta-sts" TXT record, the policy file, MX pattern matching and the
// caching rules. Pure: the delivery worker looks the TXT record up, fetches the policy over
// HTTPS (no redirects, PKIX-valid certificate for mta-sts.<domain>, §3.3) and feeds the bytes in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::queue {

// §3.3: "senders SHOULD impose a limit on the response size"; 64 KiB as the RFC suggests.
inline constexpr std::size_t max_sts_policy_size = 64 * 1024;
// §3.2: max_age is at most 31557600 seconds (about one year).
inline constexpr std::int64_t max_sts_max_age = 31557600;
// §3.1: the id is 1 to 32 letters and digits.
inline constexpr std::size_t max_sts_id_length = 32;
// A TXT record longer than this is not an MTA-STS record (the grammar allows any number of
// extensions; real records are a few dozen bytes).
inline constexpr std::size_t max_sts_record_size = 4096;

// ---- The TXT record at _mta-sts.<domain> (§3.1) ----

struct StsRecord {
  std::string id;  // 1..32 ASCII letters and digits, as published (compared case-sensitively)
  friend bool operator==(const StsRecord&, const StsRecord&) = default;
};

enum class StsRecordError {
  not_sts,       // does not start with the version "v=STSv1" (case-sensitive)
  syntax,        // a field that is not name=value, a bad field name, blanks in the wrong place
  missing_id,    // no id field
  bad_id,        // id empty, too long or not alphanumeric
  duplicate_id,  // more than one id field
  too_long,      // over max_sts_record_size
  none,          // select_sts_record: no record starts with v=STSv1
  multiple,      // select_sts_record: more than one record starts with v=STSv1
};

std::string_view to_string(StsRecordError e);

// "_mta-sts.<domain>", the name to query for TXT (trailing dot of `domain` dropped, lower case).
std::string sts_record_name(std::string_view domain);

// Parses one TXT record (its character-strings already concatenated) per the §3.1 grammar:
// "v=STSv1" first, then ";"-separated fields with optional blanks around the ";", an optional
// final ";" (trailing blanks tolerated). Unknown extension fields are checked for syntax and
// ignored.
std::variant<StsRecord, StsRecordError> parse_sts_record(std::string_view txt);

// §3.1 over every TXT record of the name: records not starting with "v=STSv1" are discarded;
// exactly one must remain (else `none` / `multiple`) and it must parse.
std::variant<StsRecord, StsRecordError> select_sts_record(const std::vector<std::string>& txt_records);

// ---- The policy file (§3.2) ----

enum class StsMode { enforce, testing, none };

std::string_view to_string(StsMode m);

struct StsPolicy {
  StsMode mode = StsMode::none;
  // The "mx" patterns in order, lower case, without a trailing dot: "mail.example.com" or a
  // wildcard "*.example.net". Non-empty unless mode is none.
  std::vector<std::string> mx;
  std::int64_t max_age = 0;  // seconds, 0..max_sts_max_age
  friend bool operator==(const StsPolicy&, const StsPolicy&) = default;
};

enum class StsPolicyError {
  too_long,           // over max_sts_policy_size
  bad_line,           // a line that is not "key:" value per the grammar, bare CR, NUL, bad UTF-8
  missing_version,    // no "version" field
  bad_version,        // version is not exactly "STSv1"
  duplicate_field,    // version, mode or max_age given twice
  missing_mode,
  bad_mode,           // not exactly enforce, testing or none
  missing_max_age,
  bad_max_age,        // not 1 to 10 digits
  max_age_too_large,  // over max_sts_max_age
  bad_mx,             // an mx value that is not a domain or "*." + domain
  missing_mx,         // mode enforce or testing without any mx
};

std::string_view to_string(StsPolicyError e);

// "https://mta-sts.<domain>/.well-known/mta-sts.txt" (§3.3), domain lower-cased, trailing dot
// dropped. The domain is the recipient domain as an A-label; it is not validated here.
std::string policy_url(std::string_view domain);

// Parses a policy body: "key: value" lines ending in LF or CRLF (the last line's end optional),
// keys case-sensitive. Strict where the RFC is: version must be present and exactly STSv1, mode
// one of the three values, max_age digits only and at most max_sts_max_age, version/mode/max_age
// at most once, each mx a valid pattern. Lenient where deployed files vary harmlessly: fields in
// any order, blanks after the value, empty lines. Unknown keys are checked for syntax and ignored
// (§3.2). Never throws; work is linear in the size, which is capped.
std::variant<StsPolicy, StsPolicyError> parse_sts_policy(std::string_view body);

// §4.1: whether `mx_host` (an MX exchange name, trailing dot allowed, any case) matches one of
// the policy's patterns: an exact name matches itself; "*.example.com" matches exactly one more
// label on the left ("mail.example.com", not "example.com" nor "a.b.example.com"). The mode is
// not considered: the caller decides what a mismatch means (enforce: do not deliver there;
// testing: report and deliver; none: ignore).
bool mx_matches(const StsPolicy& policy, std::string_view mx_host);

// Whether `pattern` is a valid mx pattern as the policy grammar allows (["*."] Domain).
bool is_mx_pattern(std::string_view pattern);

// ---- Caching (§5.1) ----

struct CachedStsPolicy {
  StsPolicy policy;
  std::string id;               // the TXT record id the policy was fetched under
  std::int64_t fetched_at = 0;  // seconds since the epoch

  // The cached policy may be used until fetched_at + max_age (exclusive).
  std::int64_t expires_at() const;
  bool expired(std::int64_t now) const { return now >= expires_at(); }
};

// Whether a cached policy must be fetched again, given the TXT record seen now: the record's id
// differs from the one the policy was fetched under (§3.1: a new id announces a new policy), or
// the cached copy has expired.
bool needs_refresh(const CachedStsPolicy& cached, const StsRecord& current, std::int64_t now);

enum class StsPlan {
  no_policy,   // deliver without MTA-STS
  use_cached,  // apply the cached policy
  fetch,       // fetch the policy; if the fetch or parse fails, apply the cached policy when there
               // is one that has not expired, else deliver without MTA-STS (§5.1)
};

// The §5.1 decision before a delivery. `record` is the result of select_sts_record, nullopt when
// the lookup failed or found no valid record: a cached, unexpired policy then stays in force
// (removing the TXT record does not withdraw a policy before its max_age, §8.3), otherwise there
// is no policy. With a valid record: fetch when there is no usable cache or needs_refresh says so.
StsPlan plan_sts(const std::optional<CachedStsPolicy>& cached, const std::optional<StsRecord>& record,
                 std::int64_t now);

}  // namespace atrium::mail::queue
