// The store's side of logins: checks a password against a user's account password and app
// passwords. Implements auth::CredentialVerifier for the shared Authenticator.
#pragma once

#include "core/auth/authenticator.hpp"
#include "storage/store.hpp"

namespace atrium::storage {

class StoreCredentials : public auth::CredentialVerifier {
 public:
  explicit StoreCredentials(Store& store) : store_(store) {}
  // Blocking (Argon2id). Only users log in; groups and resources have no password. An unknown
  // login costs one dummy hash check, so timing does not reveal which accounts exist.
  auth::VerifyResult verify(std::string_view login, std::string_view password) override;

 private:
  Store& store_;
};

}  // namespace atrium::storage
