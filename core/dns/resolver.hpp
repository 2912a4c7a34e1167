// DNS lookups for mail: MX routing, SPF/DKIM/DMARC records, reverse DNS and DANE TLSA records.
// One interface, two implementations: UnboundResolver (libunbound, asynchronous, DNSSEC-aware)
// for the server, StaticResolver (a table in memory) for unit tests of everything that looks
// names up. Callers never see libunbound types.
#pragma once

#include "core/runtime/asio.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace atrium::dns {

// The outcome of one lookup, as mail protocols need to tell them apart:
//  - ok:        the name exists and has records of the type (records non-empty)
//  - no_data:   the name exists but has no records of the type (NOERROR, empty answer)
//  - nxdomain:  the name does not exist (permanent)
//  - temporary: SERVFAIL, timeout, network failure, refused (try again later)
//  - bogus:     DNSSEC validation failed (treat as temporary for delivery, as an error for DANE)
enum class Status { ok, no_data, nxdomain, temporary, bogus };

std::string_view to_string(Status status);

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;  // lower case, without the trailing dot; "" for the null MX "."
  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

struct TlsaRecord {
  std::uint8_t usage = 0;          // 2 DANE-TA, 3 DANE-EE (RFC 7672 uses only these)
  std::uint8_t selector = 0;       // 0 full certificate, 1 SubjectPublicKeyInfo
  std::uint8_t matching_type = 0;  // 0 exact, 1 SHA-256, 2 SHA-512
  std::string data;                // raw bytes (not hex)
  friend bool operator==(const TlsaRecord&, const TlsaRecord&) = default;
};

template <class T>
struct Answer {
  Status status = Status::temporary;
  std::vector<T> records;
  bool secure = false;  // DNSSEC-validated (only ever true with a configured trust anchor)
  bool ok() const noexcept { return status == Status::ok; }
};

// Names are given without a trailing dot, in any case; IDNs must already be A-labels.
// Implementations never throw for DNS failures: every failure is a Status.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // MX records sorted by preference (ties in random order as RFC 5321 §5.1 asks).
  virtual asio::awaitable<Answer<MxRecord>> mx(std::string name) = 0;
  // A and AAAA as text addresses ("192.0.2.1", "2001:db8::1").
  virtual asio::awaitable<Answer<std::string>> a(std::string name) = 0;
  virtual asio::awaitable<Answer<std::string>> aaaa(std::string name) = 0;
  // TXT records, each record's character-strings concatenated (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
  virtual asio::awaitable<Answer<std::string>> txt(std::string name) = 0;
  // PTR names for an address given as text (the reverse name is built here); lower case, no dot.
  virtual asio::awaitable<Answer<std::string>> ptr(std::string address) = 0;
  virtual asio::awaitable<Answer<TlsaRecord>> tlsa(std::string name) = 0;
};

// A fixed table, for tests: names are matched case-insensitively. A name with an entry of any type
// answers no_data for the other types; a name with no entry at all answers nxdomain; names listed
// in `failing` answer temporary for every type. Counts lookups (SPF's 10-lookup limit is tested
// by reading `lookups`).
class StaticResolver final : public Resolver {
 public:
  void add_mx(std::string name, std::uint16_t preference, std::string exchange);
  void add_a(std::string name, std::string address);
  void add_aaaa(std::string name, std::string address);
  void add_txt(std::string name, std::string text);
  void add_ptr(std::string address, std::string name);
  void add_tlsa(std::string name, TlsaRecord record);
  void fail(std::string name);          // temporary failure for every type
  void set_secure(bool secure) { secure_ = secure; }
  int lookups = 0;

  asio::awaitable<Answer<MxRecord>> mx(std::string name) override;
  asio::awaitable<Answer<std::string>> a(std::string name) override;
  asio::awaitable<Answer<std::string>> aaaa(std::string name) override;
  asio::awaitable<Answer<std::string>> txt(std::string name) override;
  asio::awaitable<Answer<std::string>> ptr(std::string address) override;
  asio::awaitable<Answer<TlsaRecord>> tlsa(std::string name) override;

 private:
  struct Entry {
    std::vector<MxRecord> mx;
    std::vector<std::string> a, aaaa, txt, ptr;
    std::vector<TlsaRecord> tlsa;
  };
  template <class T>
  Answer<T> answer(const std::string& name, std::vector<T> Entry::*field);
  std::map<std::string, Entry> entries_;
  std::vector<std::string> failing_;
  bool secure_ = false;
};

// "1.2.0.192.in-addr.arpa" / nibble form under ip6.arpa; "" when `address` is not an IP address.
std::string reverse_name(std::string_view address);

}  // namespace atrium::dns
