// Helpers for the DKIM/ARC unit tests.
#include "tests/unit/mail/auth/dkim/test_support.hpp"

#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/crypto.hpp"
#include "mail/auth/dkim/engine.hpp"

#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace atrium::mail::auth::dkim::test {

std::string read_data(std::string_view name) {
  const std::string path = std::string(ATRIUM_DKIM_DATA_DIR) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing test data " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::map<std::string, std::string> data_keys() {
  std::map<std::string, std::string> out;
  std::istringstream lines(read_data("keys.txt"));
  std::string line;
  while (std::getline(lines, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

PrivateKey data_key(std::string_view pem_name) {
  auto key = load_private_key(read_data(pem_name));
  if (auto* error = std::get_if<KeyError>(&key)) throw std::runtime_error(std::string(to_string(*error)));
  return std::get<PrivateKey>(key);
}

PrivateKey ed25519_key(std::string_view seed_base64) {
  // PKCS#8 OneAsymmetricKey for Ed25519 (RFC 8410 section 7): a fixed 16-byte prefix, then the seed.
  static const char prefix[] = "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20";
  const auto seed = base64_decode(seed_base64);
  if (!seed || seed->size() != 32) throw std::runtime_error("bad Ed25519 seed");
  const std::string der = std::string(prefix, sizeof prefix - 1) + *seed;
  const std::string pem = "-----BEGIN PRIVATE KEY-----\n" + base64_encode(der) + "\n-----END PRIVATE KEY-----\n";
  auto key = load_private_key(pem);
  if (auto* error = std::get_if<KeyError>(&key)) throw std::runtime_error(std::string(to_string(*error)));
  return std::get<PrivateKey>(key);
}

KeyAnswers answers(const std::map<std::string, std::string>& records) {
  KeyAnswers out;
  for (const auto& [name, record] : records) {
    auto& answer = out[name];
    answer.status = dns::Status::ok;
    answer.records.push_back(record);
  }
  return out;
}

void add_keys(dns::StaticResolver& resolver, const std::map<std::string, std::string>& records) {
  for (const auto& [name, record] : records) resolver.add_txt(name, record);
}

std::string craft_signature(std::string_view tags, const PrivateKey& key, std::string_view message) {
  const SplitMessage split(message);
  // Read c=, l= and h= the way a verifier will (b= is still empty, so the parse reports that).
  Signature shape;
  detail::parse_signature_field("DKIM-Signature: " + std::string(tags) + "; b=", detail::FieldKind::dkim_signature, shape);
  std::string body = canonicalize_body(split.body(), shape.body_canon);
  if (shape.l && *shape.l < body.size()) body.resize(static_cast<std::size_t>(*shape.l));
  const std::string unsigned_field =
      "DKIM-Signature: " + std::string(tags) + ";\r\n bh=" + base64_encode(detail::sha256(body)) + ";\r\n b=";
  const std::string input =
      detail::header_hash_input(split.fields(), shape.h, std::nullopt, shape.header_canon, unsigned_field);
  return unsigned_field + base64_encode(detail::sign_data(key, input)) + "\r\n" + std::string(message);
}

Result verify_first(std::string_view message, const std::map<std::string, std::string>& records, std::int64_t now) {
  auto results = verify_with_keys(message, answers(records), now);
  if (results.empty()) throw std::runtime_error("no signature");
  return results.front();
}

}  // namespace atrium::mail::auth::dkim::test
