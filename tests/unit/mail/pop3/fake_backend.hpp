// Test support for mail/pop3: a scripted backend that answers the Session's requests, the driver
// loop that performs its Actions (RETR/TOP through the real MessageEncoder), and the readable
// rendering used by golden transcripts. Shared by the unit tests and the session fuzzer.
#pragma once

#include "mail/pop3/session.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::pop3::testing {

struct FakeMessage {
  std::uint64_t key = 0;
  std::string unique_id;
  std::string content;  // as stored (any line endings)
};

struct FakeBackend {
  struct Login {
    std::string password;
    std::string principal;
    std::int64_t account = 0;
  };
  std::map<std::string, Login> logins;                       // authcid -> password, principal
  std::map<std::string, std::vector<FakeMessage>> maildrops;  // principal -> INBOX in key order
  std::set<std::string> in_use;                              // principals another session holds
  std::set<std::string> missing;                             // principals without an INBOX
  std::set<std::uint64_t> gone;                              // keys whose content has vanished
  std::set<std::uint64_t> unreadable;                        // keys the store cannot read now
  bool auth_temporary = false;
  bool maildrop_temporary = false;
  bool commit_fails = false;
  std::vector<std::vector<std::uint64_t>> commits;           // every Commit, in order
  // Fuzzing: answer every request with a pseudo-random status from this state instead.
  std::optional<std::uint32_t> chaos;

  AuthResult authenticate(const Authenticate& request);
  MaildropResult open(const OpenMaildrop& request);
  // The stored content of `key`, or the reason it cannot be sent.
  std::optional<RetrieveStatus> content(std::uint64_t key, std::string& out);
  CommitStatus commit(const Commit& request);

 private:
  std::uint32_t next_random(std::uint32_t bound);
  std::string opened_;  // principal of the open maildrop
};

// Performs every Action the session has queued, answering requests from `backend` at once,
// until none is left; checks the session contract (requests last in their batch, nothing after
// Close). `observe` gets one readable line per event: "S: <line>" for every line written
// (escaped), "-- <request> ..." for requests, "-- close".
void run_actions(Session& session, FakeBackend& backend, const std::function<void(std::string)>& observe);

// Printable form of bytes: \r \n \t \\ \0 and \xHH for other controls and 8-bit octets.
std::string escape(std::string_view bytes);
// The inverse of escape.
std::string unescape(std::string_view text);

}  // namespace atrium::pop3::testing
