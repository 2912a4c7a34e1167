// SPF macro strings (RFC 7208 §7): parsing into literal text and macro letters, and expansion
// against the values of one check. Pure: the caller supplies every value, including %{p} (which
// needs DNS and is resolved by the evaluator only when a string uses it).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::mail::auth::spf {

// Why a record or macro string was refused. `offset` counts bytes from the start of the text
// handed to the parser that reports it (parse_record reports offsets into the whole record).
struct SyntaxError {
  std::size_t offset = 0;
  std::string message;
  friend bool operator==(const SyntaxError&, const SyntaxError&) = default;
};

// A parse result: the value, or why the text was refused.
template <class T>
using Parsed = std::variant<T, SyntaxError>;

// One %{...} expansion.
struct MacroExpand {
  char letter = 'd';        // lower case: one of s l o d i p h c r t v
  bool url_escape = false;  // written in upper case (§7.3): escape everything outside RFC 3986 unreserved
  unsigned keep = 0;        // DIGIT transformer: keep this many right-hand parts; 0 = all
  bool reverse = false;     // "r" transformer
  std::string delimiters;   // split characters; empty means "."
  friend bool operator==(const MacroExpand&, const MacroExpand&) = default;
};

// Literal text (with %% %_ %- already turned into "%", " ", "%20") or one macro letter.
using MacroToken = std::variant<std::string, MacroExpand>;

struct MacroString {
  std::string text;  // as written, for diagnostics
  std::vector<MacroToken> tokens;

  bool uses(char letter) const;  // `letter` in lower case
  friend bool operator==(const MacroString&, const MacroString&) = default;
};

// Where a macro string stands. Mechanism and modifier arguments take macro-string; the TXT text
// of an exp= target is an explain-string, where SP and the letters c, r, t are also allowed.
enum class MacroContext { record, explanation };

// Longest macro string accepted; every SPF text is bounded by the record size anyway.
inline constexpr std::size_t max_macro_text = 4096;

// macro-string (§7.1), or explain-string with MacroContext::explanation. Refuses characters outside
// %x21-7E (and SP for explanations), unknown letters, c/r/t outside explanations, a zero DIGIT
// transformer and a '%' not starting %%, %_, %- or %{.
Parsed<MacroString> parse_macro_string(std::string_view text, MacroContext context);

// domain-spec = macro-string domain-end (§4.8, §7.1): the text must end in a macro expansion or
// in "." toplabel ["."]. Refuses the empty string.
Parsed<MacroString> parse_domain_spec(std::string_view text);

// The values of one check (§7.3). Text as the evaluator prepared it: `local_part` is "postmaster"
// when the sender had none, `ip` is the %{i} form (see dotted_form), `validated` is the chosen
// PTR-validated name or "unknown".
struct MacroValues {
  std::string sender;          // s
  std::string local_part;      // l
  std::string sender_domain;   // o
  std::string domain;          // d: the domain whose record is being evaluated
  std::string ip;              // i
  std::string validated;       // p
  std::string ip_version;      // v: "in-addr" or "ip6"
  std::string helo;            // h
  std::string client_ip;       // c
  std::string receiver;        // r
  std::string timestamp;       // t
};

// Expands every token. Output longer than max_expansion is cut there (it cannot be a domain name
// or a useful explanation; the cut only bounds memory).
inline constexpr std::size_t max_expansion = 65536;
std::string expand(const MacroString& macro, const MacroValues& values);

// Expands a domain-spec into the name to query: a trailing dot is dropped and, when the result is
// longer than 253 octets, whole labels are dropped from the left until it fits (§4.8). A result
// that cannot be shortened that way is returned as it is; callers check every name with
// is_valid_domain before querying it.
std::string expand_domain(const MacroString& macro, const MacroValues& values);

// A name check_host may query: 1-253 octets, labels of 1-63 octets separated by single dots, no
// control characters (other octets, spaces included, are legal in DNS labels). A trailing dot
// must already be removed. When `multi_label`, at least two labels are required (§4.3 for the
// initial <domain>).
bool is_valid_domain(std::string_view name, bool multi_label);

}  // namespace atrium::mail::auth::spf
