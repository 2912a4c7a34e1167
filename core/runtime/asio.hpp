// Short namespace names for Boost.Asio, Asio.SSL and Boost.Beast, shared by every Atrium module.
// Only aliases live here; include the Asio/Beast headers you use.
#pragma once

namespace boost::asio::ssl {}
namespace boost::beast {}

namespace atrium {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
}  // namespace atrium
