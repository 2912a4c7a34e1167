// Local delivery end to end against a real store: one blob, one transaction, trace fields, the
// original bytes untouched, per-recipient quota, the outbound queue and all-or-nothing failure.
#include "mail/delivery/delivery.hpp"
#include "storage/queue.hpp"

#include "fixture.hpp"

namespace atrium::mail::delivery {
namespace {

using testing::DeliveryTest;
using namespace std::string_literals;

const std::string k_message =
    "From: Sender <sender@remote.test>\r\n"
    "To: a@example.test\r\n"
    "Subject: Quarterly\r\n numbers\r\n"
    "Message-ID: <q1@remote.test>\r\n"
    "\r\n"
    "Line one\r\n"
    "..dot-stuffing is the protocol's business\r\n"
    "\xff\x00 binary tail"s;

class LocalDeliveryTest : public DeliveryTest {
 protected:
  Envelope envelope(const std::vector<std::string>& rcpts) {
    Envelope env;
    env.reverse_path = "sender@remote.test";
    for (const auto& r : rcpts) env.recipients.push_back({r});
    env.helo = "mail.remote.test";
    env.peer_ip = "192.0.2.7";
    env.tls = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384";
    env.protocol = Protocol::esmtp;
    return env;
  }
  DeliveryResult deliver(const Envelope& env, const std::string& message = k_message) {
    return LocalDelivery(*store_, {.hostname = "mx.example.test"}).deliver(env, message);
  }
  std::string stored_bytes(const storage::Item& item) { return *store_->read_blob(item.blob.hash); }
  std::vector<DeliveryStatus> statuses(const DeliveryResult& r) {
    std::vector<DeliveryStatus> out;
    for (const auto& x : r.recipients) out.push_back(x.status);
    return out;
  }
};

TEST_F(LocalDeliveryTest, StoresReturnPathThenReceivedThenTheMessageByteForByte) {
  auto a = add_user("a@example.test");
  auto result = deliver(envelope({"a@example.test"}));
  ASSERT_EQ(result.recipients.size(), 1u);
  EXPECT_EQ(result.recipients[0].status, DeliveryStatus::delivered);
  EXPECT_EQ(result.recipients[0].stored, 1u);
  EXPECT_EQ(result.queue_id.size(), 16u);
  EXPECT_FALSE(result.outbound);

  auto items = messages(a, inbox(a).id);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].kind, storage::ItemKind::message);
  EXPECT_EQ(items[0].flags, 0u);
  EXPECT_GT(items[0].internal_date, 0);
  std::string bytes = stored_bytes(items[0]);
  ASSERT_EQ(bytes.rfind("Return-Path: <sender@remote.test>\r\nReceived: from mail.remote.test ([192.0.2.7])\r\n", 0), 0u)
      << bytes;
  auto header_end = bytes.find("; ", bytes.find("\tfor <a@example.test>"));
  ASSERT_NE(header_end, std::string::npos);
  auto received_end = bytes.find("\r\n", header_end) + 2;
  EXPECT_EQ(bytes.substr(received_end), k_message);  // untouched, NUL and 0xff included
  std::string trace = bytes.substr(0, received_end);
  EXPECT_NE(trace.find("\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n"), std::string::npos) << trace;
  EXPECT_NE(trace.find("by mx.example.test (Atrium) with ESMTPS id " + result.queue_id + "\r\n"), std::string::npos)
      << trace;
  EXPECT_EQ(items[0].blob.size, static_cast<std::int64_t>(bytes.size()));

  auto meta = store_->read([&](ReadTxn& t) {
    auto q = t.db().prepare("SELECT message_id, subject FROM message_meta WHERE item_id = ?");
    q.bind(1, items[0].id);
    q.step();
    return std::make_pair(q.column_text(0), q.column_text(1));
  });
  EXPECT_EQ(meta.first, "<q1@remote.test>");
  EXPECT_EQ(meta.second, "Quarterly numbers");
  // ENVELOPE and BODYSTRUCTURE are parsed once, here, for IMAP to serve from the row.
  auto imap = store_->read([&](ReadTxn& t) {
    auto q = t.db().prepare("SELECT envelope, bodystructure FROM message_meta WHERE item_id = ?");
    q.bind(1, items[0].id);
    q.step();
    return std::make_pair(q.column_text(0), q.column_text(1));
  });
  EXPECT_NE(imap.first.find("\"Quarterly numbers\""), std::string::npos) << imap.first;
  EXPECT_EQ(imap.second.rfind("(\"text\" \"plain\"", 0), 0u) << imap.second;
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(LocalDeliveryTest, OneBlobForUserAliasGroupAndPlusAddressInOneCommit) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  auto c = add_user("c@example.test");
  auto d = add_user("d@example.test");
  auto tagged = mailbox(d, "tag");
  alias("info@example.test", {"a@example.test"});
  group("team@example.test", {"a@example.test", "b@example.test", "c@example.test"});
  auto commits_before = store_->writer_stats().commits;

  auto result = deliver(envelope({"a@example.test", "info@example.test", "team@example.test", "d+tag@example.test"}));
  EXPECT_EQ(statuses(result), std::vector<DeliveryStatus>(4, DeliveryStatus::delivered));
  EXPECT_EQ(result.recipients[0].stored, 1u);  // a
  EXPECT_EQ(result.recipients[1].stored, 0u);  // a again, through the alias: already served
  EXPECT_EQ(result.recipients[2].stored, 2u);  // b and c; a already served
  EXPECT_EQ(result.recipients[3].stored, 1u);  // d
  EXPECT_EQ(store_->writer_stats().commits, commits_before + 1);

  EXPECT_EQ(messages(a, inbox(a).id).size(), 1u);
  EXPECT_EQ(messages(b, inbox(b).id).size(), 1u);
  EXPECT_EQ(messages(c, inbox(c).id).size(), 1u);
  EXPECT_EQ(messages(d, inbox(d).id).size(), 0u);
  auto in_tag = messages(d, tagged.id);
  ASSERT_EQ(in_tag.size(), 1u);
  EXPECT_EQ(refcount(in_tag[0].blob.hash), 4);
  EXPECT_EQ(count("SELECT COUNT(*) FROM blobs"), 1);
  EXPECT_EQ(blob_files(), 0u) << "a small message is stored in its row";
  // Several recipients: no "for" clause naming one of them to the others.
  EXPECT_EQ(stored_bytes(in_tag[0]).find("\tfor <"), std::string::npos);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(LocalDeliveryTest, ARecipientOverQuotaFailsAloneAndTemporarily) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  auto c = add_user("c@example.test");
  quota("b@example.test", 100);  // far less than the message with its trace fields

  auto result = deliver(envelope({"a@example.test", "b@example.test", "c@example.test"}));
  EXPECT_EQ(statuses(result), (std::vector<DeliveryStatus>{DeliveryStatus::delivered, DeliveryStatus::over_quota,
                                                           DeliveryStatus::delivered}));
  EXPECT_EQ(result.recipients[1].over_quota, std::vector<PrincipalId>{b});
  EXPECT_EQ(messages(a, inbox(a).id).size(), 1u);
  EXPECT_EQ(messages(b, inbox(b).id).size(), 0u);
  EXPECT_EQ(messages(c, inbox(c).id).size(), 1u);
  auto used_b = store_->read([&](ReadTxn& t) { return storage::directory::get_principal(t, b)->used_bytes; });
  EXPECT_EQ(used_b, 0);
  EXPECT_EQ(refcount(messages(a, inbox(a).id)[0].blob.hash), 2);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(LocalDeliveryTest, AGroupWithOneMemberOverQuotaIsStillDelivered) {
  auto a = add_user("a@example.test");
  auto b = add_user("b@example.test");
  group("team@example.test", {"a@example.test", "b@example.test"});
  quota("b@example.test", 100);
  auto result = deliver(envelope({"team@example.test"}));
  ASSERT_EQ(result.recipients.size(), 1u);
  EXPECT_EQ(result.recipients[0].status, DeliveryStatus::delivered);
  EXPECT_EQ(result.recipients[0].stored, 1u);
  EXPECT_EQ(result.recipients[0].over_quota, std::vector<PrincipalId>{b});
  EXPECT_EQ(messages(a, inbox(a).id).size(), 1u);
}

TEST_F(LocalDeliveryTest, RemoteRecipientsOfASubmissionLandInTheQueueWithTheirDsnParameters) {
  auto a = add_user("a@example.test");
  auto env = envelope({});
  env.reverse_path = "a@example.test";
  env.authenticated = AuthenticatedUser{a, "a@example.test"};
  env.envid = "ENV-42";
  env.ret = DsnRet::headers;
  env.body_type = BodyType::eight_bit_mime;
  env.smtputf8 = true;
  env.recipients = {
      {"x@remote.test", notify_success | notify_failure, "rfc822;x@remote.test"},
      {"a@example.test", 0, ""},
      {"Y@Other.TEST", notify_never, ""},
  };
  auto result = deliver(env);
  EXPECT_EQ(statuses(result), std::vector<DeliveryStatus>(3, DeliveryStatus::delivered));
  EXPECT_EQ(result.recipients[0].queued, 1u);
  EXPECT_EQ(result.recipients[1].stored, 1u);
  ASSERT_TRUE(result.outbound);
  EXPECT_NE(stored_bytes(messages(a, inbox(a).id).at(0)).find("with ESMTPSA id"), std::string::npos);

  auto queued = store_->read([](ReadTxn& t) { return storage::queue::list_queue(t); });
  ASSERT_EQ(queued.size(), 1u);
  const auto& m = queued[0];
  EXPECT_EQ(m.id, *result.outbound);
  EXPECT_EQ(m.reverse_path, "a@example.test");
  EXPECT_EQ(m.envid, "ENV-42");
  EXPECT_EQ(m.ret, storage::queue::DsnRet::headers);
  EXPECT_EQ(m.body_type, storage::queue::BodyType::eight_bit_mime);
  EXPECT_TRUE(m.smtputf8);
  ASSERT_EQ(m.recipients.size(), 2u);
  EXPECT_EQ(m.recipients[0].address, "x@remote.test");
  EXPECT_EQ(m.recipients[0].notify, storage::queue::notify_success | storage::queue::notify_failure);
  EXPECT_EQ(m.recipients[0].orcpt, "rfc822;x@remote.test");
  EXPECT_EQ(m.recipients[1].address, "Y@other.test");
  EXPECT_EQ(m.recipients[1].notify, storage::queue::notify_never);
  EXPECT_EQ(m.recipients[1].orcpt, "");
  // The same blob serves the local copy and the queue entry.
  EXPECT_EQ(m.blob.hash, messages(a, inbox(a).id).at(0).blob.hash);
  EXPECT_EQ(refcount(m.blob.hash), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM blobs"), 1);
  EXPECT_TRUE(store_->check_consistency().empty());

  store_->write([&](WriteTxn& t) { storage::queue::remove_queued(t, m.id); });
  EXPECT_EQ(refcount(m.blob.hash), 1);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(LocalDeliveryTest, UndeclaredEightBitContentIsQueuedAs8BitMime) {
  auto a = add_user("a@example.test");
  auto env = envelope({"x@remote.test"});
  env.authenticated = AuthenticatedUser{a, "a@example.test"};
  env.undeclared_8bit = true;
  deliver(env);
  auto queued = store_->read([](ReadTxn& t) { return storage::queue::list_queue(t); });
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].body_type, storage::queue::BodyType::eight_bit_mime);
  EXPECT_EQ(queued[0].ret, storage::queue::DsnRet::unspecified);
  EXPECT_EQ(queued[0].envid, "");
}

TEST_F(LocalDeliveryTest, AnAliasForwardsToItsExternalTargetsEvenFromTheMx) {
  auto a = add_user("a@example.test");
  alias("fwd@example.test", {"a@example.test", "out@remote.test"});
  auto env = envelope({"fwd@example.test"});
  env.recipients[0].notify = notify_failure;
  auto result = deliver(env);
  ASSERT_EQ(result.recipients.size(), 1u);
  EXPECT_EQ(result.recipients[0].status, DeliveryStatus::delivered);
  EXPECT_EQ(result.recipients[0].stored, 1u);
  EXPECT_EQ(result.recipients[0].queued, 1u);
  EXPECT_EQ(messages(a, inbox(a).id).size(), 1u);
  auto queued = store_->read([](ReadTxn& t) { return storage::queue::list_queue(t); });
  ASSERT_EQ(queued.size(), 1u);
  ASSERT_EQ(queued[0].recipients.size(), 1u);
  EXPECT_EQ(queued[0].recipients[0].address, "out@remote.test");
  EXPECT_EQ(queued[0].recipients[0].notify, storage::queue::notify_failure);
  EXPECT_EQ(queued[0].recipients[0].orcpt, "rfc822;fwd@example.test");  // the address the sender used
}

TEST_F(LocalDeliveryTest, UnknownAndUnrelayableRecipientsAreRefusedOneByOne) {
  auto a = add_user("a@example.test");
  auto env = envelope({"ghost@example.test", "a@example.test", "far@remote.test"});
  auto result = deliver(env);
  EXPECT_EQ(statuses(result), (std::vector<DeliveryStatus>{DeliveryStatus::unknown_recipient,
                                                           DeliveryStatus::delivered, DeliveryStatus::relay_denied}));
  EXPECT_EQ(messages(a, inbox(a).id).size(), 1u);
  EXPECT_TRUE(store_->read([](ReadTxn& t) { return storage::queue::list_queue(t); }).empty());

  env.protocol = Protocol::lmtp;  // LMTP never relays, authenticated or not
  env.authenticated = AuthenticatedUser{a, "a@example.test"};
  env.recipients = {{"far@remote.test"}};
  EXPECT_EQ(deliver(env).recipients.at(0).status, DeliveryStatus::relay_denied);
}

TEST_F(LocalDeliveryTest, ARepeatedRecipientGetsOneCopy) {
  auto a = add_user("a@example.test");
  auto result = deliver(envelope({"a@example.test", "A@example.test", "a+x@example.test"}));
  EXPECT_EQ(statuses(result), std::vector<DeliveryStatus>(3, DeliveryStatus::delivered));
  EXPECT_EQ(messages(a, inbox(a).id).size(), 1u);
}

TEST_F(LocalDeliveryTest, AResourceGetsAnInboxOnItsFirstMessage) {
  add_user("a@example.test");
  auto room = resource("room@example.test");
  auto env = envelope({"room@example.test"});
  env.protocol = Protocol::lmtp;
  env.tls.clear();
  auto result = deliver(env);
  EXPECT_EQ(result.recipients.at(0).status, DeliveryStatus::delivered);
  auto box = store_->read([&](ReadTxn& t) {
    return storage::collections::find(t, storage::Actor::system(), room, storage::CollectionKind::mailbox, "INBOX");
  });
  ASSERT_TRUE(box);
  auto items = messages(room, box->id);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_NE(stored_bytes(items[0]).find(" with LMTP id "), std::string::npos);
  deliver(env);
  EXPECT_EQ(messages(room, box->id).size(), 2u);
}

TEST_F(LocalDeliveryTest, AFailingTransactionFailsEveryRecipientAndKeepsNothing) {
  auto a = add_user("a@example.test");
  add_user("b@example.test");
  // Make the job fail after it has stored for `a`: the trigger fires on b's item.
  store_->write([&](WriteTxn& t) {
    t.db().exec("CREATE TRIGGER refuse_b BEFORE INSERT ON items WHEN NEW.account_id != " + std::to_string(a) +
                " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
  });
  auto env = envelope({"a@example.test", "b@example.test", "far@remote.test"});
  env.authenticated = AuthenticatedUser{a, "a@example.test"};
  auto result = deliver(env);
  EXPECT_EQ(statuses(result), std::vector<DeliveryStatus>(3, DeliveryStatus::temporary_failure));
  EXPECT_FALSE(result.outbound);
  EXPECT_EQ(messages(a, inbox(a).id).size(), 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbound_queue"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM blobs WHERE refcount > 0"), 0);
  EXPECT_TRUE(store_->check_consistency().empty());
}

TEST_F(LocalDeliveryTest, NoRecipientsStoreNothing) {
  add_user("a@example.test");
  auto result = deliver(envelope({}));
  EXPECT_TRUE(result.recipients.empty());
  EXPECT_EQ(blob_files(), 0u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM blobs"), 0);
}

TEST_F(LocalDeliveryTest, MetadataIsMadeSafeForTheDatabase) {
  auto a = add_user("a@example.test");
  std::string message = "Subject: caf\xC3\xA9 \xFF\x01 end\r\nMessage-ID: " + std::string(5000, 'x') + "\r\n\r\nbody";
  deliver(envelope({"a@example.test"}), message);
  auto items = messages(a, inbox(a).id);
  ASSERT_EQ(items.size(), 1u);
  auto meta = store_->read([&](ReadTxn& t) {
    auto q = t.db().prepare("SELECT message_id, subject FROM message_meta WHERE item_id = ?");
    q.bind(1, items[0].id);
    q.step();
    return std::make_pair(q.column_text(0), q.column_text(1));
  });
  EXPECT_EQ(meta.first.size(), 998u);
  EXPECT_EQ(meta.second, "caf\xC3\xA9 \xEF\xBF\xBD  end");
}

}  // namespace
}  // namespace atrium::mail::delivery
