// Fuzz entry: the DMARC record parser.
#include "tests/fuzz/mail/auth_dmarc/fuzz_entries.hpp"

#include "mail/auth/dmarc/record.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace atrium::mail::auth::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "dmarc record fuzz: %s\n", what);
  std::abort();
}

void check_uris(const std::vector<dmarc::ReportUri>& uris) {
  require(uris.size() <= dmarc::max_report_uris, "too many report URIs kept");
  for (const auto& u : uris) {
    require(!u.uri.empty() && u.uri.find(':') != std::string::npos, "report URI without a scheme");
    for (char c : u.uri) require(static_cast<unsigned char>(c) > 0x20, "report URI with a blank or control");
  }
}

}  // namespace

int record_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool dmarc = dmarc::is_dmarc_record(text);
  const auto r = dmarc::parse_record(text);
  require(r == dmarc::parse_record(text), "parsing is not deterministic");
  if (const auto* record = std::get_if<dmarc::Record>(&r)) {
    require(dmarc, "parsed a record that does not start with v=DMARC1");
    require(size <= dmarc::max_record_bytes, "parsed a record over the size limit");
    require(record->percent >= 0 && record->percent <= 100, "pct out of range");
    check_uris(record->aggregate_reports);
    check_uris(record->failure_reports);
    require(!record->policy_assumed || (record->policy == dmarc::Policy::none && !record->aggregate_reports.empty()),
            "assumed p=none without a valid rua");
    require(!record->report_formats.empty(), "no report format");
  } else {
    const auto& e = std::get<dmarc::RecordError>(r);
    require(e.tag.size() <= 32, "error tag too long");
    if (!dmarc) {
      require(e.code == dmarc::RecordErrorCode::not_dmarc || e.code == dmarc::RecordErrorCode::too_long,
              "a non-DMARC text refused for another reason");
    }
  }
  return 0;
}

}  // namespace atrium::mail::auth::fuzz
