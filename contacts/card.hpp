// A vCard as an ordered list of content lines (RFC 6350 §3.3), with the value decoders and the
// accessors CardDAV and the store need (UID, FN, N, EMAIL, TEL, KIND, MEMBER). No I/O:
// parse.hpp builds a Card from bytes, serialise.hpp writes one back.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::contacts {

// vCard 2.1 is read (Outlook and phone exports still carry it), never written: parsing rewrites
// its quirks into 3.0 syntax, and a 2.1 card is written as 3.0.
enum class Version { v2_1, v3_0, v4_0 };

std::string_view to_string(Version version);  // "2.1", "3.0", "4.0"

// What a card describes (RFC 6350 §6.1.4 KIND, or Apple's X-ADDRESSBOOKSERVER-KIND in 3.0).
enum class Kind { individual, group, org, location, other };

struct Parameter {
  std::string name;                 // upper-cased, e.g. "TYPE"
  std::vector<std::string> values;  // decoded: quotes removed, RFC 6868 ^-escapes applied; UTF-8

  friend bool operator==(const Parameter&, const Parameter&) = default;
};

struct Property {
  std::string group;              // e.g. "item1" (Apple pairs a value with X-ABLabel this way); "" if none
  std::string name;               // upper-cased, e.g. "EMAIL", "X-ABLABEL"
  std::vector<Parameter> params;  // in order; a name may repeat (TYPE=work;TYPE=voice)
  // The value as written, after unfolding: backslash escapes kept (see unescape), transfer
  // encodings (QUOTED-PRINTABLE) and legacy charsets undone, always UTF-8 without line breaks.
  std::string value;

  // The first parameter called `name` (upper-case), or nullptr.
  const Parameter* param(std::string_view name) const;
  // Every value of every parameter called `name`, with comma-joined values split, because 4.0
  // writers quote lists (TYPE="work,voice") and 3.0 writers repeat the parameter.
  std::vector<std::string> param_values(std::string_view name) const;
  // Whether a TYPE value equals `type`, ignoring ASCII case.
  bool has_type(std::string_view type) const;
  // Removes every parameter called `name`.
  void remove_param(std::string_view name);
  // Appends `value` to the first parameter called `name`, creating it at the end if needed.
  void add_param_value(std::string_view name, std::string value);
  // The value with escapes decoded (for text values; structure separators stay as written).
  std::string text() const;

  friend bool operator==(const Property&, const Property&) = default;
};

// Decodes RFC 6350 §3.4 escapes: "\n" and "\N" to a line feed, "\\", "\,", "\;" and "\:" to the
// character. A backslash before anything else is kept with that character, as 2.1 writers put
// bare backslashes in values (Windows paths) and losing them helps no one.
std::string unescape(std::string_view raw);

// The inverse for text values: backslash, comma, semicolon and line breaks escaped.
std::string escape(std::string_view text);

// Splits a raw value on `separator` where it is not escaped, then unescapes each part:
// N "Doe;John;;;" -> {"Doe", "John", "", "", ""}; CATEGORIES "a,b\,c" with ',' -> {"a", "b,c"}.
std::vector<std::string> split_value(std::string_view raw, char separator);

// Whether `p` is what `name` designates in a CARDDAV:prop or prop-filter (RFC 6352 §10.4.2):
// "TEL" is TEL in any group, "ITEM1.TEL" is TEL in group item1 only. ASCII case is ignored.
bool is_named(const Property& p, std::string_view name);

// A "tel:" URI (4.0 TEL;VALUE=uri) as the text a 3.0 reader shows: the scheme and URI parameters
// dropped, an extension kept: "tel:+1-555-555-5555;ext=5555" -> "+1-555-555-5555 ext. 5555".
// Anything else is returned unchanged.
std::string tel_text(std::string_view uri);

// One vCard. The parser guarantees what parse.hpp lists (UID present, UTF-8, ...); a Card built by
// hand or by convert() may hold anything and is still written safely by to_vcard().
struct Card {
  Version version = Version::v4_0;
  std::vector<Property> properties;  // the content lines between BEGIN and END, without VERSION

  // The first property called `name` (upper-case), or nullptr.
  const Property* find(std::string_view name) const;
  Property* find(std::string_view name);

  std::string uid() const;                 // unescaped; "" when absent
  std::optional<std::string> fn() const;   // unescaped FN, nullopt when absent
  std::vector<std::string> n() const;      // N's components, unescaped; empty when absent
  // Every EMAIL, unescaped, trimmed and ASCII lower-cased (what the store indexes); empty
  // values are skipped.
  std::vector<std::string> emails() const;
  // Every TEL as text, unescaped; "tel:" URIs as tel_text() renders them.
  std::vector<std::string> tels() const;
  // KIND, else X-ADDRESSBOOKSERVER-KIND; individual when neither is present.
  Kind kind() const;
  // The member URIs of a group: MEMBER, else X-ADDRESSBOOKSERVER-MEMBER.
  std::vector<std::string> members() const;

  friend bool operator==(const Card&, const Card&) = default;
};

}  // namespace atrium::contacts
