// Shared fixtures for store tests: a fresh data directory per test, removed afterwards.
#pragma once

#include "storage/collections.hpp"
#include "storage/directory.hpp"
#include "storage/items.hpp"
#include "storage/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>

namespace atrium::storage::testing {

inline std::filesystem::path make_temp_dir(const std::string& tag) {
  std::random_device rd;
  auto p = std::filesystem::temp_directory_path() / ("atrium-" + tag + "-" + std::to_string(rd()));
  std::filesystem::create_directories(p);
  return p;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("store"); open(); }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open(CommitMode mode = CommitMode::group) {
    store_.reset();
    store_ = Store::open({.data_dir = dir_, .commit_mode = mode});
  }
  // A domain and a user with the default mailboxes; returns the user's id.
  PrincipalId add_user(const std::string& email) {
    return store_->write([&](WriteTxn& t) {
      auto domain = std::string(email.substr(email.find('@') + 1));
      if (!directory::find_domain(t, domain)) directory::add_domain(t, domain);
      return directory::add_user(t, {email, "$argon2id$not-a-real-hash", "", 0});
    });
  }
  Collection inbox(PrincipalId user) {
    return *store_->read([&](ReadTxn& t) {
      return collections::find(t, Actor::system(), user, CollectionKind::mailbox, "INBOX");
    });
  }
  items::Added add_message(PrincipalId user, CollectionId c, const std::string& body) {
    auto blob = store_->blobs().put(body);
    return store_->write([&](WriteTxn& t) {
      return items::add(t, Actor::principal(user), {.collection = c, .kind = ItemKind::message, .blob = blob});
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace atrium::storage::testing
