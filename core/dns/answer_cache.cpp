#include "core/dns/answer_cache.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::dns {

AnswerCache::AnswerCache(std::size_t capacity_bytes, std::chrono::seconds max_ttl)
    : max_ttl_(max_ttl), entries_(capacity_bytes, [](const Entry& e) {
        std::size_t bytes = sizeof(Entry);
        for (const auto& r : e.answer.rdata) bytes += sizeof(std::string) + r.size();
        return bytes;
      }) {}

std::string AnswerCache::key(int type, std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return std::to_string(type) + ' ' + text::ascii_lowered(name);
}

std::optional<RawAnswer> AnswerCache::get(int type, std::string_view name, Clock::time_point now) {
  auto entry = entries_.get(key(type, name));
  if (!entry || entry->expires <= now) return std::nullopt;
  ++hits_;
  RawAnswer out = entry->answer;
  // What is left of the TTL, as a downstream cache would need it.
  out.ttl = static_cast<std::uint32_t>(std::chrono::ceil<std::chrono::seconds>(entry->expires - now).count());
  return out;
}

void AnswerCache::put(int type, std::string_view name, const RawAnswer& answer, Clock::time_point now) {
  const bool definite =
      answer.status == Status::ok || answer.status == Status::no_data || answer.status == Status::nxdomain;
  if (!definite || answer.ttl == 0) return;
  auto keep = std::min(std::chrono::seconds(answer.ttl), max_ttl_);
  entries_.put(key(type, name), std::make_shared<const Entry>(Entry{answer, now + keep}));
}

}  // namespace atrium::dns
