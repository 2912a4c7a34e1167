// MTA-STS record and policy parsing, MX matching and the cache rules (RFC 8461).
#include "mail/queue/dsn/mta_sts.hpp"

#include "core/text/ascii.hpp"
#include "mail/queue/dsn/utf8.hpp"

#include <algorithm>
#include <cstdint>

namespace atrium::mail::queue {
namespace {

using text::ascii_lower;

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string lower_domain(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  std::string out(domain);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// sts-ext-name / sts-policy-ext-name: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
bool is_ext_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || !is_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; });
}

// sts-ext-value: 1*(%x21-3A / %x3C / %x3E-7E), printable ASCII but ";" and "=".
bool is_record_ext_value(std::string_view value) {
  if (value.empty()) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7E && c != ';' && c != '=';
  });
}

// sts-policy-ext-value: vchar [*(SP / vchar) vchar], vchar being printable ASCII or UTF-8.
// Blanks at either end were trimmed by the caller.
bool is_policy_ext_value(std::string_view value) {
  if (value.empty() || !detail::is_valid_utf8(value)) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u != 0x7F;
  });
}

// A Domain (RFC 5321 §4.1.2): labels of letters, digits and hyphens, not starting or ending
// with a hyphen, 1..63 octets each, 253 in all.
bool is_domain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = d.find('.', start);
    const std::string_view label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (!is_alnum(label.front()) || !is_alnum(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_sts_id(std::string_view id) {
  return !id.empty() && id.size() <= max_sts_id_length && std::all_of(id.begin(), id.end(), is_alnum);
}

constexpr std::string_view sts_version = "v=STSv1";

// Starts with the version token itself, not a longer one such as "v=STSv10".
bool starts_with_version(std::string_view txt) {
  if (!txt.starts_with(sts_version)) return false;
  return txt.size() == sts_version.size() || txt[sts_version.size()] == ';' || is_wsp(txt[sts_version.size()]);
}

}  // namespace

std::string_view to_string(StsRecordError e) {
  switch (e) {
    case StsRecordError::not_sts: return "not an STSv1 record";
    case StsRecordError::syntax: return "malformed field";
    case StsRecordError::missing_id: return "no id field";
    case StsRecordError::bad_id: return "invalid id";
    case StsRecordError::duplicate_id: return "more than one id field";
    case StsRecordError::too_long: return "record too long";
    case StsRecordError::none: return "no STSv1 record";
    case StsRecordError::multiple: return "more than one STSv1 record";
  }
  return "unknown record error";
}

std::string_view to_string(StsMode m) {
  switch (m) {
    case StsMode::enforce: return "enforce";
    case StsMode::testing: return "testing";
    case StsMode::none: return "none";
  }
  return "none";
}

std::string_view to_string(StsPolicyError e) {
  switch (e) {
    case StsPolicyError::too_long: return "policy too long";
    case StsPolicyError::bad_line: return "malformed line";
    case StsPolicyError::missing_version: return "no version field";
    case StsPolicyError::bad_version: return "version is not STSv1";
    case StsPolicyError::duplicate_field: return "field given twice";
    case StsPolicyError::missing_mode: return "no mode field";
    case StsPolicyError::bad_mode: return "unknown mode";
    case StsPolicyError::missing_max_age: return "no max_age field";
    case StsPolicyError::bad_max_age: return "max_age is not a number";
    case StsPolicyError::max_age_too_large: return "max_age over 31557600";
    case StsPolicyError::bad_mx: return "invalid mx pattern";
    case StsPolicyError::missing_mx: return "no mx field";
  }
  return "unknown policy error";
}

std::string sts_record_name(std::string_view domain) { return "_mta-sts." + lower_domain(domain); }

std::string policy_url(std::string_view domain) {
  return "https://mta-sts." + lower_domain(domain) + "/.well-known/mta-sts.txt";
}

std::variant<StsRecord, StsRecordError> parse_sts_record(std::string_view txt) {
  if (txt.size() > max_sts_record_size) return StsRecordError::too_long;
  if (!starts_with_version(txt)) return StsRecordError::not_sts;
  std::optional<std::string> id;
  std::size_t i = sts_version.size();
  const auto skip_wsp = [&] {
    while (i < txt.size() && is_wsp(txt[i])) ++i;
  };
  while (true) {
    skip_wsp();
    if (i == txt.size()) break;
    if (txt[i] != ';') return StsRecordError::syntax;
    ++i;
    skip_wsp();
    if (i == txt.size()) break;  // the optional final ";"
    const std::size_t start = i;
    while (i < txt.size() && txt[i] != ';' && !is_wsp(txt[i])) ++i;
    const std::string_view field = txt.substr(start, i - start);
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) return StsRecordError::syntax;
    const std::string_view name = field.substr(0, eq);
    const std::string_view value = field.substr(eq + 1);
    if (name == "id") {
      if (id) return StsRecordError::duplicate_id;
      if (!is_sts_id(value)) return StsRecordError::bad_id;
      id = std::string(value);
    } else if (!is_ext_name(name) || !is_record_ext_value(value)) {
      return StsRecordError::syntax;
    }
  }
  if (!id) return StsRecordError::missing_id;
  return StsRecord{std::move(*id)};
}

std::variant<StsRecord, StsRecordError> select_sts_record(const std::vector<std::string>& txt_records) {
  const std::string* found = nullptr;
  for (const std::string& r : txt_records) {
    if (!starts_with_version(r)) continue;
    if (found != nullptr) return StsRecordError::multiple;
    found = &r;
  }
  if (found == nullptr) return StsRecordError::none;
  return parse_sts_record(*found);
}

bool is_mx_pattern(std::string_view pattern) {
  if (pattern.starts_with("*.")) pattern.remove_prefix(2);
  return is_domain(pattern);
}

std::variant<StsPolicy, StsPolicyError> parse_sts_policy(std::string_view body) {
  if (body.size() > max_sts_policy_size) return StsPolicyError::too_long;
  StsPolicy policy;
  bool have_version = false, have_mode = false, have_max_age = false;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const std::size_t lf = body.find('\n', pos);
    std::string_view line = body.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    pos = lf == std::string_view::npos ? body.size() : lf + 1;
    if (lf != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    // Controls other than the tab are never part of the grammar (this also rejects bare CR).
    if (std::any_of(line.begin(), line.end(), [](char c) {
          const auto u = static_cast<unsigned char>(c);
          return (u < 0x20 && c != '\t') || u == 0x7F;
        })) {
      return StsPolicyError::bad_line;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return StsPolicyError::bad_line;
    const std::string_view key = line.substr(0, colon);
    if (!is_ext_name(key)) return StsPolicyError::bad_line;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && is_wsp(value.front())) value.remove_prefix(1);
    while (!value.empty() && is_wsp(value.back())) value.remove_suffix(1);

    if (key == "version") {
      if (have_version) return StsPolicyError::duplicate_field;
      if (value != "STSv1") return StsPolicyError::bad_version;
      have_version = true;
    } else if (key == "mode") {
      if (have_mode) return StsPolicyError::duplicate_field;
      if (value == "enforce") {
        policy.mode = StsMode::enforce;
      } else if (value == "testing") {
        policy.mode = StsMode::testing;
      } else if (value == "none") {
        policy.mode = StsMode::none;
      } else {
        return StsPolicyError::bad_mode;
      }
      have_mode = true;
    } else if (key == "max_age") {
      if (have_max_age) return StsPolicyError::duplicate_field;
      if (value.empty() || value.size() > 10 || !std::all_of(value.begin(), value.end(), is_digit)) {
        return StsPolicyError::bad_max_age;
      }
      std::int64_t v = 0;
      for (char c : value) v = v * 10 + (c - '0');  // at most 10 digits: no overflow
      if (v > max_sts_max_age) return StsPolicyError::max_age_too_large;
      policy.max_age = v;
      have_max_age = true;
    } else if (key == "mx") {
      if (!is_mx_pattern(value)) return StsPolicyError::bad_mx;
      policy.mx.push_back(lower_domain(value));
    } else if (!is_policy_ext_value(value)) {
      return StsPolicyError::bad_line;
    }
  }
  if (!have_version) return StsPolicyError::missing_version;
  if (!have_mode) return StsPolicyError::missing_mode;
  if (!have_max_age) return StsPolicyError::missing_max_age;
  if (policy.mode != StsMode::none && policy.mx.empty()) return StsPolicyError::missing_mx;
  return policy;
}

bool mx_matches(const StsPolicy& policy, std::string_view mx_host) {
  if (!mx_host.empty() && mx_host.back() == '.') mx_host.remove_suffix(1);
  if (mx_host.empty()) return false;
  for (std::string_view pattern : policy.mx) {
    if (pattern.starts_with("*.")) {
      const std::string_view suffix = pattern.substr(1);  // ".example.com"
      if (mx_host.size() <= suffix.size()) continue;
      const std::string_view head = mx_host.substr(0, mx_host.size() - suffix.size());
      if (head.find('.') != std::string_view::npos) continue;  // one label only
      if (text::iequals(mx_host.substr(head.size()), suffix)) return true;
    } else if (text::iequals(mx_host, pattern)) {
      return true;
    }
  }
  return false;
}

std::int64_t CachedStsPolicy::expires_at() const {
  const std::int64_t age = std::clamp<std::int64_t>(policy.max_age, 0, max_sts_max_age);
  std::int64_t r = 0;
  if (__builtin_add_overflow(fetched_at, age, &r)) return INT64_MAX;
  return r;
}

bool needs_refresh(const CachedStsPolicy& cached, const StsRecord& current, std::int64_t now) {
  return cached.id != current.id || cached.expired(now);
}

StsPlan plan_sts(const std::optional<CachedStsPolicy>& cached, const std::optional<StsRecord>& record,
                 std::int64_t now) {
  const bool usable = cached && !cached->expired(now);
  if (!record) return usable ? StsPlan::use_cached : StsPlan::no_policy;
  if (!usable) return StsPlan::fetch;
  return needs_refresh(*cached, *record, now) ? StsPlan::fetch : StsPlan::use_cached;
}

}  // namespace atrium::mail::queue
