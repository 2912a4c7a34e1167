// StaticResolver: the in-memory table unit tests resolve against, and the helpers shared by every
// resolver (reverse names, status names).
#include "core/dns/resolver.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace atrium::dns {
namespace {

std::string fold(std::string name) {
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::no_data: return "no data";
    case Status::nxdomain: return "NXDOMAIN";
    case Status::temporary: return "temporary failure";
    case Status::bogus: return "DNSSEC validation failure";
  }
  return "unknown";
}

std::string reverse_name(std::string_view address) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(std::string(address), ec);
  if (ec) return {};
  std::string out;
  if (ip.is_v4() || (ip.is_v6() && ip.to_v6().is_v4_mapped())) {
    auto v4 = ip.is_v4() ? ip.to_v4() : asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
    auto b = v4.to_bytes();
    for (int i = 3; i >= 0; --i) out += std::to_string(b[static_cast<std::size_t>(i)]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char hex[] = "0123456789abcdef";
  auto b = ip.to_v6().to_bytes();
  for (int i = 15; i >= 0; --i) {
    auto byte = b[static_cast<std::size_t>(i)];
    out += hex[byte & 0xF];
    out += '.';
    out += hex[byte >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

void StaticResolver::add_mx(std::string name, std::uint16_t preference, std::string exchange) {
  entries_[fold(std::move(name))].mx.push_back({preference, fold(std::move(exchange))});
}
void StaticResolver::add_a(std::string name, std::string address) {
  entries_[fold(std::move(name))].a.push_back(std::move(address));
}
void StaticResolver::add_aaaa(std::string name, std::string address) {
  entries_[fold(std::move(name))].aaaa.push_back(std::move(address));
}
void StaticResolver::add_txt(std::string name, std::string text) {
  entries_[fold(std::move(name))].txt.push_back(std::move(text));
}
void StaticResolver::add_ptr(std::string address, std::string name) {
  entries_[reverse_name(address)].ptr.push_back(fold(std::move(name)));
}
void StaticResolver::add_tlsa(std::string name, TlsaRecord record) {
  entries_[fold(std::move(name))].tlsa.push_back(std::move(record));
}
void StaticResolver::fail(std::string name) { failing_.push_back(fold(std::move(name))); }

template <class T>
Answer<T> StaticResolver::answer(const std::string& raw, std::vector<T> Entry::*field) {
  ++lookups;
  auto name = fold(raw);
  Answer<T> out;
  out.secure = secure_;
  if (std::find(failing_.begin(), failing_.end(), name) != failing_.end()) {
    out.status = Status::temporary;
    out.secure = false;
    return out;
  }
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    out.status = Status::nxdomain;
    return out;
  }
  out.records = it->second.*field;
  out.status = out.records.empty() ? Status::no_data : Status::ok;
  return out;
}

asio::awaitable<Answer<MxRecord>> StaticResolver::mx(std::string name) {
  auto out = answer(name, &Entry::mx);
  std::stable_sort(out.records.begin(), out.records.end(),
                   [](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
  co_return out;
}
asio::awaitable<Answer<std::string>> StaticResolver::a(std::string name) { co_return answer(name, &Entry::a); }
asio::awaitable<Answer<std::string>> StaticResolver::aaaa(std::string name) { co_return answer(name, &Entry::aaaa); }
asio::awaitable<Answer<std::string>> StaticResolver::txt(std::string name) { co_return answer(name, &Entry::txt); }
asio::awaitable<Answer<std::string>> StaticResolver::ptr(std::string address) {
  co_return answer(reverse_name(address), &Entry::ptr);
}
asio::awaitable<Answer<TlsaRecord>> StaticResolver::tlsa(std::string name) { co_return answer(name, &Entry::tlsa); }

}  // namespace atrium::dns
