// Outbound queue rows and the blob reference each queued message holds.
#include "storage/queue.hpp"

#include "storage/blobs.hpp"

#include <fmt/format.h>

#include <ctime>
#include <map>
#include <set>

namespace atrium::storage::queue {
namespace {

// Limits from the RFCs the values come from: a path (RFC 5321 §4.5.3.1.3), ENVID and ORCPT
// (RFC 3461 §4.4, §4.2). The queue never stores more than a later RCPT/MAIL could carry.
constexpr std::size_t k_max_address = 254;
constexpr std::size_t k_max_envid = 100;
constexpr std::size_t k_max_orcpt = 500;

void check_text(std::string_view what, std::string_view value, std::size_t max) {
  if (value.size() > max) throw StoreError(Errc::invalid, fmt::format("{} longer than {} octets", what, max));
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) throw StoreError(Errc::invalid, fmt::format("control character in {}", what));
  }
}

std::optional<std::string> opt(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

std::string_view body_type_text(BodyType b) {
  switch (b) {
    case BodyType::eight_bit_mime: return "8BITMIME";
    case BodyType::binary_mime: return "BINARYMIME";
    case BodyType::seven_bit: break;
  }
  return "7BIT";
}

BodyType body_type_of(std::string_view s) {
  if (s == "8BITMIME") return BodyType::eight_bit_mime;
  if (s == "BINARYMIME") return BodyType::binary_mime;
  return BodyType::seven_bit;
}

std::optional<std::string> ret_text(DsnRet r) {
  switch (r) {
    case DsnRet::full: return "FULL";
    case DsnRet::headers: return "HDRS";
    case DsnRet::unspecified: break;
  }
  return std::nullopt;
}

DsnRet ret_of(std::string_view s) {
  if (s == "FULL") return DsnRet::full;
  if (s == "HDRS") return DsnRet::headers;
  return DsnRet::unspecified;
}

// NOTIFY is stored as RFC 3461 spells it ("NEVER" or "SUCCESS,FAILURE,DELAY"), so the worker
// and an operator reading the table see the client's words.
std::optional<std::string> notify_text(DsnNotifySet n) {
  if (n == 0) return std::nullopt;
  if (n & notify_never) return "NEVER";
  std::string out;
  auto add = [&](DsnNotify bit, const char* word) {
    if (!(n & bit)) return;
    if (!out.empty()) out += ',';
    out += word;
  };
  add(notify_success, "SUCCESS");
  add(notify_failure, "FAILURE");
  add(notify_delay, "DELAY");
  return out;
}

DsnNotifySet notify_of(std::string_view s) {
  DsnNotifySet n = 0;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto word = s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (word == "SUCCESS") n |= notify_success;
    if (word == "FAILURE") n |= notify_failure;
    if (word == "DELAY") n |= notify_delay;
    if (word == "NEVER") n |= notify_never;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return n;
}

std::string_view status_text(RecipientStatus s) {
  switch (s) {
    case RecipientStatus::delivered: return "delivered";
    case RecipientStatus::failed: return "failed";
    case RecipientStatus::pending: break;
  }
  return "pending";
}

RecipientStatus status_of(std::string_view s) {
  if (s == "delivered") return RecipientStatus::delivered;
  if (s == "failed") return RecipientStatus::failed;
  return RecipientStatus::pending;
}

}  // namespace

QueueId enqueue(WriteTxn& txn, const OutboundMessage& m) {
  if (m.recipients.empty()) throw StoreError(Errc::invalid, "a queued message needs at least one recipient");
  check_text("reverse-path", m.reverse_path, k_max_address);
  check_text("ENVID", m.envid, k_max_envid);
  for (const auto& r : m.recipients) {
    if (r.address.empty()) throw StoreError(Errc::invalid, "empty recipient address");
    check_text("recipient address", r.address, k_max_address);
    check_text("ORCPT", r.orcpt, k_max_orcpt);
    check_text("last error", r.last_error, 4096);
    if ((r.notify & notify_never) && r.notify != notify_never) {
      throw StoreError(Errc::invalid, "NOTIFY=NEVER cannot be combined with other values");
    }
  }
  auto now = static_cast<std::int64_t>(std::time(nullptr));

  blob_ref(txn, m.blob);
  auto& q = txn.db().cached(
      "INSERT INTO outbound_queue (created_at, blob_hash, size, reverse_path, envid, ret, body_type, smtputf8, "
      "next_attempt_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  q.bind(1, m.created_at ? m.created_at : now)
      .bind(2, m.blob.hash)
      .bind(3, m.blob.size)
      .bind(4, m.reverse_path)
      .bind(5, opt(m.envid))
      .bind(6, ret_text(m.ret))
      .bind(7, body_type_text(m.body_type))
      .bind(8, std::int64_t{m.smtputf8 ? 1 : 0})
      .bind(9, m.next_attempt_at ? m.next_attempt_at : now)
      .bind(10, m.attempts);
  q.step();
  QueueId id = q.column_int(0);
  q.reset();

  std::set<std::string> seen;
  for (const auto& r : m.recipients) {
    if (!seen.insert(r.address).second) continue;
    txn.db()
        .cached("INSERT INTO outbound_recipients (queue_id, address, notify, orcpt, status, last_error) "
                "VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, id)
        .bind(2, r.address)
        .bind(3, notify_text(r.notify))
        .bind(4, opt(r.orcpt))
        .bind(5, status_text(r.status))
        .bind(6, r.last_error)
        .run();
  }
  return id;
}

namespace {

constexpr const char* k_message_columns =
    "SELECT id, created_at, blob_hash, size, reverse_path, envid, ret, body_type, smtputf8, next_attempt_at, "
    "attempts, last_attempt_at, delay_notified FROM outbound_queue ";

OutboundMessage message_row(sql::Statement& q) {
  OutboundMessage m;
  m.id = q.column_int(0);
  m.created_at = q.column_int(1);
  m.blob = {q.column_text(2), q.column_int(3)};
  m.reverse_path = q.column_text(4);
  m.envid = q.column_is_null(5) ? "" : q.column_text(5);
  m.ret = q.column_is_null(6) ? DsnRet::unspecified : ret_of(q.column_text(6));
  m.body_type = body_type_of(q.column_text(7));
  m.smtputf8 = q.column_int(8) != 0;
  m.next_attempt_at = q.column_int(9);
  m.attempts = q.column_int(10);
  m.last_attempt_at = q.column_int(11);
  m.delay_notified = q.column_int(12) != 0;
  return m;
}

void load_recipients(ReadTxn& txn, OutboundMessage& m) {
  auto& r = txn.db().cached(
      "SELECT address, notify, orcpt, status, last_error, status_code, remote_mta, updated_at "
      "FROM outbound_recipients WHERE queue_id = ? ORDER BY id");
  r.bind(1, m.id);
  while (r.step()) {
    OutboundRecipient rcpt;
    rcpt.address = r.column_text(0);
    rcpt.notify = r.column_is_null(1) ? 0 : notify_of(r.column_text(1));
    rcpt.orcpt = r.column_is_null(2) ? "" : r.column_text(2);
    rcpt.status = status_of(r.column_text(3));
    rcpt.last_error = r.column_text(4);
    rcpt.status_code = r.column_text(5);
    rcpt.remote_mta = r.column_text(6);
    rcpt.updated_at = r.column_int(7);
    m.recipients.push_back(std::move(rcpt));
  }
  r.reset();
}

}  // namespace

std::vector<OutboundMessage> list_queue(ReadTxn& txn) {
  std::vector<OutboundMessage> out;
  auto& q = txn.db().cached(std::string(k_message_columns) + "ORDER BY next_attempt_at, id");
  while (q.step()) out.push_back(message_row(q));
  q.reset();
  for (auto& m : out) load_recipients(txn, m);
  return out;
}

std::vector<OutboundMessage> due_messages(ReadTxn& txn, std::int64_t now, std::size_t limit) {
  std::vector<OutboundMessage> out;
  auto& q = txn.db().cached(std::string(k_message_columns) +
                            "WHERE next_attempt_at <= ? AND EXISTS (SELECT 1 FROM outbound_recipients r "
                            "WHERE r.queue_id = outbound_queue.id AND r.status = 'pending') "
                            "ORDER BY next_attempt_at, id LIMIT ?");
  q.bind(1, now).bind(2, static_cast<std::int64_t>(limit));
  while (q.step()) out.push_back(message_row(q));
  q.reset();
  for (auto& m : out) load_recipients(txn, m);
  return out;
}

std::optional<OutboundMessage> get_queued(ReadTxn& txn, QueueId id) {
  auto& q = txn.db().cached(std::string(k_message_columns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) {
    q.reset();
    return std::nullopt;
  }
  auto m = message_row(q);
  q.reset();
  load_recipients(txn, m);
  return m;
}

std::optional<std::int64_t> next_due(ReadTxn& txn) {
  auto& q = txn.db().cached(
      "SELECT MIN(next_attempt_at) FROM outbound_queue WHERE EXISTS (SELECT 1 FROM outbound_recipients r "
      "WHERE r.queue_id = outbound_queue.id AND r.status = 'pending')");
  std::optional<std::int64_t> out;
  if (q.step() && !q.column_is_null(0)) out = q.column_int(0);
  q.reset();
  return out;
}

bool record_attempt(WriteTxn& txn, const AttemptOutcome& outcome) {
  auto& exists = txn.db().cached("SELECT 1 FROM outbound_queue WHERE id = ?");
  exists.bind(1, outcome.id);
  bool found = exists.step();
  exists.reset();
  if (!found) throw StoreError(Errc::not_found, fmt::format("queued message {} does not exist", outcome.id));
  for (const auto& r : outcome.recipients) {
    check_text("last error", r.last_error, 4096);
    txn.db()
        .cached("UPDATE outbound_recipients SET status = ?, last_error = ?, status_code = ?, remote_mta = ?, "
                "updated_at = ? WHERE queue_id = ? AND address = ?")
        .bind(1, status_text(r.status))
        .bind(2, r.last_error)
        .bind(3, r.status_code)
        .bind(4, r.remote_mta)
        .bind(5, outcome.attempted_at)
        .bind(6, outcome.id)
        .bind(7, r.address)
        .run();
  }
  auto& pending = txn.db().cached("SELECT COUNT(*) FROM outbound_recipients WHERE queue_id = ? AND status = 'pending'");
  pending.bind(1, outcome.id);
  pending.step();
  auto left = pending.column_int(0);
  pending.reset();
  if (left == 0) {
    remove_queued(txn, outcome.id);
    return true;
  }
  txn.db()
      .cached("UPDATE outbound_queue SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?, "
              "delay_notified = MAX(delay_notified, ?) WHERE id = ?")
      .bind(1, outcome.attempted_at)
      .bind(2, outcome.next_attempt_at)
      .bind(3, std::int64_t{outcome.delay_notified ? 1 : 0})
      .bind(4, outcome.id)
      .run();
  return false;
}

std::size_t retry_now(WriteTxn& txn, std::optional<QueueId> id) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  if (id) {
    auto& q = txn.db().cached("UPDATE outbound_queue SET next_attempt_at = ? WHERE id = ?");
    q.bind(1, now).bind(2, *id).run();
    if (txn.db().changes() == 0) throw StoreError(Errc::not_found, fmt::format("queued message {} does not exist", *id));
    return 1;
  }
  txn.db().cached("UPDATE outbound_queue SET next_attempt_at = ?").bind(1, now).run();
  return static_cast<std::size_t>(txn.db().changes());
}

void remove_queued(WriteTxn& txn, QueueId id) {
  auto& q = txn.db().cached("SELECT blob_hash FROM outbound_queue WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) {
    q.reset();
    throw StoreError(Errc::not_found, fmt::format("queued message {} does not exist", id));
  }
  std::string hash = q.column_text(0);
  q.reset();
  // Recipients first: the cascade would do it, but a backend without enforced foreign keys must not
  // be left with orphans.
  txn.db().cached("DELETE FROM outbound_recipients WHERE queue_id = ?").bind(1, id).run();
  txn.db().cached("DELETE FROM outbound_queue WHERE id = ?").bind(1, id).run();
  blob_unref(txn, hash);
}

}  // namespace atrium::storage::queue
