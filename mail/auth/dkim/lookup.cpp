// The DNS side of DKIM and ARC verification: fetch the keys the pure verifiers name, then run
// them. The only coroutines of the library, kept apart from the pure code (which the fuzzers
// build with instrumentation that clang 14 cannot combine with coroutines).
#include "mail/auth/dkim/arc.hpp"
#include "mail/auth/dkim/dkim.hpp"

namespace atrium::mail::auth {
namespace {

asio::awaitable<dkim::KeyAnswers> fetch_keys(std::vector<std::string> names, dns::Resolver& resolver) {
  dkim::KeyAnswers keys;
  for (std::string& name : names) {
    auto answer = co_await resolver.txt(name);
    keys.emplace(std::move(name), std::move(answer));
  }
  co_return keys;
}

}  // namespace

namespace dkim {

asio::awaitable<std::vector<Result>> verify_all(std::string_view message, dns::Resolver& resolver, std::int64_t now) {
  const KeyAnswers keys = co_await fetch_keys(key_names(message), resolver);
  co_return verify_with_keys(message, keys, now);
}

}  // namespace dkim

namespace arc {

asio::awaitable<ArcResult> arc_verify(std::string_view message, dns::Resolver& resolver, std::int64_t now) {
  const dkim::KeyAnswers keys = co_await fetch_keys(arc_key_names(message), resolver);
  co_return arc_validate(message, keys, now);
}

}  // namespace arc
}  // namespace atrium::mail::auth
