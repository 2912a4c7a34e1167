// The checks the MX runs on every message from outside before delivering it: SPF (RFC 7208) of
// the MAIL FROM (or HELO) identity, DKIM (RFC 6376) of every signature, ARC (RFC 8617) chain
// validation, DMARC (RFC 7489) over those results, and reverse DNS (iprev, RFC 8601 §3). The
// outcome is one Authentication-Results field (RFC 8601) and what DMARC asks the server to do.
#pragma once

#include "core/dns/resolver.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace atrium::mail::auth {

struct InboundRequest {
  std::string client_ip;    // the SMTP client's address
  std::string helo;         // its EHLO/HELO argument
  std::string mail_from;    // the reverse-path without <>; "" for the null sender
  std::string authserv_id;  // our name in Authentication-Results
  std::int64_t now = 0;     // seconds since the epoch (DKIM x=, ARC)
};

enum class InboundAction {
  accept,
  quarantine,  // DMARC p=quarantine (after pct): file into Junk
  reject,      // DMARC p=reject (after pct): 550 5.7.1
};

struct InboundVerdict {
  std::string authentication_results;  // the whole field, name included, ending in CRLF
  InboundAction action = InboundAction::accept;
  std::string dmarc_domain;            // the policy domain when action is not accept
  std::string summary;                 // "spf=pass dkim=pass dmarc=pass" for the log
};

// Runs every check on `message` (whole, CRLF line ends). `message` and `resolver` must outlive
// the coroutine. Never throws for DNS failures or bad input: a check that cannot finish reports
// temperror/permerror and the message is accepted unless DMARC says otherwise.
asio::awaitable<InboundVerdict> check_inbound(InboundRequest request, std::string_view message,
                                              dns::Resolver& resolver);

// `message` without the Authentication-Results fields that claim to be ours (RFC 8601 §5: a
// sender outside must not be able to forge our verdicts), with `authentication_results`
// prepended.
std::string with_authentication_results(std::string_view message, std::string_view authserv_id,
                                        std::string_view authentication_results);

}  // namespace atrium::mail::auth
