// A store with a local domain and helpers to build directories for the delivery tests.
#pragma once

#include "mail/delivery/delivery.hpp"
#include "mail/delivery/resolve.hpp"
#include "storage/directory.hpp"
#include "tests/unit/storage/test_support.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace atrium::mail::delivery {
// Test-only shorthands for the store types every delivery test names.
using storage::PrincipalId;
using storage::ReadTxn;
using storage::WriteTxn;
}  // namespace atrium::mail::delivery

namespace atrium::mail::delivery::testing {

class DeliveryTest : public storage::testing::StoreTest {
 protected:
  void alias(const std::string& address, const std::vector<std::string>& targets) {
    store_->write([&](WriteTxn& t) { storage::directory::add_alias(t, address, targets); });
  }
  PrincipalId group(const std::string& address, const std::vector<std::string>& members) {
    return store_->write([&](WriteTxn& t) { return storage::directory::add_group(t, {address, "", members}); });
  }
  PrincipalId resource(const std::string& address) {
    return store_->write([&](WriteTxn& t) { return storage::directory::add_resource(t, {address, "Room", storage::ResourceKind::room}); });
  }
  void quota(const std::string& address, std::int64_t bytes) {
    store_->write([&](WriteTxn& t) { storage::directory::set_quota(t, address, bytes); });
  }
  storage::Collection mailbox(PrincipalId user, const std::string& name) {
    return store_->write([&](WriteTxn& t) {
      return storage::collections::create(t, storage::Actor::system(), {user, storage::CollectionKind::mailbox, name, ""});
    });
  }
  Resolution resolve_address(const std::string& address) {
    return store_->read([&](ReadTxn& t) { return resolve(t, address); });
  }
  std::vector<storage::Item> messages(PrincipalId user, storage::CollectionId box) {
    return store_->read([&](ReadTxn& t) { return storage::items::list(t, storage::Actor::principal(user), box); });
  }
  std::int64_t refcount(const std::string& hash) {
    return store_->read([&](ReadTxn& t) {
      auto q = t.db().prepare("SELECT refcount FROM blobs WHERE hash = ?");
      q.bind(1, hash);
      return q.step() ? q.column_int(0) : std::int64_t{-1};
    });
  }
  std::int64_t count(const std::string& sql) {
    return store_->read([&](ReadTxn& t) {
      auto q = t.db().prepare(sql);
      q.step();
      return q.column_int(0);
    });
  }
  std::size_t blob_files() {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ / "blobs")) n += e.is_regular_file();
    return n;
  }
};

}  // namespace atrium::mail::delivery::testing
