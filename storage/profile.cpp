// Directory profile fields.
#include "storage/profile.hpp"

#include <fmt/format.h>

namespace atrium::storage::profile {

bool is_field(std::string_view name) {
  return name == "phone" || name == "mobile" || name == "title" || name == "department";
}

Profile get(ReadTxn& txn, PrincipalId principal) {
  Profile p;
  auto& q = txn.db().cached("SELECT name, value FROM principal_profile WHERE principal_id = ?");
  q.bind(1, principal);
  while (q.step()) {
    auto name = q.column_text(0);
    auto value = q.column_text(1);
    if (name == "phone") p.phone = value;
    if (name == "mobile") p.mobile = value;
    if (name == "title") p.title = value;
    if (name == "department") p.department = value;
  }
  q.reset();
  return p;
}

void set_field(WriteTxn& txn, PrincipalId principal, std::string_view name, std::string_view value) {
  if (!is_field(name)) throw StoreError(Errc::invalid, fmt::format("unknown profile field \"{}\"", name));
  if (value.size() > 256) throw StoreError(Errc::invalid, fmt::format("{} longer than 256 octets", name));
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) throw StoreError(Errc::invalid, fmt::format("control character in {}", name));
  }
  auto& exists = txn.db().cached("SELECT 1 FROM principals WHERE id = ?");
  exists.bind(1, principal);
  bool found = exists.step();
  exists.reset();
  if (!found) throw StoreError(Errc::not_found, "no such principal");
  if (value.empty()) {
    txn.db().cached("DELETE FROM principal_profile WHERE principal_id = ? AND name = ?").bind(1, principal).bind(2, name).run();
    return;
  }
  txn.db()
      .cached("INSERT INTO principal_profile (principal_id, name, value) VALUES (?, ?, ?) "
              "ON CONFLICT (principal_id, name) DO UPDATE SET value = excluded.value")
      .bind(1, principal)
      .bind(2, name)
      .bind(3, value)
      .run();
}

}  // namespace atrium::storage::profile
