// Directory rules: what may be created, what is refused, and what deletion takes with it.
#include "test_support.hpp"

namespace atrium::storage {
namespace {

using testing::StoreTest;

Errc error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const StoreError& e) {
    return e.code();
  }
  ADD_FAILURE() << "no error";
  return Errc::corrupt;
}

TEST_F(StoreTest, NewUsersGetTheDefaultMailboxesWithSpecialUse) {
  auto user = add_user("Demo@Example.TEST");
  auto boxes = store_->read(
      [&](ReadTxn& t) { return collections::list(t, Actor::principal(user), user, CollectionKind::mailbox); });
  std::vector<std::pair<std::string, std::string>> got;
  for (auto& b : boxes) got.emplace_back(b.name, b.special_use);
  std::vector<std::pair<std::string, std::string>> want = {{"Archive", "\\Archive"}, {"Drafts", "\\Drafts"},
                                                           {"INBOX", ""},            {"Junk", "\\Junk"},
                                                           {"Sent", "\\Sent"},       {"Trash", "\\Trash"}};
  EXPECT_EQ(got, want);
  // And what DAV clients expect: a calendar, a task list, an address book and the file area.
  std::vector<std::pair<CollectionKind, std::string>> dav;
  for (auto& b : store_->read([&](ReadTxn& t) { return collections::list(t, Actor::principal(user), user); })) {
    if (b.kind != CollectionKind::mailbox) dav.emplace_back(b.kind, b.name);
  }
  EXPECT_EQ(dav, (std::vector<std::pair<CollectionKind, std::string>>{{CollectionKind::calendar, "calendar"},
                                                                      {CollectionKind::tasks, "tasks"},
                                                                      {CollectionKind::addressbook, "contacts"},
                                                                      {CollectionKind::files, "Files"}}));
  auto p = store_->read([](ReadTxn& t) { return directory::find_principal(t, "DEMO@example.test"); });
  ASSERT_TRUE(p);
  EXPECT_EQ(p->email, "demo@example.test");
  EXPECT_TRUE(p->has_password);
}

TEST_F(StoreTest, RefusesBadOrDuplicateDirectoryEntriesAndChangesNothing) {
  add_user("a@example.test");
  auto w = [&](auto f) { return [&, f] { store_->write(f); }; };
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_domain(t, "example.test"); })), Errc::conflict);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_domain(t, "bad_domain"); })), Errc::invalid);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_user(t, {"a@example.test", "h", "", 0}); })), Errc::conflict);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_user(t, {"b@elsewhere.test", "h", "", 0}); })), Errc::not_found);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_user(t, {"not an address", "h", "", 0}); })), Errc::invalid);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_user(t, {"c@example.test", "", "", 0}); })), Errc::invalid);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_alias(t, "a@example.test", {"x@remote.test"}); })), Errc::conflict);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::del_domain(t, "example.test"); })), Errc::conflict);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::del_principal(t, "ghost@example.test"); })), Errc::not_found);
  EXPECT_EQ(error_of(w([](WriteTxn& t) { directory::add_app_password(t, "a@example.test", "", "sha256$x"); })), Errc::invalid);
  auto users = store_->read([](ReadTxn& t) { return directory::list_principals(t); });
  ASSERT_EQ(users.size(), 1u);
  EXPECT_FALSE(store_->read([](ReadTxn& t) { return directory::find_principal(t, "c@example.test"); }).has_value());
}

TEST_F(StoreTest, AliasesCollectTargetsAndCannotShadowAccounts) {
  add_user("a@example.test");
  store_->write([](WriteTxn& t) {
    directory::add_alias(t, "info@example.test", {"a@example.test"});
    directory::add_alias(t, "INFO@example.test", {"ext@remote.test"});
  });
  auto alias = store_->read([](ReadTxn& t) { return directory::find_alias(t, "info@example.test"); });
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->targets, (std::vector<std::string>{"a@example.test", "ext@remote.test"}));
  EXPECT_EQ(error_of([&] { store_->write([](WriteTxn& t) { directory::add_user(t, {"info@example.test", "h", "", 0}); }); }),
            Errc::conflict);
  store_->write([](WriteTxn& t) { directory::del_alias(t, "info@example.test"); });
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return directory::list_aliases(t); }).empty());
}

TEST_F(StoreTest, GroupsNestButNeverLoop) {
  add_user("a@example.test");
  store_->write([](WriteTxn& t) {
    directory::add_group(t, {"inner@example.test", "Inner", {"a@example.test"}});
    directory::add_group(t, {"outer@example.test", "Outer", {"inner@example.test"}});
  });
  EXPECT_EQ(error_of([&] { store_->write([](WriteTxn& t) { directory::add_member(t, "inner@example.test", "outer@example.test"); }); }),
            Errc::invalid);
  EXPECT_EQ(error_of([&] { store_->write([](WriteTxn& t) { directory::add_member(t, "inner@example.test", "inner@example.test"); }); }),
            Errc::invalid);
  EXPECT_EQ(error_of([&] { store_->write([](WriteTxn& t) { directory::add_member(t, "a@example.test", "inner@example.test"); }); }),
            Errc::invalid);
  auto a = store_->read([](ReadTxn& t) { return directory::find_principal(t, "a@example.test")->id; });
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return directory::groups_of(t, a).size(); }), 2u);
  store_->write([](WriteTxn& t) { directory::del_member(t, "inner@example.test", "a@example.test"); });
  EXPECT_TRUE(store_->read([&](ReadTxn& t) { return directory::groups_of(t, a); }).empty());
}

TEST_F(StoreTest, DeletingAUserDropsItsDataAndBlobReferences) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  add_message(a, inbox(a).id, "shared");
  add_message(b, inbox(b).id, "shared");
  add_message(a, inbox(a).id, "only a");
  store_->write([](WriteTxn& t) {
    directory::add_app_password(t, "a@example.test", "phone", "sha256$00");
    directory::add_group(t, {"g@example.test", "", {"a@example.test"}});
    directory::del_principal(t, "a@example.test");
  });
  EXPECT_TRUE(store_->check_consistency().empty());
  EXPECT_EQ(store_->collect_garbage(std::chrono::seconds(-5)), 1u);  // "only a"; "shared" stays for b
  EXPECT_TRUE(store_->blobs().exists(sha256_hex("shared")));
  auto g = store_->read([](ReadTxn& t) { return directory::find_principal(t, "g@example.test")->id; });
  EXPECT_TRUE(store_->read([&](ReadTxn& t) { return directory::group_members(t, g); }).empty());
  store_->write([](WriteTxn& t) {
    directory::del_principal(t, "b@example.test");
    directory::del_principal(t, "g@example.test");
    directory::del_domain(t, "example.test");
  });
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return directory::list_domains(t); }).empty());
}

TEST_F(StoreTest, ResourcesAndAppPasswordsAreListed) {
  add_user("a@example.test");
  store_->write([](WriteTxn& t) {
    directory::add_resource(t, {"room1@example.test", "Room 1", ResourceKind::room});
    directory::add_app_password(t, "a@example.test", "phone", "sha256$00");
  });
  auto rooms = store_->read([](ReadTxn& t) { return directory::list_principals(t, PrincipalKind::resource); });
  ASSERT_EQ(rooms.size(), 1u);
  EXPECT_EQ(rooms[0].resource_kind, ResourceKind::room);
  auto a = store_->read([](ReadTxn& t) { return directory::find_principal(t, "a@example.test")->id; });
  auto pw = store_->read([&](ReadTxn& t) { return directory::list_app_passwords(t, a); });
  ASSERT_EQ(pw.size(), 1u);
  EXPECT_EQ(pw[0].label, "phone");
  EXPECT_EQ(error_of([&] { store_->write([](WriteTxn& t) { directory::add_app_password(t, "a@example.test", "phone", "sha256$01"); }); }),
            Errc::conflict);
}

}  // namespace
}  // namespace atrium::storage
