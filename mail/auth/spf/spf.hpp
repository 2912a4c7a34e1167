// SPF evaluation (RFC 7208): check_host() for the MAIL FROM and HELO identities against a
// dns::Resolver, and the result as Authentication-Results (RFC 8601) and Received-SPF (§9.1)
// text. Parsing lives in record.hpp and macro.hpp; only this part does I/O.
#pragma once

#include "core/dns/resolver.hpp"
#include "core/runtime/asio.hpp"
#include "mail/auth/spf/record.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace atrium::mail::auth::spf {

// §2.6 results.
enum class Outcome { none, neutral, pass, fail, softfail, temperror, permerror };

// The lower-case keyword ("pass", "softfail", "temperror", ...) as RFC 8601 and §9.1 use it.
std::string_view to_string(Outcome outcome);

enum class Identity { mailfrom, helo };

struct Request {
  std::string client_ip;  // "192.0.2.3", "2001:db8::1"; v4-mapped IPv6 is treated as IPv4
  std::string mail_from;  // the reverse-path without <>; "" for the null path (then postmaster@helo)
  std::string helo;       // the HELO/EHLO argument
  std::string receiver;   // this host's name, for %{r}; "unknown" when empty
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  // for %{t}
};

struct Result {
  Outcome outcome = Outcome::none;
  std::string explanation;  // fail only: the expanded exp= text (§6.2); empty when none was published
  Identity identity = Identity::mailfrom;
  std::string sender;     // <sender> as evaluated: mail_from, or postmaster@helo
  std::string domain;     // the <domain> the check started with
  std::string mechanism;  // the top-level term that decided ("-all", "include:_spf.example.net");
                          // after redirect=, the term of the redirect target; "" when none did
  std::string reason;     // one line on why (for logs and header comments)
  int lookups = 0;        // DNS-querying terms evaluated (include a mx ptr exists redirect)
  int void_lookups = 0;   // of their queries, those that answered NXDOMAIN or no records
};

// The processing limits of §4.6.4. The defaults are the RFC's; the void limit is configurable
// as the RFC allows.
struct Limits {
  int dns_terms = 10;    // more → permerror
  int void_lookups = 2;  // more → permerror
  int mx_names = 10;     // an mx mechanism meeting more MX names → permerror
  int ptr_names = 10;    // PTR names beyond these are ignored (ptr mechanism and %{p})
};

// check_host() of §4 for the MAIL FROM identity: <domain> is the domain of mail_from, or the HELO
// name when mail_from is empty (§2.4). Never throws for DNS or record problems: every outcome is
// in the Result. `request` is taken by value because the coroutine outlives the caller's
// expression. The resolver must outlive the returned awaitable.
asio::awaitable<Result> check_host(Request request, dns::Resolver& resolver, Limits limits = {});

// check_host() for the HELO identity (§2.3): <domain> is the HELO name and <sender> is
// postmaster@<helo>, whatever mail_from says.
asio::awaitable<Result> check_helo(Request request, dns::Resolver& resolver, Limits limits = {});

// The resinfo of RFC 8601 §2.7.2 for this result, without the leading "; ":
// "spf=pass smtp.mailfrom=example.com" or "spf=none smtp.helo=mail.example.net". The property
// value is the checked domain, quoted when it is not a plain token.
std::string authentication_results(const Result& result);

// A whole Received-SPF header field (§9.1) without the trailing CRLF and unfolded:
// "Received-SPF: pass (mx.example.org: domain of user@example.com designates 192.0.2.3 as
// permitted sender) client-ip=192.0.2.3; envelope-from=\"user@example.com\"; helo=...; ...".
std::string received_spf_header(const Result& result, const Request& request);

}  // namespace atrium::mail::auth::spf
