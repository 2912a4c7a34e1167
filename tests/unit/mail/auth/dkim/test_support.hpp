// Shared helpers for the DKIM/ARC unit tests: test data, keys, key answers, crafted signatures.
#pragma once

#include "mail/auth/dkim/dkim.hpp"

#include "core/dns/resolver.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <map>
#include <string>
#include <string_view>

namespace atrium::mail::auth::dkim::test {

// The bytes of data/<name>.
std::string read_data(std::string_view name);

// data/keys.txt: key name -> TXT record (the keys of the dkimpy vectors).
std::map<std::string, std::string> data_keys();

// A PrivateKey from a PEM in data/, or from an Ed25519 seed (base64) wrapped as PKCS#8.
PrivateKey data_key(std::string_view pem_name);
PrivateKey ed25519_key(std::string_view seed_base64);
// RFC 8032 section 7.1 test 1 / RFC 8463 Appendix A.
inline constexpr std::string_view rfc8463_seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
inline constexpr std::string_view rfc8463_public = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

// One "ok" TXT answer per (name, record).
KeyAnswers answers(const std::map<std::string, std::string>& records);

// A StaticResolver holding `records`.
void add_keys(dns::StaticResolver& resolver, const std::map<std::string, std::string>& records);

// A DKIM-Signature over `message` with exactly the tags given ("v=1; a=...; d=...; s=...;
// h=...", without bh= and b=), bh= computed per its c= and l=, signed with `key`; returned
// prepended to `message`. Lets tests make validly signed signatures a signer would not emit.
std::string craft_signature(std::string_view tags, const PrivateKey& key, std::string_view message);

// Runs a coroutine to completion.
template <class Awaitable>
auto run(Awaitable awaitable) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(awaitable), boost::asio::use_future);
  io.run();
  return future.get();
}

// The one Result of verifying the first signature in `message`.
Result verify_first(std::string_view message, const std::map<std::string, std::string>& records, std::int64_t now);

}  // namespace atrium::mail::auth::dkim::test
