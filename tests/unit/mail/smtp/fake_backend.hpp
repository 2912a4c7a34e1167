// Test support for mail/smtp: a scripted backend that answers the Session's requests, the driver
// loop that performs its Actions, and the readable rendering used by golden transcripts.
// Shared by the unit tests and the session fuzzer (tests/fuzz/mail/smtp).
#pragma once

#include "mail/smtp/session.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace atrium::smtp::testing {

struct FakeBackend {
  std::set<std::string> local_domains{"local.test"};
  std::set<std::string> users;  // existing local mailboxes (canonical form)
  std::set<std::string> full;   // local mailboxes over quota
  struct Login {
    std::string password;
    std::string principal;
  };
  std::map<std::string, Login> logins;                   // authcid -> password, principal
  std::map<std::string, std::set<std::string>> owns;     // principal -> sender addresses ("" = null)
  std::map<std::string, DeliveryStatus> delivery;        // mailbox (or "*") -> outcome
  std::optional<SenderStatus> sender_status;             // overrides the sender policy
  bool auth_temporary = false;
  // Fuzzing: answer every request with a pseudo-random status from this state instead.
  std::optional<std::uint32_t> chaos;

  // Without a principal: local domains only (unknown_user / mailbox_full / accepted), others
  // relay_denied. With one: non-local domains accepted. <Postmaster> always accepted.
  RecipientResult check_recipient(const CheckRecipient& request);
  // Authenticated senders must use an address in owns[principal]; others are accepted.
  SenderResult check_sender(const CheckSender& request);
  AuthResult authenticate(const Authenticate& request);
  // One status (SMTP) or one per recipient (LMTP), from `delivery`, default delivered.
  DeliveryResult deliver(const Deliver& request, Mode mode);

 private:
  std::uint32_t next_random(std::uint32_t bound);
};

// Performs every Action the session has queued, answering requests from `backend` at once,
// until none is left. `observe` gets one readable line per event: "S: <reply line>" for each
// line of every Send (escaped), "-- <request> ..." for requests, "-- close".
void run_actions(Session& session, FakeBackend& backend, Mode mode, const std::function<void(std::string)>& observe);

// Printable form of bytes: \r \n \t \\ \0 and \xHH for other controls and 8-bit octets.
std::string escape(std::string_view bytes);
// The inverse of escape (also accepts UTF-8 text as is).
std::string unescape(std::string_view text);

}  // namespace atrium::smtp::testing
