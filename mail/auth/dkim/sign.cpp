// DKIM signing (RFC 6376 section 5, RFC 8463): builds the DKIM-Signature field to prepend.
#include "mail/auth/dkim/dkim.hpp"

#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/engine.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>
#include <stdexcept>

namespace atrium::mail::auth::dkim {
namespace {

std::string_view canon_name(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

bool valid_identity(std::string_view identity, std::string_view domain) {
  const std::size_t at = identity.rfind('@');
  if (at == std::string_view::npos) return false;
  const bool clean = std::all_of(identity.begin(), identity.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u < 127 && c != ';';
  });
  if (!clean) return false;
  const std::string_view sub = identity.substr(at + 1);
  if (text::iequals(sub, domain)) return true;
  return sub.size() > domain.size() + 1 && sub[sub.size() - domain.size() - 1] == '.' &&
         text::iequals(sub.substr(sub.size() - domain.size()), domain);
}

}  // namespace

const std::vector<std::string>& default_signed_headers() {
  static const std::vector<std::string> names = {
      "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References",
      "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
      "Sender", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Resent-From", "Resent-To",
      "Resent-Cc", "Resent-Date", "Resent-Message-ID"};
  return names;
}

std::string_view to_string(SignError error) {
  switch (error) {
    case SignError::invalid_domain: return "d= is not a domain name";
    case SignError::invalid_selector: return "s= is not a selector";
    case SignError::invalid_identity: return "i= is not an identity within d=";
    case SignError::invalid_expiry: return "t= is negative or x= is not after t=";
    case SignError::invalid_header: return "a signed header name is not a field name";
  }
  return "invalid signing options";
}

std::optional<SignError> validate(const SignOptions& options) {
  if (!detail::valid_domain(options.domain)) return SignError::invalid_domain;
  if (!detail::valid_domain(options.selector, true)) return SignError::invalid_selector;
  if (options.identity && !valid_identity(*options.identity, options.domain)) return SignError::invalid_identity;
  if (options.timestamp < 0 || (options.expires && *options.expires <= options.timestamp)) {
    return SignError::invalid_expiry;
  }
  for (const std::string& name : options.headers) {
    if (!detail::valid_field_name(name)) return SignError::invalid_header;
  }
  return std::nullopt;
}

std::string sign(const SignOptions& options, std::string_view message) {
  if (auto error = validate(options)) throw std::invalid_argument(std::string(to_string(*error)));
  const SplitMessage split(message);
  const auto names = detail::names_to_sign(split.fields(), options.headers.empty() ? default_signed_headers() : options.headers);
  const std::string body_hash = base64_encode(detail::sha256(canonicalize_body(split.body(), options.body_canon)));

  detail::FieldWriter writer("DKIM-Signature");
  writer.add("v", "1");
  writer.add("a", to_string(options.key.algorithm()));
  writer.add("c", std::string(canon_name(options.header_canon)) + "/" + std::string(canon_name(options.body_canon)));
  writer.add("d", options.domain);
  writer.add("s", options.selector);
  if (options.identity) writer.add("i", *options.identity);
  writer.add("t", std::to_string(options.timestamp));
  if (options.expires) writer.add("x", std::to_string(*options.expires));
  writer.add_list("h", names);
  writer.add("bh", body_hash);

  detail::FieldWriter unsigned_field = writer;
  unsigned_field.add_last_base64("b", "");
  const std::string input =
      detail::header_hash_input(split.fields(), names, std::nullopt, options.header_canon, unsigned_field.text());
  writer.add_last_base64("b", base64_encode(detail::sign_data(options.key, input)));
  return writer.text() + "\r\n";
}

}  // namespace atrium::mail::auth::dkim
