// The IMAP transport: frames client input (mail/imap/framer), parses it, and runs each command
// through a Session over a net::Stream, with the idle timeout, STARTTLS and IDLE's wake-ups.
#pragma once

#include "core/net/listener.hpp"
#include "mail/imap/driver/session.hpp"

#include <chrono>

namespace atrium::imap {

struct ConnectionOptions {
  SessionOptions session;   // cleartext_login: what the config allows for loopback/any peer
  bool cleartext_from_loopback = true;  // auth.cleartext_login = loopback
  bool cleartext_anywhere = false;      // auth.cleartext_login = always
  ssl::context* tls = nullptr;          // for STARTTLS; not owned
  std::chrono::seconds tls_handshake_timeout{30};
  std::chrono::seconds write_timeout{300};
};

// Serves one connection until LOGOUT, the peer goes away, the idle timeout (BYE) or shutdown
// (BYE). Never throws for anything the peer does.
asio::awaitable<void> serve_connection(net::Stream stream, net::ConnectionInfo info, ConnectionOptions options,
                                       Services& services);

}  // namespace atrium::imap
