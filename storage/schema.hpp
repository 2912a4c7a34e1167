// Versioned, forward-only schema migrations. Each migration runs once, in its own transaction,
// and records its version; a database newer than this binary is refused.
#pragma once

#include "storage/sql/sql.hpp"

#include <string_view>
#include <vector>

namespace atrium::storage::schema {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// Every migration this binary knows, in order.
const std::vector<Migration>& migrations();
// The version recorded in the database; 0 for an empty database.
int current_version(sql::Connection& db);
// Applies the missing migrations. Throws StoreError(corrupt) when the database is newer than
// this binary.
void migrate(sql::Connection& db);

}  // namespace atrium::storage::schema
