// Shared DKIM/ARC machinery: selection and hashing of header fields, body digests, signature
// tags, key record checks and folding.
#include "mail/auth/dkim/engine.hpp"

#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/tag_list.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <limits>

namespace atrium::mail::auth::dkim::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::ascii_lower(c);
  return out;
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal digits to a number, saturating: RFC 6376 lets l=, t= and x= be longer than any
// meaningful value, and a saturated value behaves the same (a body that long does not exist, a
// time that far never comes).
template <class T>
std::optional<T> parse_number(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  T value = 0;
  for (char c : s) {
    const T digit = static_cast<T>(c - '0');
    if (value > (std::numeric_limits<T>::max() - digit) / 10) return std::numeric_limits<T>::max();
    value = static_cast<T>(value * 10 + digit);
  }
  return value;
}

std::optional<Canon> parse_canon(std::string_view s) {
  if (text::iequals(s, "simple")) return Canon::simple;
  if (text::iequals(s, "relaxed")) return Canon::relaxed;
  return std::nullopt;
}

// True when `sub` is `domain` or a subdomain of it (both compared without case).
bool within_domain(std::string_view sub, std::string_view domain) noexcept {
  if (text::iequals(sub, domain)) return true;
  return sub.size() > domain.size() + 1 && sub[sub.size() - domain.size() - 1] == '.' &&
         text::iequals(sub.substr(sub.size() - domain.size()), domain);
}

Outcome permerror(std::string reason) { return Outcome{ResultKind::permerror, std::move(reason)}; }

}  // namespace

std::string without_b_value(std::string_view raw) {
  const std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return std::string(raw);
  const std::string_view value = raw.substr(colon + 1);
  auto parsed = parse_tag_list(value);
  const auto* tags = std::get_if<TagList>(&parsed);
  const Tag* b = tags != nullptr ? tags->find("b") : nullptr;
  if (b == nullptr) return std::string(raw);
  std::string out(raw.substr(0, colon + 1 + b->raw_begin));
  out += raw.substr(colon + 1 + b->raw_end);
  return out;
}

std::string header_hash_input(const std::vector<HeaderField>& fields, const std::vector<std::string>& names,
                              std::optional<std::size_t> self_index, Canon canon, std::string_view self) {
  // Field positions by lower-cased name, top to bottom; selection pops from the back.
  std::map<std::string, std::vector<std::size_t>, std::less<>> by_name;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (self_index && *self_index == i) continue;
    if (fields[i].name.empty()) continue;
    by_name[lower(fields[i].name)].push_back(i);
  }
  std::string out;
  for (const std::string& name : names) {
    auto it = by_name.find(lower(name));
    if (it == by_name.end() || it->second.empty()) continue;
    out += canonicalize_header(fields[it->second.back()], canon);
    it->second.pop_back();
  }
  std::string last = canonicalize_header(make_header_field(self), canon);
  last.resize(last.size() - 2);  // the signature field is hashed without its CRLF
  out += last;
  return out;
}

std::optional<std::string> BodyHashes::digest(Canon canon, std::optional<std::uint64_t> length) {
  const int index = canon == Canon::simple ? 0 : 1;
  auto& canonical = canonical_[static_cast<std::size_t>(index)];
  if (!canonical) canonical = canonicalize_body(body_, canon);
  const std::uint64_t cut = length.value_or(canonical->size());
  if (cut > canonical->size()) return std::nullopt;
  const auto key = std::make_pair(index, cut);
  auto it = digests_.find(key);
  if (it == digests_.end()) {
    it = digests_.emplace(key, sha256(std::string_view(*canonical).substr(0, static_cast<std::size_t>(cut)))).first;
  }
  return it->second;
}

std::variant<Algorithm, SignatureError> parse_algorithm(std::string_view a) {
  if (text::iequals(a, "rsa-sha256")) return Algorithm::rsa_sha256;
  if (text::iequals(a, "ed25519-sha256")) return Algorithm::ed25519_sha256;
  if (text::iequals(a, "rsa-sha1")) return SignatureError::sha1_refused;
  return SignatureError::unsupported_algorithm;
}

bool valid_domain(std::string_view name, bool allow_underscore) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      // Labels neither empty, nor over 63 octets, nor starting or ending with '-'.
      if (label == 0 || label > 63 || name[i - 1] == '-' || name[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    (allow_underscore && c == '_');
    if (!ok) return false;
    ++label;
  }
  return true;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != ':';
  });
}

void parse_signature_field(std::string_view raw, FieldKind kind, Signature& out) {
  auto fail = [&out](SignatureError error, std::string detail) {
    if (out.error != SignatureError::none) return;
    out.error = error;
    out.error_detail = std::move(detail);
  };
  const std::size_t colon = raw.find(':');
  const std::string_view value = colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1);
  if (value.size() > max_tag_list_size) return fail(SignatureError::too_long, "signature field too long");
  auto parsed = parse_tag_list(value);
  if (auto* error = std::get_if<TagListError>(&parsed)) {
    return fail(*error == TagListError::too_long ? SignatureError::too_long : SignatureError::tag_syntax,
                std::string(to_string(*error)));
  }
  const TagList& tags = std::get<TagList>(parsed);

  const bool dkim = kind == FieldKind::dkim_signature;
  for (std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (required == "v" && !dkim) continue;
    if (tags.find(required) == nullptr) fail(SignatureError::missing_tag, "no " + std::string(required) + "= tag");
  }
  if (dkim) {
    if (const Tag* v = tags.find("v"); v != nullptr && v->value != "1") fail(SignatureError::bad_version, "v= is not 1");
  }
  if (const Tag* a = tags.find("a")) {
    out.a = lower(a->value);
    auto algorithm = parse_algorithm(a->value);
    if (auto* alg = std::get_if<Algorithm>(&algorithm)) {
      out.algorithm = *alg;
    } else if (std::get<SignatureError>(algorithm) == SignatureError::sha1_refused) {
      fail(SignatureError::sha1_refused, "rsa-sha1 is not accepted (RFC 8301)");
    } else {
      fail(SignatureError::unsupported_algorithm, "unsupported algorithm " + out.a);
    }
  }
  if (const Tag* d = tags.find("d")) {
    out.d = lower(d->value);
    if (!valid_domain(out.d)) fail(SignatureError::bad_tag_value, "d= is not a domain name");
  }
  if (const Tag* s = tags.find("s")) {
    out.s = std::string(s->value);
    if (!valid_domain(out.s, true)) fail(SignatureError::bad_tag_value, "s= is not a selector");
  }
  if (const Tag* b = tags.find("b")) {
    out.b_text = strip_fws(b->value);
    auto bytes = base64_decode(out.b_text);
    if (!bytes || bytes->empty()) fail(SignatureError::bad_tag_value, "b= is not base64");
    if (bytes) out.b = std::move(*bytes);
  }
  if (const Tag* bh = tags.find("bh")) {
    auto bytes = base64_decode(bh->value);
    if (!bytes || bytes->empty()) fail(SignatureError::bad_tag_value, "bh= is not base64");
    if (bytes) out.bh = std::move(*bytes);
  }
  if (const Tag* c = tags.find("c")) {
    const std::size_t slash = c->value.find('/');
    auto header = parse_canon(c->value.substr(0, slash));
    auto body = slash == std::string_view::npos ? std::optional<Canon>(Canon::simple)
                                                : parse_canon(c->value.substr(slash + 1));
    if (!header || !body) {
      fail(SignatureError::bad_tag_value, "unknown canonicalization " + std::string(c->value));
    } else {
      out.header_canon = *header;
      out.body_canon = *body;
    }
  }
  if (const Tag* h = tags.find("h")) {
    for (auto name : split_colon_list(h->value)) {
      if (!valid_field_name(name)) fail(SignatureError::bad_tag_value, "h= lists an invalid field name");
      out.h.emplace_back(name);
    }
    if (out.h.empty()) fail(SignatureError::bad_tag_value, "h= is empty");
    const bool has_from = std::any_of(out.h.begin(), out.h.end(), [](const std::string& n) { return text::iequals(n, "from"); });
    if (!has_from) fail(SignatureError::from_not_signed, "From is not signed");
  }
  if (dkim) {
    if (const Tag* i = tags.find("i")) {
      out.i = std::string(i->value);
      const std::size_t at = out.i.rfind('@');
      if (at == std::string::npos) {
        fail(SignatureError::bad_tag_value, "i= has no @");
      } else if (!out.d.empty() && !within_domain(std::string_view(out.i).substr(at + 1), out.d)) {
        fail(SignatureError::identity_outside_domain, "i= is not within d=");
      }
    } else {
      out.i = "@" + out.d;
    }
  }
  if (const Tag* q = tags.find("q")) {
    const auto methods = split_colon_list(q->value);
    const bool dns = std::any_of(methods.begin(), methods.end(), [](std::string_view m) {
      return text::iequals(m, "dns/txt") || text::iequals(m, "dns");
    });
    if (!dns) fail(SignatureError::unsupported_query_method, "q= does not offer dns/txt");
  }
  if (const Tag* l = tags.find("l")) {
    out.l = parse_number<std::uint64_t>(l->value);
    if (!out.l) fail(SignatureError::bad_tag_value, "l= is not a number");
  }
  if (const Tag* t = tags.find("t")) {
    out.t = parse_number<std::int64_t>(t->value);
    if (!out.t) fail(SignatureError::bad_tag_value, "t= is not a number");
  }
  if (const Tag* x = tags.find("x")) {
    out.x = parse_number<std::int64_t>(x->value);
    if (!out.x) fail(SignatureError::bad_tag_value, "x= is not a number");
  }
  if (out.t && out.x && *out.x <= *out.t) fail(SignatureError::expiry_before_timestamp, "x= is not after t=");
}

std::variant<UsableKey, Outcome> usable_key(const std::optional<KeyRecordText>& text, Algorithm algorithm,
                                            std::string_view domain, std::optional<std::string_view> identity_domain) {
  if (!text) return permerror("no key record");
  auto parsed = parse_key_record(text->text);
  if (auto* error = std::get_if<KeyRecordError>(&parsed)) return permerror(std::string(to_string(*error)));
  const KeyRecord& record = std::get<KeyRecord>(parsed);
  if (record.public_key.empty()) return permerror("key revoked");
  const std::string_view expected_type = algorithm == Algorithm::ed25519_sha256 ? "ed25519" : "rsa";
  if (record.key_type != expected_type) {
    return permerror("key type k=" + record.key_type + " does not match a=" + std::string(to_string(algorithm)));
  }
  if (!record.hashes.empty() && std::find(record.hashes.begin(), record.hashes.end(), "sha256") == record.hashes.end()) {
    return permerror("key record does not allow sha256");
  }
  const bool email = std::any_of(record.services.begin(), record.services.end(),
                                 [](const std::string& s) { return s == "*" || s == "email"; });
  if (!email) return permerror("key record is not for email");
  if (record.strict_identity && identity_domain && !text::iequals(*identity_domain, domain)) {
    return permerror("key requires the i= domain to equal d= (t=s)");
  }
  auto key = decode_public_key(algorithm, record.public_key);
  if (!key) return permerror("key data could not be decoded");
  if (algorithm == Algorithm::rsa_sha256 && key->bits() < min_rsa_bits) {
    return permerror("RSA key shorter than 1024 bits");
  }
  // Verification cost grows with the modulus; nobody publishes more than 8192 bits.
  if (algorithm == Algorithm::rsa_sha256 && key->bits() > max_rsa_bits) {
    return permerror("RSA key longer than 8192 bits");
  }
  return UsableKey{std::move(*key), record.testing};
}

Outcome check_signature(const SplitMessage& message, BodyHashes& bodies, const Signature& sig, const PublicKey& key,
                        std::optional<std::size_t> self_index) {
  auto body = bodies.digest(sig.body_canon, sig.l);
  if (!body) return Outcome{ResultKind::fail, "body is shorter than l="};
  if (*body != sig.bh) return Outcome{ResultKind::fail, "body hash did not verify"};
  const std::string input =
      header_hash_input(message.fields(), sig.h, self_index, sig.header_canon, without_b_value(sig.raw));
  if (!key.verify(input, sig.b)) return Outcome{ResultKind::fail, "signature did not verify"};
  return Outcome{ResultKind::pass, {}};
}

std::variant<std::optional<KeyRecordText>, Outcome> key_from_answer(const KeyAnswers& keys, const std::string& name) {
  auto it = keys.find(name);
  if (it == keys.end()) return Outcome{ResultKind::temperror, "key " + name + " was not looked up"};
  const dns::Answer<std::string>& answer = it->second;
  switch (answer.status) {
    case dns::Status::ok: break;
    case dns::Status::no_data:
    case dns::Status::nxdomain: return permerror("no key record at " + name);
    case dns::Status::temporary: return Outcome{ResultKind::temperror, "key lookup failed temporarily"};
    case dns::Status::bogus: return Outcome{ResultKind::temperror, "key record failed DNSSEC validation"};
  }
  if (answer.records.empty()) return permerror("no key record at " + name);
  for (const std::string& record : answer.records) {
    if (std::holds_alternative<KeyRecord>(parse_key_record(record))) return std::optional<KeyRecordText>(KeyRecordText{record});
  }
  return std::optional<KeyRecordText>(KeyRecordText{answer.records.front()});
}

FieldWriter::FieldWriter(std::string_view name) : text_(std::string(name) + ":"), column_(text_.size()) {}

void FieldWriter::piece(std::string_view text, bool space_before) {
  const std::size_t width = text.size() + (space_before ? 1 : 0);
  if (column_ + width > max_line && column_ > 1) {
    text_ += "\r\n\t";
    column_ = 1;
  } else if (space_before) {
    text_ += ' ';
    ++column_;
  }
  text_ += text;
  column_ += text.size();
}

void FieldWriter::add(std::string_view tag, std::string_view value) {
  piece(std::string(tag) + "=" + std::string(value) + ";", true);
}

void FieldWriter::add_list(std::string_view tag, const std::vector<std::string>& items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string text = i == 0 ? std::string(tag) + "=" : std::string();
    text += items[i];
    text += i + 1 == items.size() ? ";" : ":";
    piece(text, i == 0);
  }
  if (items.empty()) piece(std::string(tag) + "=;", true);
}

void FieldWriter::add_last_base64(std::string_view tag, std::string_view value) {
  // Room for "tag=" and a few characters of value, so the value does not start on its own line.
  const std::string start = std::string(tag) + "=";
  if (column_ + 1 + start.size() + 8 > max_line) {
    text_ += "\r\n\t";
    column_ = 1;
    text_ += start;
  } else {
    text_ += ' ';
    text_ += start;
    ++column_;
  }
  column_ += start.size();
  while (!value.empty()) {
    if (column_ >= max_line) {
      text_ += "\r\n\t";
      column_ = 1;
    }
    const std::size_t n = std::min(value.size(), max_line - column_);
    text_ += value.substr(0, n);
    column_ += n;
    value.remove_prefix(n);
  }
}

std::vector<std::string> names_to_sign(const std::vector<HeaderField>& fields, const std::vector<std::string>& candidates) {
  std::vector<std::string> names;
  std::vector<std::string> seen;
  auto emit = [&](const std::string& name) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;
    seen.push_back(name);
    std::size_t count = 0;
    for (const HeaderField& f : fields) count += same_field_name(f.name, name) ? 1 : 0;
    if (name == "from") ++count;  // oversigned
    for (std::size_t i = 0; i < count; ++i) names.push_back(name);
  };
  const bool has_from = std::any_of(candidates.begin(), candidates.end(), [](const std::string& c) { return text::iequals(c, "from"); });
  if (!has_from) emit("from");
  for (const std::string& c : candidates) emit(lower(c));
  return names;
}

}  // namespace atrium::mail::auth::dkim::detail
