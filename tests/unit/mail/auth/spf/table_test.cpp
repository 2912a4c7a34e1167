// Runs every case of cases.json through check_host against a StaticResolver built from the case's
// zone. pyspf_table.py checks the same file against pyspf, so one table is the shared truth.
// ATRIUM_SPF_CASES=<file> runs another table in the same format instead.
//
// Case fields: name; zone {name: {TXT: [..], A: [..], AAAA: [..], MX: [[pref, host], ..]}};
// ptr {address: [names]}; fail [names answering SERVFAIL]; ip; sender; helo; identity
// ("mailfrom" | "helo"); receiver; now (Unix seconds); result (a keyword or a list of accepted
// ones); optional explanation, mechanism, lookups. pyspf and note are for pyspf_table.py/readers.
#include "tests/unit/mail/auth/spf/run_check.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace atrium::mail::auth::spf {
namespace {

namespace json = boost::json;

std::string table_path() {
  if (const char* p = std::getenv("ATRIUM_SPF_CASES"); p != nullptr && *p != '\0') return p;
  return ATRIUM_SPF_CASES_FILE;
}

struct Case {
  std::string name;
  json::object data;
};

std::vector<Case>& table_cases(std::string* error = nullptr) {
  static std::vector<Case> cases;
  static std::string load_error;
  static bool loaded = false;
  if (!loaded) {
    loaded = true;
    std::ifstream in(table_path());
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value root = json::parse(text.str(), ec);
    if (ec || !root.is_object() || !root.as_object().contains("cases") || !root.at("cases").is_array()) {
      load_error = "cannot read a {\"cases\": [...]} table from " + table_path();
    } else {
      for (const json::value& c : root.at("cases").as_array()) {
        if (!c.is_object() || !c.as_object().contains("name")) {
          load_error = "a case without a name";
          break;
        }
        cases.push_back({json::value_to<std::string>(c.at("name")), c.as_object()});
      }
    }
  }
  if (error != nullptr) *error = load_error;
  return cases;
}

std::string text_field(const json::object& o, std::string_view key, std::string fallback = {}) {
  if (const auto* v = o.if_contains(key); v != nullptr && v->is_string()) return std::string(v->as_string());
  return fallback;
}

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.emplace_back(v.as_string());
  if (v.is_array()) {
    for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  }
  return out;
}

void load_zone(dns::StaticResolver& dns, const json::object& c) {
  if (const auto* zone = c.if_contains("zone")) {
    for (const auto& [name, records] : zone->as_object()) {
      const auto& rr = records.as_object();
      for (const auto& [type, values] : rr) {
        for (const auto& v : values.as_array()) {
          if (type == "TXT") dns.add_txt(std::string(name), std::string(v.as_string()));
          else if (type == "A") dns.add_a(std::string(name), std::string(v.as_string()));
          else if (type == "AAAA") dns.add_aaaa(std::string(name), std::string(v.as_string()));
          else if (type == "MX") {
            dns.add_mx(std::string(name), static_cast<std::uint16_t>(v.as_array().at(0).to_number<int>()),
                       std::string(v.as_array().at(1).as_string()));
          } else {
            ADD_FAILURE() << "unknown record type " << type;
          }
        }
      }
    }
  }
  if (const auto* ptr = c.if_contains("ptr")) {
    for (const auto& [address, names] : ptr->as_object()) {
      for (const auto& n : strings(names)) dns.add_ptr(std::string(address), n);
    }
  }
  if (const auto* fail = c.if_contains("fail")) {
    for (const auto& n : strings(*fail)) dns.fail(n);
  }
}

// Failure messages name the case instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SpfTable : public ::testing::TestWithParam<Case> {};

TEST_P(SpfTable, MatchesExpectedResult) {
  const json::object& c = GetParam().data;
  dns::StaticResolver dns;
  load_zone(dns, c);
  Request req;
  req.client_ip = text_field(c, "ip");
  req.mail_from = text_field(c, "sender");
  req.helo = text_field(c, "helo");
  req.receiver = text_field(c, "receiver");
  if (const auto* now = c.if_contains("now")) {
    req.now = std::chrono::system_clock::time_point(std::chrono::seconds(now->to_number<long long>()));
  }
  const Identity identity = text_field(c, "identity") == "helo" ? Identity::helo : Identity::mailfrom;
  const Result r = testing::run_check(dns, req, identity);

  const auto accepted = strings(c.at("result"));
  ASSERT_FALSE(accepted.empty());
  const std::string got(to_string(r.outcome));
  EXPECT_NE(std::find(accepted.begin(), accepted.end(), got), accepted.end())
      << "got " << got << " (" << r.reason << "), expected " << json::serialize(c.at("result"));
  if (c.contains("explanation")) {
    EXPECT_EQ(r.explanation, text_field(c, "explanation"));
  }
  if (c.contains("mechanism")) {
    EXPECT_EQ(r.mechanism, text_field(c, "mechanism"));
  }
  if (const auto* lookups = c.if_contains("lookups")) {
    EXPECT_EQ(r.lookups, lookups->to_number<int>());
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Cases, SpfTable, ::testing::ValuesIn(table_cases()), case_name);

TEST(SpfTableFile, LoadsAndIsLargeEnough) {
  std::string error;
  const auto& cases = table_cases(&error);
  EXPECT_EQ(error, "");
  if (std::getenv("ATRIUM_SPF_CASES") == nullptr) {
    EXPECT_GE(cases.size(), 40u);
  }
}

}  // namespace
}  // namespace atrium::mail::auth::spf
