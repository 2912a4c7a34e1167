// The DMARC policy record (RFC 7489 §6.3, §6.4; np from RFC 9091): a pure parser from the TXT
// text at _dmarc.<domain> to a typed Record or a typed error. No I/O.
#pragma once

#include "mail/auth/dmarc/org_domain.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth::dmarc {

// p=, sp=, np=: what the Domain Owner asks receivers to do with mail that fails DMARC.
enum class Policy { none, quarantine, reject };

std::string_view to_string(Policy policy);

// One rua= / ruf= entry: "mailto:d@example.com!10m" → uri "mailto:d@example.com", 10 MiB.
struct ReportUri {
  std::string uri;
  std::optional<std::uint64_t> max_bytes;  // the "!size" suffix in bytes; absent: no limit
  friend bool operator==(const ReportUri&, const ReportUri&) = default;
};

// fo=: when failure reports are wanted (colon-separated "0", "1", "d", "s").
struct FailureOptions {
  bool all_failed = false;   // "0": every mechanism failed to produce an aligned pass
  bool any_failed = false;   // "1": any mechanism failed to produce an aligned pass
  bool dkim_failed = false;  // "d": a DKIM signature failed to verify
  bool spf_failed = false;   // "s": SPF failed
  friend bool operator==(const FailureOptions&, const FailureOptions&) = default;
};

struct Record {
  Policy policy = Policy::none;                     // p
  std::optional<Policy> subdomain_policy;           // sp; absent: p applies
  std::optional<Policy> nonexistent_policy;         // np (RFC 9091); absent: sp, then p applies
  Alignment dkim_alignment = Alignment::relaxed;    // adkim
  Alignment spf_alignment = Alignment::relaxed;     // aspf
  int percent = 100;                                // pct, 0..100
  std::vector<ReportUri> aggregate_reports;         // rua (only syntactically valid URIs)
  std::vector<ReportUri> failure_reports;           // ruf (only syntactically valid URIs)
  FailureOptions failure_options{.all_failed = true};  // fo, default "0"
  std::vector<std::string> report_formats{"afrf"};  // rf, lower case
  std::uint32_t report_interval = 86400;            // ri, seconds
  // p was missing or invalid (or sp invalid) and p=none was assumed because rua holds a valid
  // URI (RFC 7489 §6.6.3).
  bool policy_assumed = false;

  Policy effective_subdomain_policy() const { return subdomain_policy.value_or(policy); }
  Policy effective_nonexistent_policy() const {
    return nonexistent_policy.value_or(effective_subdomain_policy());
  }
  friend bool operator==(const Record&, const Record&) = default;
};

enum class RecordErrorCode {
  too_long,                  // over max_record_bytes or max_record_tags
  not_dmarc,                 // the first tag is not v=DMARC1
  syntax,                    // a tag-spec without '=', a bad tag name or a character outside VALCHAR
  duplicate_tag,             // a tag appears twice (RFC 6376 §3.2 tag lists)
  missing_policy,            // no p= (and no valid rua to fall back on)
  invalid_policy,            // p= not none|quarantine|reject (and no valid rua)
  invalid_subdomain_policy,  // sp= not none|quarantine|reject (and no valid rua)
  invalid_alignment,         // adkim= or aspf= not r|s
  invalid_percent,           // pct= not an integer 0..100
};

std::string_view to_string(RecordErrorCode code);

struct RecordError {
  RecordErrorCode code = RecordErrorCode::syntax;
  std::string tag;  // the tag at fault, lower case ("" when none applies); at most 32 bytes
  friend bool operator==(const RecordError&, const RecordError&) = default;
};

inline constexpr std::size_t max_record_bytes = 8192;
inline constexpr std::size_t max_record_tags = 64;
inline constexpr std::size_t max_report_uris = 32;  // per rua / ruf; more are ignored

// True when `text` starts with the tag v=DMARC1 (blanks allowed around '=' and before ';'):
// the test RFC 7489 §6.6.3 uses to keep or discard each TXT record at _dmarc.<domain>.
bool is_dmarc_record(std::string_view text);

// Parses one record. Unknown tags are ignored; invalid reporting tags (rua/ruf entries, fo, rf,
// ri) are dropped and leave their defaults, since they do not change the policy; invalid np= is
// ignored likewise (RFC 9091 is experimental and must not void a valid p=). Never throws.
std::variant<Record, RecordError> parse_record(std::string_view text);

}  // namespace atrium::mail::auth::dmarc
