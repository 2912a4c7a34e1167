// The outbound queue: what enqueue keeps (DSN parameters included), the blob reference each
// queued message holds, and that the store stays consistent through enqueue and removal.
#include "storage/blobs.hpp"
#include "storage/directory.hpp"
#include "storage/mail_auth.hpp"
#include "storage/profile.hpp"
#include "storage/messages.hpp"
#include "storage/queue.hpp"
#include "storage/schema.hpp"
#include "test_support.hpp"

#include <ctime>

namespace atrium::storage {
namespace {

using testing::StoreTest;

std::int64_t refcount(Store& store, const std::string& hash) {
  return store.read([&](ReadTxn& t) {
    auto q = t.db().prepare("SELECT refcount FROM blobs WHERE hash = ?");
    q.bind(1, hash);
    return q.step() ? q.column_int(0) : std::int64_t{-1};
  });
}

queue::OutboundMessage sample(const BlobRef& blob) {
  queue::OutboundMessage m;
  m.blob = blob;
  m.reverse_path = "sender@example.test";
  m.envid = "QQ314159";
  m.ret = queue::DsnRet::headers;
  m.body_type = queue::BodyType::eight_bit_mime;
  m.smtputf8 = true;
  m.recipients = {
      {"one@remote.test", queue::notify_success | queue::notify_failure, "rfc822;list@example.test"},
      {"two@remote.test", queue::notify_never, ""},
      {"three@remote.test", 0, ""},
  };
  return m;
}

TEST_F(StoreTest, EnqueueKeepsTheEnvelopeAndDsnParametersAndReferencesTheBlob) {
  auto blob = store_->blobs().put("queued body");
  auto id = store_->write([&](WriteTxn& t) { return queue::enqueue(t, sample(blob)); });
  EXPECT_GT(id, 0);
  EXPECT_EQ(refcount(*store_, blob.hash), 1);
  EXPECT_TRUE(store_->check_consistency().empty());

  auto all = store_->read([](ReadTxn& t) { return queue::list_queue(t); });
  ASSERT_EQ(all.size(), 1u);
  const auto& m = all.front();
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.blob.hash, blob.hash);
  EXPECT_EQ(m.blob.size, blob.size);
  EXPECT_EQ(m.reverse_path, "sender@example.test");
  EXPECT_EQ(m.envid, "QQ314159");
  EXPECT_EQ(m.ret, queue::DsnRet::headers);
  EXPECT_EQ(m.body_type, queue::BodyType::eight_bit_mime);
  EXPECT_TRUE(m.smtputf8);
  EXPECT_GT(m.created_at, 0);
  EXPECT_EQ(m.next_attempt_at, m.created_at);  // due at once
  EXPECT_EQ(m.attempts, 0);
  ASSERT_EQ(m.recipients.size(), 3u);
  EXPECT_EQ(m.recipients[0].address, "one@remote.test");
  EXPECT_EQ(m.recipients[0].notify, queue::notify_success | queue::notify_failure);
  EXPECT_EQ(m.recipients[0].orcpt, "rfc822;list@example.test");
  EXPECT_EQ(m.recipients[0].status, queue::RecipientStatus::pending);
  EXPECT_EQ(m.recipients[1].notify, queue::notify_never);
  EXPECT_EQ(m.recipients[1].orcpt, "");
  EXPECT_EQ(m.recipients[2].notify, 0u);

  // Stored as the RFC spells it, so the table reads like the SMTP dialogue.
  auto raw = store_->read([&](ReadTxn& t) {
    auto q = t.db().prepare("SELECT notify FROM outbound_recipients WHERE queue_id = ? ORDER BY id");
    q.bind(1, id);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.column_is_null(0) ? "NULL" : q.column_text(0));
    return out;
  });
  EXPECT_EQ(raw, (std::vector<std::string>{"SUCCESS,FAILURE", "NEVER", "NULL"}));
}

TEST_F(StoreTest, RemovingAQueuedMessageDropsItsReferenceAndItsRecipients) {
  auto blob = store_->blobs().put("queued twice");
  auto first = store_->write([&](WriteTxn& t) { return queue::enqueue(t, sample(blob)); });
  auto second = store_->write([&](WriteTxn& t) { return queue::enqueue(t, sample(blob)); });
  EXPECT_EQ(refcount(*store_, blob.hash), 2);
  EXPECT_TRUE(store_->check_consistency().empty());

  store_->write([&](WriteTxn& t) { queue::remove_queued(t, first); });
  EXPECT_EQ(refcount(*store_, blob.hash), 1);
  auto left = store_->read([](ReadTxn& t) { return queue::list_queue(t); });
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.front().id, second);
  EXPECT_TRUE(store_->check_consistency().empty());

  // While queued, garbage collection leaves the body alone.
  store_->collect_garbage(std::chrono::seconds(0));
  EXPECT_TRUE(store_->blobs().exists(blob.hash));

  store_->write([&](WriteTxn& t) { queue::remove_queued(t, second); });
  EXPECT_EQ(refcount(*store_, blob.hash), 0);
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return queue::list_queue(t); }).empty());
  EXPECT_EQ(store_->read([](ReadTxn& t) {
    auto q = t.db().prepare("SELECT COUNT(*) FROM outbound_recipients");
    q.step();
    return q.column_int(0);
  }), 0);
  EXPECT_TRUE(store_->check_consistency().empty());

  try {
    store_->write([&](WriteTxn& t) { queue::remove_queued(t, second); });
    FAIL() << "removed a message twice";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
}

TEST_F(StoreTest, EnqueueRefusesBadMessagesAndChangesNothing) {
  auto blob = store_->blobs().put("refused");
  auto refused = [&](auto change) {
    auto m = sample(blob);
    change(m);
    try {
      store_->write([&](WriteTxn& t) { queue::enqueue(t, m); });
      return false;
    } catch (const StoreError& e) {
      return e.code() == Errc::invalid;
    }
  };
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.recipients.clear(); }));
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.recipients[0].address.clear(); }));
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.recipients[0].notify = queue::notify_never | queue::notify_delay; }));
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.reverse_path = "a@b.test\r\nX-Injected: 1"; }));
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.envid = std::string(101, 'x'); }));
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.recipients[1].address = std::string(255, 'a'); }));
  EXPECT_TRUE(refused([](queue::OutboundMessage& m) { m.blob.hash = "not-a-hash"; }));
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return queue::list_queue(t); }).empty());
  EXPECT_EQ(refcount(*store_, blob.hash), -1);  // never referenced
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, EnqueueQueuesARepeatedRecipientOnceAndKeepsTheNullSender) {
  auto blob = store_->blobs().put("bounce");
  auto m = sample(blob);
  m.reverse_path.clear();
  m.envid.clear();
  m.ret = queue::DsnRet::unspecified;
  m.recipients.push_back({"one@remote.test", queue::notify_delay, "rfc822;other@example.test"});
  store_->write([&](WriteTxn& t) { queue::enqueue(t, m); });
  auto all = store_->read([](ReadTxn& t) { return queue::list_queue(t); });
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].reverse_path, "");
  EXPECT_EQ(all[0].envid, "");
  EXPECT_EQ(all[0].ret, queue::DsnRet::unspecified);
  ASSERT_EQ(all[0].recipients.size(), 3u);
  EXPECT_EQ(all[0].recipients[0].notify, queue::notify_success | queue::notify_failure);  // the first wins
}

TEST_F(StoreTest, QueueListsDueMessagesFirst) {
  auto blob = store_->blobs().put("order");
  auto later = sample(blob);
  later.next_attempt_at = 4'000'000'000;
  auto sooner = sample(blob);
  sooner.next_attempt_at = 1'000;
  auto a = store_->write([&](WriteTxn& t) { return queue::enqueue(t, later); });
  auto b = store_->write([&](WriteTxn& t) { return queue::enqueue(t, sooner); });
  auto all = store_->read([](ReadTxn& t) { return queue::list_queue(t); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, b);
  EXPECT_EQ(all[1].id, a);
}

TEST_F(StoreTest, CatchAllIsADomainSettingWithCheckedTargets) {
  add_user("boss@example.test");
  EXPECT_FALSE(store_->read([](ReadTxn& t) { return directory::get_catch_all(t, "example.test"); }));
  store_->write([](WriteTxn& t) { directory::set_catch_all(t, "EXAMPLE.test", "Boss@example.test"); });
  EXPECT_EQ(store_->read([](ReadTxn& t) { return directory::get_catch_all(t, "example.test"); }),
            std::optional<std::string>("boss@example.test"));
  store_->write([](WriteTxn& t) { directory::set_catch_all(t, "example.test", "someone@remote.test"); });
  EXPECT_EQ(store_->read([](ReadTxn& t) { return directory::get_catch_all(t, "example.test"); }),
            std::optional<std::string>("someone@remote.test"));

  auto code = [&](auto f) {
    try {
      store_->write(f);
    } catch (const StoreError& e) {
      return e.code();
    }
    return Errc::corrupt;
  };
  EXPECT_EQ(code([](WriteTxn& t) { directory::set_catch_all(t, "example.test", "typo@example.test"); }), Errc::not_found);
  EXPECT_EQ(code([](WriteTxn& t) { directory::set_catch_all(t, "other.test", "boss@example.test"); }), Errc::not_found);
  EXPECT_EQ(code([](WriteTxn& t) { directory::set_catch_all(t, "example.test", "not an address"); }), Errc::invalid);

  store_->write([](WriteTxn& t) { directory::set_catch_all(t, "example.test", std::nullopt); });
  EXPECT_FALSE(store_->read([](ReadTxn& t) { return directory::get_catch_all(t, "example.test"); }));
}

TEST_F(StoreTest, MigrationsUpgradeAVersionOneDatabaseWithData) {
  auto user = add_user("a@example.test");
  auto box = inbox(user).id;
  // Larger than the inline limit: a version-1 store kept every blob in a file.
  auto blob = store_->blobs().stage(std::string(300 * 1024, 'o'));
  auto old = store_->write([&](WriteTxn& t) {
    return items::add(t, Actor::system(), {.collection = box, .kind = ItemKind::message, .blob = blob,
                                           .meta = MessageMeta{"<old@x>", "old", "", ""}}).id;
  });
  // Turn the store back into what a version-1 binary left behind.
  store_->write([](WriteTxn& t) {
    t.db().exec(
        "DROP TABLE outbound_recipients; DROP TABLE outbound_queue; ALTER TABLE domains DROP COLUMN catch_all; "
        "ALTER TABLE blobs DROP COLUMN content; ALTER TABLE items DROP COLUMN saved_at; "
        "ALTER TABLE collections DROP COLUMN recent_uid; DROP TABLE subscriptions; "
        "DROP INDEX message_meta_thread; ALTER TABLE message_meta DROP COLUMN thread_id; DROP TABLE thread_keys; "
        "ALTER TABLE changes DROP COLUMN name; DROP TABLE dav_properties; DROP INDEX event_meta_range; "
        "ALTER TABLE event_meta DROP COLUMN exact; ALTER TABLE event_meta DROP COLUMN instances; DROP TABLE dkim_keys; DROP TABLE mta_sts_policies; DROP TABLE principal_profile; "
        "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'blob_hash TEXT NOT NULL,', "
        "'blob_hash TEXT NOT NULL REFERENCES blobs(hash),') WHERE name = 'items'; PRAGMA writable_schema = OFF; "
        "CREATE INDEX items_blob ON items(blob_hash); "
        "DELETE FROM schema_migrations WHERE version >= 2");
  });
  EXPECT_EQ(store_->read([](ReadTxn& t) { return schema::current_version(t.db()); }), 1);
  open();
  EXPECT_EQ(store_->read([](ReadTxn& t) { return schema::current_version(t.db()); }),
            schema::migrations().back().version);
  EXPECT_FALSE(store_->read([](ReadTxn& t) { return directory::get_catch_all(t, "example.test"); }));
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return directory::find_principal(t, "a@example.test").has_value(); }));
  // A message stored before threads were known is a thread of its own, found by its Message-ID.
  EXPECT_EQ(store_->read([&](ReadTxn& t) {
    auto q = t.db().prepare("SELECT thread_id FROM thread_keys WHERE message_id = 'old@x'");
    return q.step() ? q.column_int(0) : -1;
  }), old);
  auto reply_blob = store_->blobs().stage("a reply");
  auto later = store_->write([&](WriteTxn& t) {
    MessageMeta meta{"<new@x>", "Re: old", "", ""};
    meta.thread_keys = {"new@x", "old@x"};
    return items::add(t, Actor::system(), {.collection = box, .kind = ItemKind::message, .blob = reply_blob,
                                           .meta = meta}).uid;
  });
  std::vector<Uid> reply = {later};
  auto got = store_->read([&](ReadTxn& t) { return messages::fetch(t, Actor::system(), box, reply); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].meta.thread_id, old);
  auto queued = store_->blobs().put("after upgrade");
  store_->write([&](WriteTxn& t) { queue::enqueue(t, sample(queued)); });
  auto small = store_->blobs().stage("inline after upgrade");
  store_->write([&](WriteTxn& t) { queue::enqueue(t, sample(small)); });
  EXPECT_EQ(store_->read_blob(small.hash).value(), "inline after upgrade");
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(StoreTest, AttemptsSettleRecipientsAndTheLastOneRemovesTheMessage) {
  auto blob = store_->blobs().put("attempted body");
  auto id = store_->write([&](WriteTxn& t) { return queue::enqueue(t, sample(blob)); });
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto due = store_->read([&](ReadTxn& t) { return queue::due_messages(t, now, 10); });
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(store_->read([](ReadTxn& t) { return queue::next_due(t); }), due[0].next_attempt_at);

  // First attempt: one delivered, one failed, one deferred.
  queue::AttemptOutcome first{id, now,
                              {{"one@remote.test", queue::RecipientStatus::delivered, "250 ok", "2.0.0", "mx.remote.test"},
                               {"two@remote.test", queue::RecipientStatus::failed, "550 no", "5.1.1", "mx.remote.test"},
                               {"three@remote.test", queue::RecipientStatus::pending, "451 later", "4.7.1", "mx.remote.test"}},
                              now + 60, true};
  EXPECT_FALSE(store_->write([&](WriteTxn& t) { return queue::record_attempt(t, first); }));
  auto m = store_->read([&](ReadTxn& t) { return queue::get_queued(t, id); });
  ASSERT_TRUE(m);
  EXPECT_EQ(m->attempts, 1);
  EXPECT_EQ(m->next_attempt_at, now + 60);
  EXPECT_EQ(m->last_attempt_at, now);
  EXPECT_TRUE(m->delay_notified);
  EXPECT_EQ(m->recipients[0].status, queue::RecipientStatus::delivered);
  EXPECT_EQ(m->recipients[1].status_code, "5.1.1");
  EXPECT_EQ(m->recipients[2].remote_mta, "mx.remote.test");
  EXPECT_EQ(m->recipients[2].last_error, "451 later");
  // Not due before its time; due once it is.
  EXPECT_TRUE(store_->read([&](ReadTxn& t) { return queue::due_messages(t, now, 10); }).empty());
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return queue::due_messages(t, now + 60, 10); }).size(), 1u);
  // An operator's retry makes it due now.
  EXPECT_EQ(store_->write([&](WriteTxn& t) { return queue::retry_now(t, id); }), 1u);
  EXPECT_EQ(store_->read([&](ReadTxn& t) { return queue::due_messages(t, now + 5, 10); }).size(), 1u);

  // Second attempt settles the last pending recipient: the message and its blob reference go.
  queue::AttemptOutcome second{id, now + 60, {{"three@remote.test", queue::RecipientStatus::delivered, "250", "2.0.0", ""}},
                               0, false};
  EXPECT_TRUE(store_->write([&](WriteTxn& t) { return queue::record_attempt(t, second); }));
  EXPECT_FALSE(store_->read([&](ReadTxn& t) { return queue::get_queued(t, id); }));
  EXPECT_EQ(refcount(*store_, blob.hash), 0);
  EXPECT_FALSE(store_->read([](ReadTxn& t) { return queue::next_due(t); }));
  EXPECT_TRUE(store_->check_consistency().empty());
  // Recording for a message an operator deleted meanwhile is refused, not silently ignored.
  EXPECT_THROW(store_->write([&](WriteTxn& t) { return queue::record_attempt(t, second); }), StoreError);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { return queue::retry_now(t, id); }), StoreError);
}

TEST_F(StoreTest, DkimKeysAndMtaStsPoliciesAreKept) {
  using namespace mail_auth;
  store_->write([](WriteTxn& t) {
    put_dkim_key(t, {"example.test", "old", "rsa-sha256", "PEM1", "v=DKIM1; p=A", 100});
    put_dkim_key(t, {"example.test", "new", "ed25519-sha256", "PEM2", "v=DKIM1; k=ed25519; p=B", 200});
    put_dkim_key(t, {"other.test", "s", "rsa-sha256", "PEM3", "v=DKIM1; p=C", 50});
  });
  auto keys = store_->read([](ReadTxn& t) { return dkim_keys(t, std::string("example.test")); });
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].selector, "new");  // newest first
  EXPECT_EQ(store_->read([](ReadTxn& t) { return dkim_keys(t, std::nullopt); }).size(), 3u);
  EXPECT_THROW(store_->write([](WriteTxn& t) { put_dkim_key(t, {"example.test", "x", "rsa-sha1", "PEM", "", 1}); }),
               StoreError);
  EXPECT_TRUE(store_->write([](WriteTxn& t) { return remove_dkim_key(t, "example.test", "old"); }));
  EXPECT_FALSE(store_->write([](WriteTxn& t) { return remove_dkim_key(t, "example.test", "old"); }));

  EXPECT_FALSE(store_->read([](ReadTxn& t) { return mta_sts_policy(t, "remote.test"); }));
  store_->write([](WriteTxn& t) { put_mta_sts_policy(t, {"remote.test", "id1", "version: STSv1", 10, 20}); });
  store_->write([](WriteTxn& t) { put_mta_sts_policy(t, {"remote.test", "id2", "version: STSv1\n", 30, 40}); });
  auto p = store_->read([](ReadTxn& t) { return mta_sts_policy(t, "remote.test"); });
  ASSERT_TRUE(p);
  EXPECT_EQ(p->policy_id, "id2");
  EXPECT_EQ(p->expires_at, 40);
}

TEST_F(StoreTest, DirectoryProfileFieldsAreSetAndCleared) {
  auto id = store_->write([](WriteTxn& t) {
    directory::add_domain(t, "example.test");
    return directory::add_user(t, {"p@example.test", "$argon2id$x", "P", 0});
  });
  store_->write([&](WriteTxn& t) {
    profile::set_field(t, id, "phone", "+1 555 0100");
    profile::set_field(t, id, "title", "Engineer");
  });
  auto p = store_->read([&](ReadTxn& t) { return profile::get(t, id); });
  EXPECT_EQ(p.phone, "+1 555 0100");
  EXPECT_EQ(p.title, "Engineer");
  EXPECT_TRUE(p.department.empty());
  store_->write([&](WriteTxn& t) { profile::set_field(t, id, "title", ""); });
  EXPECT_TRUE(store_->read([&](ReadTxn& t) { return profile::get(t, id); }).title.empty());
  EXPECT_THROW(store_->write([&](WriteTxn& t) { profile::set_field(t, id, "salary", "1"); }), StoreError);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { profile::set_field(t, id, "phone", "a\nb"); }), StoreError);
  EXPECT_THROW(store_->write([&](WriteTxn& t) { profile::set_field(t, id + 100, "phone", "1"); }), StoreError);
  // Deleting the principal takes its profile along.
  store_->write([](WriteTxn& t) { directory::del_principal(t, "p@example.test"); });
  EXPECT_TRUE(store_->read([&](ReadTxn& t) { return profile::get(t, id); }).empty());
}

}  // namespace
}  // namespace atrium::storage
