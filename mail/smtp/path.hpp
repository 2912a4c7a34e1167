// RFC 5321 paths (<local@domain>) as values: the grammar of section 4.1.2 with the RFC 6531
// UTF-8 extensions, the size limits of section 4.5.3.1, and the canonical mailbox form.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace atrium::smtp {

// Limits of RFC 5321 section 4.5.3.1, in octets as sent (quotes and brackets included).
inline constexpr std::size_t max_local_part = 64;
inline constexpr std::size_t max_domain = 255;
inline constexpr std::size_t max_path = 256;  // from '<' to '>' inclusive

// A reverse-path or forward-path. Immutable once parsed. The source route of `<@a,@b:x@y>` is
// accepted and dropped (RFC 5321 section 4.1.1.3 / appendix C says to ignore it).
class Path {
 public:
  Path() = default;  // the null path "<>"
  static Path null() { return Path(); }
  static Path postmaster();  // the bare "<Postmaster>" of RCPT TO
  // A path from already-valid parts, for tests and the backend: `local` unquoted, `domain`
  // as it should be kept. No validation.
  static Path from_parts(std::string local, std::string domain);

  bool is_null() const { return kind_ == Kind::null; }
  bool is_postmaster() const { return kind_ == Kind::postmaster; }

  // The local part with quoting removed ("a b" for "\"a b\""). Empty for null paths.
  const std::string& local_part() const { return local_; }
  // The domain with ASCII letters lowercased, or the address literal as given ("[1.2.3.4]").
  // Empty for null and postmaster paths. U-labels are kept as sent (no IDNA mapping).
  const std::string& domain() const { return domain_; }
  // The local part was a quoted-string on the wire.
  bool local_quoted() const { return quoted_; }
  bool domain_is_literal() const { return !domain_.empty() && domain_.front() == '['; }
  // The path contains non-ASCII octets (legal only with SMTPUTF8; the session checks).
  bool has_utf8() const { return utf8_; }
  // A source route was present (and dropped).
  bool had_source_route() const { return source_route_; }

  // Characters in the local part that some MTAs treat as routing: '%' (percent hack), '!' (UUCP
  // bang path) and '@' (only possible inside quotes). An MX must not deliver such an address
  // anywhere but to a local mailbox of exactly that name, so it refuses them outright.
  bool has_routing_characters() const;

  // Canonical mailbox: local part as a dot-string when it is one, otherwise re-quoted with the
  // minimum escaping, then "@" and the domain. "" for the null path, "postmaster" for <Postmaster>.
  std::string mailbox() const;

  friend bool operator==(const Path&, const Path&) = default;

 private:
  friend class PathParser;
  enum class Kind { null, postmaster, mailbox };
  Kind kind_ = Kind::null;
  std::string local_;
  std::string domain_;
  bool quoted_ = false;
  bool utf8_ = false;
  bool source_route_ = false;
};

// Why a path did not parse.
enum class PathError {
  syntax,        // not RFC 5321 path grammar (or invalid UTF-8)
  too_long,      // a limit above is exceeded
  null_not_allowed,  // "<>" where only a forward-path may appear
};

// Which kind of path the grammar allows.
enum class PathKind {
  reverse,  // MAIL FROM: "<>" allowed
  forward,  // RCPT TO: "<Postmaster>" allowed
};

struct ParsedPath {
  Path path;
  std::size_t length = 0;  // octets of `text` consumed, from '<' through '>'
};

// Parses a path at the start of `text` (which must begin with '<'); anything after the closing
// '>' is left for the caller (ESMTP parameters). Pure; never throws on any input.
std::variant<ParsedPath, PathError> parse_path(std::string_view text, PathKind kind);

// True iff `text` is an RFC 5321 Domain (LDH labels; U-labels of valid UTF-8 accepted when
// `utf8_ok`), at most 255 octets. No trailing dot.
bool is_valid_domain(std::string_view text, bool utf8_ok);
// True iff `text` is an RFC 5321 address-literal: "[1.2.3.4]", "[IPv6:...]" or "[tag:content]".
bool is_valid_address_literal(std::string_view text);

// True iff `c` is RFC 5322 atext (the characters of a dot-string atom), ASCII only.
bool is_atext(char c);

}  // namespace atrium::smtp
