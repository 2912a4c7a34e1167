// What the server offers, from its EHLO reply (RFC 5321 section 4.1.1.1 and the extension RFCs).
// Pure; unknown keywords are ignored.
#pragma once

#include "mail/smtp/reply.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace atrium::smtp::client {

struct Capabilities {
  bool esmtp = false;                  // the server answered EHLO (false after the HELO fallback)
  std::string server_name;             // first word of the EHLO/HELO reply, as sent
  bool pipelining = false;             // RFC 2920
  std::optional<std::uint64_t> size;   // RFC 1870 SIZE offered; the value is the limit, 0: none given
  bool eight_bit_mime = false;         // RFC 6152
  bool smtputf8 = false;               // RFC 6531
  bool chunking = false;               // RFC 3030 BDAT
  bool binarymime = false;             // RFC 3030 BODY=BINARYMIME
  bool starttls = false;               // RFC 3207
  bool dsn = false;                    // RFC 3461
  bool enhanced_status_codes = false;  // RFC 2034
  std::set<std::string> auth;          // RFC 4954 AUTH mechanisms, upper case

  friend bool operator==(const Capabilities&, const Capabilities&) = default;
};

// The capabilities in a positive EHLO reply: one keyword per line after the first, in any case,
// with its parameters after a space. Also understands the pre-standard "AUTH=PLAIN LOGIN" form.
// A SIZE value that is not a number counts as "no limit given". Mechanism names that are not
// RFC 4422 names (1 to 20 of A-Z, 0-9, '-', '_') are dropped. Sets esmtp.
Capabilities parse_ehlo(const Reply& reply);

}  // namespace atrium::smtp::client
