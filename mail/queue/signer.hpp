// DKIM signing of outbound mail with the keys `atrium dkim generate` stored: the key of the
// From domain (or of its closest parent domain that has one, which still aligns for DMARC in
// relaxed mode) signs, relaxed/relaxed, From oversigned. Keys are re-read from the store every
// few seconds, so a key generated while the server runs is used at once.
#pragma once

#include "storage/store.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace atrium::mail::auth::dkim {
struct SignOptions;
}

namespace atrium::mail::queue {

class DkimSigner {
 public:
  explicit DkimSigner(storage::Store& store, std::chrono::seconds refresh = std::chrono::seconds(5));
  ~DkimSigner();

  // The DKIM-Signature field to prepend to `message`, or "" when no stored key covers its From
  // domain. Thread-safe.
  std::string operator()(std::string_view message);

  // For mail that came in on our MX and goes out again (forwarding): the ARC set (RFC 8617) to
  // prepend, sealed with the key of `domain` (the forwarding address's domain) over the
  // Authentication-Results field our MX added (authserv-id `authserv_id`); "" when the message
  // carries no such field or `domain` has no key. The chain status (cv=) is the arc= result
  // recorded there. Thread-safe.
  std::string seal(std::string_view message, std::string_view domain, std::string_view authserv_id);

  struct Keys;

 private:
  std::shared_ptr<const Keys> keys();
  // The key for `domain` or its closest parent domain with one; nullptr when none.
  static const auth::dkim::SignOptions* key_for(const Keys& keys, std::string domain);

  storage::Store& store_;
  std::chrono::seconds refresh_;
  std::mutex mutex_;
  std::shared_ptr<const Keys> keys_;
  std::chrono::steady_clock::time_point loaded_{};
};

}  // namespace atrium::mail::queue
