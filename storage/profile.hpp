// Directory profile fields of a principal (the company directory's phone numbers, job title and
// department), kept beside the principal so that the global address list can show them. Empty
// values are not stored.
#pragma once

#include "storage/store.hpp"
#include "storage/types.hpp"

#include <string>
#include <string_view>

namespace atrium::storage::profile {

struct Profile {
  std::string phone;       // work phone
  std::string mobile;
  std::string title;       // job title
  std::string department;
  bool empty() const { return phone.empty() && mobile.empty() && title.empty() && department.empty(); }
};

// The field names `set_field` takes: "phone", "mobile", "title", "department".
bool is_field(std::string_view name);

Profile get(ReadTxn& txn, PrincipalId principal);
// Sets one field; an empty value removes it. Throws StoreError(invalid) for an unknown field, a
// value over 256 octets or with control characters, StoreError(not_found) for no such principal.
void set_field(WriteTxn& txn, PrincipalId principal, std::string_view name, std::string_view value);

}  // namespace atrium::storage::profile
