// Fuzz entry: tag lists, key records and DKIM base64.
#include "tests/fuzz/mail/auth_dkim/fuzz_entries.hpp"

#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/keys.hpp"
#include "mail/auth/dkim/tag_list.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace atrium::mail::auth::dkim::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "dkim record fuzz: %s\n", what);
  std::abort();
}

}  // namespace

int record_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_tag_list(text);
  if (const auto* tags = std::get_if<TagList>(&parsed)) {
    require(tags->tags.size() <= max_tags, "too many tags");
    for (const Tag& t : tags->tags) {
      require(t.raw_begin <= t.raw_end && t.raw_end <= text.size(), "raw span outside the input");
      const std::string_view raw = text.substr(t.raw_begin, t.raw_end - t.raw_begin);
      require(raw.find(t.value) != std::string_view::npos, "value outside its raw span");
      require(!t.name.empty() && tags->find(t.name) == &t, "tag not found by its name");
    }
  }
  auto record = parse_key_record(text);
  if (std::holds_alternative<KeyRecord>(record)) {
    require(std::holds_alternative<TagList>(parsed), "a key record that is not a tag list");
  }
  if (auto decoded = base64_decode(text)) {
    require(base64_decode(base64_encode(*decoded)) == decoded, "base64 does not round-trip");
  }
  return 0;
}

}  // namespace atrium::mail::auth::dkim::fuzz
