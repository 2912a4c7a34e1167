// The scripted fake SMTP server used by connection_test.cpp.
#include "tests/unit/mail/smtp/client/fake_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace atrium::smtp::client::test {

using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_line = 1 << 20;
constexpr auto read_timeout = 10s;

std::string marker(const net::ReadResult& r) {
  if (*r.error == net::ReadError::eof) return "<eof>";
  if (*r.error == net::ReadError::timeout) return "<timeout>";
  return "<error>";
}

}  // namespace

asio::awaitable<void> Peer::send(std::string_view bytes) {
  const auto w = co_await net::write_all(stream_, bytes, read_timeout);
  EXPECT_TRUE(w.ok()) << "fake server could not write " << bytes;
}

asio::awaitable<std::string> Peer::line() {
  auto r = co_await net::read_line(stream_, buffer_, max_line, read_timeout);
  if (!r) co_return marker(r);
  co_return std::move(r.data);
}

asio::awaitable<std::vector<std::string>> Peer::batch() {
  std::vector<std::string> lines;
  lines.push_back(co_await line());
  asio::steady_timer pause(stream_.get_executor(), 200ms);
  co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  // Everything the kernel already holds, without waiting for more.
  while (stream_.socket().available() > 0) {
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(stream_.socket().available()),
                                                    asio::as_tuple(asio::use_awaitable));
    buffer_.commit(n);
    if (ec) break;
  }
  for (;;) {
    const auto d = buffer_.data();
    const std::string_view view(static_cast<const char*>(d.data()), d.size());
    if (view.find('\n') == std::string_view::npos) break;
    lines.push_back(co_await line());
  }
  co_return lines;
}

asio::awaitable<std::string> Peer::data() {
  std::string out;
  for (;;) {
    auto r = co_await net::read_line(stream_, buffer_, max_line, read_timeout);
    if (!r) {
      out += marker(r);
      co_return out;
    }
    out += r.data;
    out += r.bare_lf ? "\n" : "\r\n";
    if (r.data == ".") co_return out;
  }
}

asio::awaitable<std::string> Peer::exact(std::size_t n) {
  auto r = co_await net::read_exact(stream_, buffer_, n, read_timeout);
  if (!r) co_return marker(r);
  co_return std::move(r.data);
}

asio::awaitable<net::error_code> Peer::starttls(ssl::context& ctx) {
  auto r = co_await net::start_tls(stream_, buffer_, ctx, read_timeout);
  co_return r.error;
}

asio::awaitable<void> Peer::hold() {
  for (;;) {
    auto r = co_await net::read_line(stream_, buffer_, max_line, read_timeout);
    if (!r && *r.error != net::ReadError::too_long) co_return;
  }
}

asio::awaitable<void> Peer::close() {
  co_await stream_.shutdown(1s);
  stream_.close();
}

std::string ehlo_reply(std::string_view keywords) {
  std::vector<std::string_view> lines;
  while (!keywords.empty()) {
    const auto nl = keywords.find('\n');
    lines.push_back(keywords.substr(0, nl));
    keywords = nl == std::string_view::npos ? std::string_view() : keywords.substr(nl + 1);
  }
  std::string out = lines.empty() ? "250 mx.test\r\n" : "250-mx.test\r\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += i + 1 == lines.size() ? "250 " : "250-";
    out += lines[i];
    out += "\r\n";
  }
  return out;
}

asio::awaitable<void> greet(Peer& peer, std::string keywords) {
  co_await peer.send("220 mx.test ESMTP\r\n");
  EXPECT_EQ(co_await peer.line(), "EHLO client.example");
  co_await peer.send(ehlo_reply(keywords));
}

asio::awaitable<void> serve_one(tcp::acceptor& acceptor, Script script) {
  auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
  if (ec == asio::error::operation_aborted) co_return;  // the client never came (Harness::stop_accepting)
  if (ec) throw std::runtime_error("fake server: accept failed: " + ec.message());
  Peer peer(std::move(socket));
  co_await script(peer);
  co_await peer.close();
}

Harness::Harness() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  endpoint_ = acceptor_.local_endpoint();
}

void Harness::stop_accepting() {
  net::error_code ignored;
  acceptor_.cancel(ignored);
}

void Harness::wait(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) throw std::runtime_error("test timed out");
    if (io_.stopped()) io_.restart();
    io_.run_one_for(20ms);
  }
}

}  // namespace atrium::smtp::client::test
