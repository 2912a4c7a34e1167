// The store's schema, migration by migration. SQL stays portable (SQLite and PostgreSQL).
#include "storage/schema.hpp"

#include <fmt/format.h>

namespace atrium::storage::schema {
namespace {

constexpr std::string_view k_v1 = R"sql(
CREATE TABLE domains (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE principals (
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  email TEXT NOT NULL UNIQUE,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  display_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT,
  quota_bytes INTEGER NOT NULL DEFAULT 0,
  used_bytes INTEGER NOT NULL DEFAULT 0,
  resource_kind INTEGER,
  modseq INTEGER NOT NULL DEFAULT 0,
  last_uidvalidity INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX principals_domain ON principals(domain_id);

CREATE TABLE app_passwords (
  id INTEGER PRIMARY KEY,
  principal_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  UNIQUE (principal_id, label)
);

CREATE TABLE aliases (
  address TEXT NOT NULL,
  target TEXT NOT NULL,
  domain_id INTEGER NOT NULL REFERENCES domains(id),
  PRIMARY KEY (address, target)
);

CREATE TABLE memberships (
  group_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  member_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, member_id)
);
CREATE INDEX memberships_member ON memberships(member_id);

CREATE TABLE collections (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  parent_id INTEGER REFERENCES collections(id) ON DELETE CASCADE,
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  special_use TEXT NOT NULL DEFAULT '',
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  modseq INTEGER NOT NULL DEFAULT 0,
  properties TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, kind, name)
);
CREATE INDEX collections_parent ON collections(parent_id);

CREATE TABLE acl (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  grantee_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  rights INTEGER NOT NULL,
  PRIMARY KEY (collection_id, grantee_id)
);
CREATE INDEX acl_grantee ON acl(grantee_id);

CREATE TABLE blobs (
  hash TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  refcount INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX blobs_unreferenced ON blobs(updated_at) WHERE refcount = 0;

CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  blob_hash TEXT NOT NULL REFERENCES blobs(hash),
  size INTEGER NOT NULL,
  name TEXT,
  internal_date INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0,
  keywords TEXT NOT NULL DEFAULT '',
  UNIQUE (collection_id, uid)
);
CREATE UNIQUE INDEX items_name ON items(collection_id, name) WHERE name IS NOT NULL;
CREATE INDEX items_collection_modseq ON items(collection_id, modseq);
CREATE INDEX items_blob ON items(blob_hash);
CREATE INDEX items_account ON items(account_id);

CREATE TABLE message_meta (
  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  envelope TEXT NOT NULL DEFAULT '',
  bodystructure TEXT NOT NULL DEFAULT ''
);

CREATE TABLE event_meta (
  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  ical_uid TEXT NOT NULL,
  component TEXT NOT NULL,
  starts_at INTEGER,
  ends_at INTEGER
);
CREATE INDEX event_meta_uid ON event_meta(ical_uid);

CREATE TABLE card_meta (
  item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  vcard_uid TEXT NOT NULL,
  full_name TEXT NOT NULL DEFAULT '',
  emails TEXT NOT NULL DEFAULT ''
);
CREATE INDEX card_meta_uid ON card_meta(vcard_uid);

CREATE TABLE changes (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  collection_id INTEGER NOT NULL,
  item_id INTEGER,
  uid INTEGER,
  op INTEGER NOT NULL
);
CREATE INDEX changes_collection ON changes(collection_id, modseq);
CREATE INDEX changes_account ON changes(account_id, modseq);
)sql";

// Version 2: what mail delivery needs. The outbound queue holds messages for remote recipients
// until the delivery worker hands them on; each queued message takes one reference to its blob.
// DSN parameters (RFC 3461) travel with the message: ENVID and RET per message, NOTIFY and ORCPT
// per recipient, NULL where the client gave none. `domains.catch_all` is the address that mail
// to unknown local parts of the domain goes to (NULL: refuse them).
constexpr std::string_view k_v2 = R"sql(
ALTER TABLE domains ADD COLUMN catch_all TEXT;

CREATE TABLE outbound_queue (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  blob_hash TEXT NOT NULL REFERENCES blobs(hash),
  size INTEGER NOT NULL,
  reverse_path TEXT NOT NULL,
  envid TEXT,
  ret TEXT CHECK (ret IN ('FULL', 'HDRS')),
  body_type TEXT NOT NULL CHECK (body_type IN ('7BIT', '8BITMIME', 'BINARYMIME')),
  smtputf8 INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbound_queue_due ON outbound_queue(next_attempt_at);
CREATE INDEX outbound_queue_blob ON outbound_queue(blob_hash);

CREATE TABLE outbound_recipients (
  id INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES outbound_queue(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  notify TEXT,
  orcpt TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (queue_id, address)
);
)sql";

// Small blobs live in their row: the commit that references them makes them durable with the
// same WAL fsync, instead of a file, its fsync and two directory fsyncs of their own.
// NULL content means the blob is a file under blobs/.
constexpr const char* k_v3 = R"sql(
ALTER TABLE blobs ADD COLUMN content BLOB;
)sql";

// What IMAP needs beyond v3: when a message was saved into its mailbox (RFC 8514 SAVEDATE; the
// internal date is the message's own), the highest UID a session has seen as \Recent (RFC
// 3501), and folder subscriptions (by name: RFC 9051 lets clients subscribe to names that do
// not exist).
constexpr const char* k_v4 = R"sql(
ALTER TABLE items ADD COLUMN saved_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE collections ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 0;
CREATE TABLE subscriptions (
  account_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (account_id, name)
);
)sql";

// Threads, assigned at delivery and APPEND (RFC 8474 THREADID, later conversation views): each
// message's thread, and per account which Message-IDs belong to which thread, so a reply finds
// its thread by one lookup per referenced id. Messages stored before this version each start a
// thread of their own, and their Message-IDs are known, so later replies join them.
constexpr const char* k_v5 = R"sql(
ALTER TABLE message_meta ADD COLUMN thread_id INTEGER NOT NULL DEFAULT 0;
UPDATE message_meta SET thread_id = item_id;
CREATE INDEX message_meta_thread ON message_meta(thread_id);
CREATE TABLE thread_keys (
  account_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  thread_id INTEGER NOT NULL,
  PRIMARY KEY (account_id, message_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO thread_keys (account_id, message_id, thread_id)
  SELECT i.account_id, trim(m.message_id, ' <>'), m.thread_id FROM message_meta m JOIN items i ON i.id = m.item_id
  WHERE trim(m.message_id, ' <>') != '';
)sql";

// What WebDAV needs (CalDAV, CardDAV, file collections): properties clients set on collections
// and resources (displayname, calendar-color, dead properties; `resource` is the member's name,
// empty for the collection itself), and the name of a deleted resource on its tombstone, so a
// sync-collection report can say which href went away.
constexpr const char* k_v6 = R"sql(
ALTER TABLE changes ADD COLUMN name TEXT;
CREATE TABLE dav_properties (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  resource TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  xml TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (collection_id, resource, name)
) WITHOUT ROWID;
ALTER TABLE event_meta ADD COLUMN exact INTEGER NOT NULL DEFAULT 0;
CREATE INDEX event_meta_range ON event_meta(starts_at, ends_at);
)sql";

// What outbound delivery and mail authentication need: per-recipient outcome details for DSNs
// (enhanced status code, the remote MTA that answered, when), per-message attempt bookkeeping
// (last attempt, whether the delay notice went out), DKIM signing keys per domain and selector,
// the MTA-STS policy cache (RFC 8461 §5.1: a cached policy outlives a DNS or HTTPS outage), and
// the directory profile fields the global address list shows (phone, mobile, title, department).
constexpr const char* k_v7 = R"sql(
ALTER TABLE outbound_recipients ADD COLUMN status_code TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_recipients ADD COLUMN remote_mta TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_recipients ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbound_queue ADD COLUMN last_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbound_queue ADD COLUMN delay_notified INTEGER NOT NULL DEFAULT 0;
CREATE TABLE dkim_keys (
  domain TEXT NOT NULL,
  selector TEXT NOT NULL,
  algorithm TEXT NOT NULL CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
  private_key TEXT NOT NULL,
  dns_record TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (domain, selector)
);
CREATE TABLE principal_profile (
  principal_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
  name TEXT NOT NULL CHECK (name IN ('phone', 'mobile', 'title', 'department')),
  value TEXT NOT NULL,
  PRIMARY KEY (principal_id, name)
) WITHOUT ROWID;
CREATE TABLE mta_sts_policies (
  domain TEXT PRIMARY KEY,
  policy_id TEXT NOT NULL,
  policy TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
)sql";

// Every instance of a recurring calendar object whose instances do not depend on the zone
// floating times are read in (EventMeta::instances), so a time-range query decides on the
// index. Objects stored before this version have none and are read by such queries, as before.
constexpr const char* k_v8 = R"sql(
ALTER TABLE event_meta ADD COLUMN instances BLOB;
)sql";

// Items no longer name their blob in a foreign key, and `items_blob` is gone. The blob's
// reference count already keeps it while anything refers to it (the consistency check counts the
// references), and the index existed only for the key's check when a blob row is deleted. It was
// a random leaf written by every delivery: an eighth of the log's pages under a flood of mail.
// SQLite cannot drop a constraint with ALTER TABLE; this is its documented way for a change that
// leaves the stored rows as they are (the table's SQL text is edited; DROP INDEX, in the same
// transaction, bumps the schema cookie so every connection reads the new text). PostgreSQL would
// say ALTER TABLE items DROP CONSTRAINT.
constexpr const char* k_v9 = R"sql(
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'blob_hash TEXT NOT NULL REFERENCES blobs(hash)', 'blob_hash TEXT NOT NULL')
  WHERE type = 'table' AND name = 'items';
PRAGMA writable_schema = OFF;
DROP INDEX IF EXISTS items_blob;
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1, "directory, collections, items, blobs, change log", k_v1},
      {2, "outbound queue with DSN parameters, per-domain catch-all", k_v2},
      {3, "small blobs stored inline", k_v3},
      {4, "save dates, \\Recent marks, subscriptions", k_v4},
      {5, "message threads", k_v5},
      {6, "WebDAV properties, names on tombstones", k_v6},
      {7, "delivery outcomes, DKIM keys, MTA-STS policy cache, directory profiles", k_v7},
      {8, "instances of recurring calendar objects", k_v8},
      {9, "items refer to blobs by reference count only", k_v9},
  };
  return all;
}

int current_version(sql::Connection& db) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  auto& q = db.cached("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  q.step();
  int v = static_cast<int>(q.column_int(0));
  q.reset();
  return v;
}

void migrate(sql::Connection& db) {
  // Up to date: no write lock needed, so opening never waits for another process's writer.
  if (current_version(db) == migrations().back().version) return;
  // The writer lock makes concurrent openers (the server and an admin command) migrate once.
  db.exec("BEGIN IMMEDIATE");
  try {
    int have = current_version(db);
    int newest = migrations().back().version;
    if (have > newest) {
      throw StoreError(Errc::corrupt,
                       fmt::format("database schema version {} is newer than this binary ({}); upgrade atrium", have,
                                   newest));
    }
    for (const auto& m : migrations()) {
      if (m.version <= have) continue;
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%s','now'))")
          .bind(1, static_cast<std::int64_t>(m.version))
          .run();
    }
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
}

}  // namespace atrium::storage::schema
