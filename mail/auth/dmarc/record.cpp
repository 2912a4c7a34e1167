// DMARC record parsing: the DKIM-style tag list (RFC 6376 §3.2) and the DMARC tags on top of it.
#include "mail/auth/dmarc/record.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <array>

namespace atrium::mail::auth::dmarc {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

using text::ascii_lower;
using text::iequals;

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

std::string lowered(std::string_view s, std::size_t cap = std::string_view::npos) {
  std::string out(s.substr(0, cap));
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

// tag-name = ALPHA *ALNUMPUNC
bool valid_tag_name(std::string_view name) {
  if (name.empty() || !is_alpha(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

// tag-value: VALCHARs with blanks between them. UTF-8 bytes are let through (unknown tags may
// carry them); controls are not.
bool valid_tag_value(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return is_wsp(c) || (u >= 0x21 && u != 0x7F);
  });
}

struct Tag {
  std::string_view name;
  std::string_view value;
};

struct TagList {
  std::array<Tag, max_record_tags> tags;
  std::size_t count = 0;
};

// Splits the record into tags. Empty tag-specs (";;", a trailing ';') are skipped: published
// records have them and they carry nothing.
std::optional<RecordError> split_tags(std::string_view text, TagList& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view spec = trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (spec.empty()) continue;
    const std::size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return RecordError{RecordErrorCode::syntax, ""};
    const std::string_view name = trim(spec.substr(0, eq));
    const std::string_view value = trim(spec.substr(eq + 1));
    if (!valid_tag_name(name)) return RecordError{RecordErrorCode::syntax, ""};
    const std::string lname = lowered(name, 32);
    if (!valid_tag_value(value)) return RecordError{RecordErrorCode::syntax, lname};
    for (std::size_t i = 0; i < out.count; ++i) {
      if (iequals(out.tags[i].name, name)) return RecordError{RecordErrorCode::duplicate_tag, lname};
    }
    if (out.count == max_record_tags) return RecordError{RecordErrorCode::too_long, ""};
    out.tags[out.count++] = Tag{name, value};
  }
  return std::nullopt;
}

std::optional<Policy> parse_policy(std::string_view v) {
  if (iequals(v, "none")) return Policy::none;
  if (iequals(v, "quarantine")) return Policy::quarantine;
  if (iequals(v, "reject")) return Policy::reject;
  return std::nullopt;
}

std::optional<Alignment> parse_alignment(std::string_view v) {
  if (iequals(v, "r")) return Alignment::relaxed;
  if (iequals(v, "s")) return Alignment::strict;
  return std::nullopt;
}

// An unsigned decimal of at most `max_digits` digits, or nullopt.
std::optional<std::uint64_t> parse_number(std::string_view v, std::size_t max_digits) {
  if (v.empty() || v.size() > max_digits) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : v) {
    if (!is_digit(c)) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

// URI = scheme ":" hier-part..., checked loosely: a valid scheme, something after the colon and
// only visible ASCII characters URIs may hold.
bool valid_uri(std::string_view uri) {
  const std::size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == uri.size()) return false;
  const std::string_view scheme = uri.substr(0, colon);
  if (!is_alpha(scheme.front())) return false;
  for (char c : scheme) {
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  for (char c : uri.substr(colon + 1)) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\') return false;
  }
  return true;
}

// dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
std::optional<ReportUri> parse_report_uri(std::string_view text) {
  ReportUri out;
  const std::size_t bang = text.rfind('!');
  std::string_view uri = text;
  if (bang != std::string_view::npos) {
    std::string_view size = text.substr(bang + 1);
    unsigned shift = 0;
    if (!size.empty() && !is_digit(size.back())) {
      switch (ascii_lower(size.back())) {
        case 'k': shift = 10; break;
        case 'm': shift = 20; break;
        case 'g': shift = 30; break;
        case 't': shift = 40; break;
        default: return std::nullopt;
      }
      size.remove_suffix(1);
    }
    // 12 digits shifted by 40 bits still fits in 64 bits.
    auto n = parse_number(size, 12);
    if (!n) return std::nullopt;
    out.max_bytes = *n << shift;
    uri = text.substr(0, bang);
  }
  if (!valid_uri(uri)) return std::nullopt;
  out.uri.assign(uri);
  return out;
}

// A comma-separated URI list; invalid entries are dropped, at most max_report_uris kept.
std::vector<ReportUri> parse_report_uris(std::string_view value) {
  std::vector<ReportUri> out;
  std::size_t pos = 0;
  while (pos <= value.size() && out.size() < max_report_uris) {
    std::size_t end = value.find(',', pos);
    if (end == std::string_view::npos) end = value.size();
    if (auto uri = parse_report_uri(trim(value.substr(pos, end - pos)))) out.push_back(std::move(*uri));
    pos = end + 1;
  }
  return out;
}

// Calls f(item) for each colon-separated, trimmed item; stops and returns false when f does.
template <class F>
bool for_each_colon_item(std::string_view value, F f) {
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t end = value.find(':', pos);
    if (end == std::string_view::npos) end = value.size();
    if (!f(trim(value.substr(pos, end - pos)))) return false;
    pos = end + 1;
  }
  return true;
}

std::optional<FailureOptions> parse_failure_options(std::string_view value) {
  FailureOptions fo;
  const bool ok = for_each_colon_item(value, [&](std::string_view item) {
    if (item == "0") fo.all_failed = true;
    else if (item == "1") fo.any_failed = true;
    else if (iequals(item, "d")) fo.dkim_failed = true;
    else if (iequals(item, "s")) fo.spf_failed = true;
    else return false;
    return true;
  });
  if (!ok) return std::nullopt;
  return fo;
}

std::optional<std::vector<std::string>> parse_report_formats(std::string_view value) {
  std::vector<std::string> formats;
  const bool ok = for_each_colon_item(value, [&](std::string_view item) {
    if (item.empty() || item.size() > 32 || formats.size() >= 16) return false;
    const bool keyword = std::all_of(item.begin(), item.end(),
                                     [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; });
    if (!keyword) return false;
    formats.push_back(lowered(item));
    return true;
  });
  if (!ok) return std::nullopt;
  return formats;
}

bool is_version_tag(const Tag& tag) { return iequals(tag.name, "v") && tag.value == "DMARC1"; }

}  // namespace

std::string_view to_string(Policy policy) {
  switch (policy) {
    case Policy::none: return "none";
    case Policy::quarantine: return "quarantine";
    case Policy::reject: return "reject";
  }
  return "none";
}

std::string_view to_string(RecordErrorCode code) {
  switch (code) {
    case RecordErrorCode::too_long: return "record too long";
    case RecordErrorCode::not_dmarc: return "not a DMARC1 record";
    case RecordErrorCode::syntax: return "malformed tag list";
    case RecordErrorCode::duplicate_tag: return "duplicate tag";
    case RecordErrorCode::missing_policy: return "missing p= tag";
    case RecordErrorCode::invalid_policy: return "invalid p= tag";
    case RecordErrorCode::invalid_subdomain_policy: return "invalid sp= tag";
    case RecordErrorCode::invalid_alignment: return "invalid alignment mode";
    case RecordErrorCode::invalid_percent: return "invalid pct= tag";
  }
  return "invalid record";
}

bool is_dmarc_record(std::string_view text) {
  if (text.size() > max_record_bytes) text = text.substr(0, max_record_bytes);
  std::size_t end = text.find(';');
  if (end == std::string_view::npos) end = text.size();
  const std::string_view first = trim(text.substr(0, end));
  const std::size_t eq = first.find('=');
  if (eq == std::string_view::npos) return false;
  return is_version_tag(Tag{trim(first.substr(0, eq)), trim(first.substr(eq + 1))});
}

std::variant<Record, RecordError> parse_record(std::string_view text) {
  if (text.size() > max_record_bytes) return RecordError{RecordErrorCode::too_long, ""};
  if (!is_dmarc_record(text)) return RecordError{RecordErrorCode::not_dmarc, "v"};
  TagList list;
  if (auto error = split_tags(text, list)) return *error;

  Record record;
  std::optional<RecordError> policy_error;
  bool have_policy = false;
  for (std::size_t i = 1; i < list.count; ++i) {
    const Tag& tag = list.tags[i];
    const std::string name = lowered(tag.name, 32);
    const std::string_view v = tag.value;
    if (name == "p") {
      have_policy = true;
      if (auto p = parse_policy(v)) record.policy = *p;
      else if (!policy_error) policy_error = RecordError{RecordErrorCode::invalid_policy, name};
    } else if (name == "sp") {
      if (auto p = parse_policy(v)) record.subdomain_policy = *p;
      else if (!policy_error) policy_error = RecordError{RecordErrorCode::invalid_subdomain_policy, name};
    } else if (name == "np") {
      if (auto p = parse_policy(v)) record.nonexistent_policy = *p;
    } else if (name == "adkim" || name == "aspf") {
      auto mode = parse_alignment(v);
      if (!mode) return RecordError{RecordErrorCode::invalid_alignment, name};
      (name == "adkim" ? record.dkim_alignment : record.spf_alignment) = *mode;
    } else if (name == "pct") {
      auto n = parse_number(v, 3);
      if (!n || *n > 100) return RecordError{RecordErrorCode::invalid_percent, name};
      record.percent = static_cast<int>(*n);
    } else if (name == "rua") {
      record.aggregate_reports = parse_report_uris(v);
    } else if (name == "ruf") {
      record.failure_reports = parse_report_uris(v);
    } else if (name == "fo") {
      if (auto fo = parse_failure_options(v)) record.failure_options = *fo;
    } else if (name == "rf") {
      if (auto rf = parse_report_formats(v)) record.report_formats = std::move(*rf);
    } else if (name == "ri") {
      if (auto n = parse_number(v, 10); n && *n <= 0xFFFFFFFFu) record.report_interval = static_cast<std::uint32_t>(*n);
    } else if (name == "v") {
      // v= elsewhere than first is a duplicate, caught by split_tags.
    }
    // Any other tag is an extension this receiver does not know: ignored (§6.3).
  }
  if (!have_policy && !policy_error) policy_error = RecordError{RecordErrorCode::missing_policy, "p"};
  if (policy_error) {
    // §6.6.3: a record whose p= (or sp=) is unusable still counts as p=none when it asks for
    // aggregate reports, so the Domain Owner gets reports about the mistake.
    if (record.aggregate_reports.empty()) return *policy_error;
    record.policy = Policy::none;
    record.subdomain_policy.reset();
    record.nonexistent_policy.reset();
    record.policy_assumed = true;
  }
  return record;
}

}  // namespace atrium::mail::auth::dmarc
