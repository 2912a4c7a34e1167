// Password and app-password checks against the directory.
#include "storage/credentials.hpp"

#include "core/auth/password.hpp"
#include "storage/address.hpp"

namespace atrium::storage {

auth::VerifyResult StoreCredentials::verify(std::string_view login, std::string_view password) {
  struct Account {
    std::int64_t id = 0;
    std::string email;
    std::string hash;
    std::vector<std::string> app_hashes;
  };
  auto email = normalise_address(login);
  auto account = store_.read([&](ReadTxn& t) -> std::optional<Account> {
    if (!email) return std::nullopt;
    auto& q = t.db().cached("SELECT id, email, password_hash FROM principals WHERE email = ? AND kind = ? AND password_hash IS NOT NULL");
    q.bind(1, *email).bind(2, static_cast<std::int64_t>(PrincipalKind::user));
    if (!q.step()) return std::nullopt;
    Account a{q.column_int(0), q.column_text(1), q.column_text(2), {}};
    q.reset();
    auto& ap = t.db().cached("SELECT secret_hash FROM app_passwords WHERE principal_id = ?");
    ap.bind(1, a.id);
    while (ap.step()) a.app_hashes.push_back(ap.column_text(0));
    ap.reset();
    return a;
  });
  auth::VerifyResult r;
  if (!account) {
    (void)auth::verify_password(auth::dummy_password_hash(), password);
    return r;
  }
  // App passwords first: they are cheap to check, and phones use them on every connection.
  bool ok = false;
  if (auth::looks_like_app_password(password)) {
    for (const auto& h : account->app_hashes) ok = ok || auth::verify_app_password(h, password);
  }
  if (!ok) ok = auth::verify_password(account->hash, password);
  if (ok) {
    r.status = auth::VerifyResult::Status::ok;
    r.principal_id = account->id;
    r.canonical_email = account->email;
  }
  return r;
}

}  // namespace atrium::storage
