// The pieces DKIM and ARC share: header selection and hash input (RFC 6376 sections 3.7 and
// 5.4.2), body hashes, tag parsing of signature fields, key record checks, folding of generated
// fields. Internal to atrium_mail_auth_dkim.
#pragma once

#include "mail/auth/dkim/canon.hpp"
#include "mail/auth/dkim/crypto.hpp"
#include "mail/auth/dkim/dkim.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth::dkim::detail {

// What a verification step concluded, before it is dressed as a Result.
struct Outcome {
  ResultKind kind = ResultKind::pass;
  std::string reason;
  bool testing = false;
};

// The field `raw` with its b= value (and the whitespace around it) removed; `raw` unchanged if
// it has no parsable b= tag.
std::string without_b_value(std::string_view raw);

// The header hash input: the fields named in `names`, each occurrence of a name taking the next
// unused field of that name from the bottom (a name with no field left contributes nothing),
// canonicalised; then `self` (the signature field with b= emptied) canonicalised without its
// final CRLF. `self_index`, if given, is excluded from selection (a signature never covers itself).
std::string header_hash_input(const std::vector<HeaderField>& fields, const std::vector<std::string>& names,
                              std::optional<std::size_t> self_index, Canon canon, std::string_view self);

// Canonical body digests for one message, computed once per (canonicalization, length).
class BodyHashes {
 public:
  explicit BodyHashes(std::string_view body) : body_(body) {}
  // SHA-256 of the canonical body cut to `length`; nullopt when `length` exceeds it.
  std::optional<std::string> digest(Canon canon, std::optional<std::uint64_t> length);

 private:
  std::string_view body_;
  std::array<std::optional<std::string>, 2> canonical_;
  std::map<std::pair<int, std::uint64_t>, std::string> digests_;
};

// Which field a signature's tags come from: the rules differ in v= and i=.
enum class FieldKind { dkim_signature, arc_message_signature };

// Reads the signature tags of `raw` (a whole field) into `out` (whose raw and field_index the
// caller sets). For ARC-Message-Signature, v= is ignored and i= (the instance) is left to the
// caller: out.i stays empty and identity rules are skipped.
void parse_signature_field(std::string_view raw, FieldKind kind, Signature& out);

// a= value to algorithm; the error when it is not one we accept.
std::variant<Algorithm, SignatureError> parse_algorithm(std::string_view a);

// True for a DNS name usable as d= (or, with `allow_underscore`, as a selector): dot-separated
// labels of letters, digits, inner '-' (and '_'), each 1..63 octets, 253 at most in all.
bool valid_domain(std::string_view name, bool allow_underscore = false);

// The key for verifying with `algorithm`, after the record checks of RFC 6376 section 6.1.2,
// RFC 8301 and RFC 8463: not revoked, k= matching, h= allowing sha256, s= allowing email,
// t=s honoured against `identity_domain` (when given) and `domain`, RSA of 1024 to 8192 bits.
// A permerror Outcome with the reason when the key is unusable.
struct UsableKey {
  PublicKey key;
  bool testing = false;  // t=y
};
std::variant<UsableKey, Outcome> usable_key(const std::optional<KeyRecordText>& text, Algorithm algorithm,
                                            std::string_view domain, std::optional<std::string_view> identity_domain);

// Body hash, then header signature, for a signature field already checked for syntax.
// `self_index` is the field's position (excluded from h= selection).
Outcome check_signature(const SplitMessage& message, BodyHashes& bodies, const Signature& sig, const PublicKey& key,
                        std::optional<std::size_t> self_index);

// The key record text to verify with, from a DNS answer: the first record that parses as a key
// record (else the first record); an Outcome for lookups that give none.
std::variant<std::optional<KeyRecordText>, Outcome> key_from_answer(const KeyAnswers& keys, const std::string& name);

// Writes a tag-list header field folded to lines of at most 78 characters ("Name: t=v; t=v;").
// Tags are separated by "; "; folding happens between tags, after ':' in lists, or anywhere in
// base64 values.
class FieldWriter {
 public:
  explicit FieldWriter(std::string_view name);
  void add(std::string_view tag, std::string_view value);                      // never split
  void add_list(std::string_view tag, const std::vector<std::string>& items);  // split after ':'
  // The last tag (no ';' follows): b= with `value` split anywhere. Where "b=" lands does not
  // depend on `value`, so the text with value "" is a prefix of the text with the signature.
  void add_last_base64(std::string_view tag, std::string_view value);
  const std::string& text() const noexcept { return text_; }

 private:
  void piece(std::string_view text, bool space_before);
  std::string text_;
  std::size_t column_ = 0;
};

// Longest line a generated field has (RFC 5322 section 2.1.1 SHOULD), CRLF not counted.
inline constexpr std::size_t max_line = 78;

// The lower-cased names of `candidates` present in `fields`, each as often as it occurs, From
// once more (and at least once): the h= list a signer emits.
std::vector<std::string> names_to_sign(const std::vector<HeaderField>& fields, const std::vector<std::string>& candidates);

// True when `name` is a valid header field name (printable ASCII except ':').
bool valid_field_name(std::string_view name);

}  // namespace atrium::mail::auth::dkim::detail
