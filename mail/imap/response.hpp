// Encoding helpers for the replies the executor writes (RFC 9051 section 7): strings in their
// safest form, mailbox names per the connection's charset, flag lists, dates, sequence sets,
// response codes from one typed table, status lines, and the replies to framing and parse errors.
// Every function appends to `out` and never adds a line ending unless it writes a whole line.
#pragma once

#include "mail/imap/framer.hpp"
#include "mail/imap/mailbox_name.hpp"
#include "mail/imap/parser.hpp"
#include "mail/imap/sequence_set.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace atrium::imap {

// ---- strings ----

// string: quoted when that is safe (no CR, LF or NUL; 8-bit only in utf8 mode and only as valid
// UTF-8; '"' and '\' escaped), otherwise a literal "{n}\r\n" + data. Never an atom. `s` must
// not contain NUL (no IMAP string can); binary data goes through append_literal8.
void append_string(std::string& out, std::string_view s, WireCharset charset);
// astring: a bare atom when `s` is non-empty and all ASTRING-CHAR, else as append_string.
void append_astring(std::string& out, std::string_view s, WireCharset charset);
// nstring: NIL for nullopt, else as append_string.
void append_nstring(std::string& out, std::optional<std::string_view> s, WireCharset charset);
// The literal form always: "{n}\r\n" + data (server literals are never "{n+}"). A literal
// carries CHAR8 only: content that may hold NUL goes out as literal8 (BINARY, RFC 3516).
void append_literal(std::string& out, std::string_view data);
// "~{n}\r\n" + data, for FETCH BINARY[] responses.
void append_literal8(std::string& out, std::string_view data);
// A mailbox name (UTF-8 inside Atrium): modified UTF-7 then astring on IMAP4rev1, astring of
// the UTF-8 itself in utf8 mode. `name` must be valid UTF-8 (an invariant of the store).
void append_mailbox(std::string& out, std::string_view name, WireCharset charset);
// "(" flag *(SP flag) ")": flags are atoms or "\" atom and are written as they are.
void append_flag_list(std::string& out, std::span<const std::string> flags);

// ---- sequence sets ----

// Compresses ascending numbers (duplicates allowed) into ranges: {1,2,3,4,5,7,9,10,11,12} ->
// "1:5,7,9:12". Empty input writes nothing (the callers must not send an empty set).
void append_sequence_set(std::string& out, std::span<const std::uint32_t> ascending);
std::string format_sequence_set(std::span<const std::uint32_t> ascending);
// Ranges in SequenceSet::resolve form (ascending, disjoint, no "*").
void append_sequence_set(std::string& out, std::span<const SequenceRange> ranges);

// ---- response codes (RFC 9051 section 7.1 and the extensions named) ----

enum class ResponseCode : std::uint8_t {
  alert,                 // ALERT
  already_exists,        // ALREADYEXISTS
  append_uid,            // APPENDUID uidvalidity uid-set (RFC 4315)
  authentication_failed, // AUTHENTICATIONFAILED
  authorization_failed,  // AUTHORIZATIONFAILED
  bad_charset,           // BADCHARSET [(charsets)]
  cannot,                // CANNOT
  capability,            // CAPABILITY caps
  client_bug,            // CLIENTBUG
  closed,                // CLOSED (RFC 7162)
  compression_active,    // COMPRESSIONACTIVE (RFC 4978)
  contact_admin,         // CONTACTADMIN
  copy_uid,              // COPYUID uidvalidity source-set dest-set (RFC 4315)
  corruption,            // CORRUPTION
  expired,               // EXPIRED
  expunge_issued,        // EXPUNGEISSUED
  has_children,          // HASCHILDREN
  highest_modseq,        // HIGHESTMODSEQ n (RFC 7162)
  in_use,                // INUSE
  limit,                 // LIMIT
  mailbox_id,            // MAILBOXID (id) (RFC 8474)
  modified,              // MODIFIED set (RFC 7162)
  no_modseq,             // NOMODSEQ (RFC 7162)
  nonexistent,           // NONEXISTENT
  no_perm,               // NOPERM
  not_saved,             // NOTSAVED (RFC 5182)
  over_quota,            // OVERQUOTA
  parse,                 // PARSE
  permanent_flags,       // PERMANENTFLAGS (flags)
  privacy_required,      // PRIVACYREQUIRED
  read_only,             // READ-ONLY
  read_write,            // READ-WRITE
  server_bug,            // SERVERBUG
  too_big,               // TOOBIG (RFC 7889)
  try_create,            // TRYCREATE
  uid_next,              // UIDNEXT n
  uid_not_sticky,        // UIDNOTSTICKY (RFC 4315)
  uid_validity,          // UIDVALIDITY n
  unavailable,           // UNAVAILABLE
  unknown_cte,           // UNKNOWN-CTE (RFC 3516)
  unseen,                // UNSEEN n (IMAP4rev1)
  use_attr,              // USEATTR (RFC 6154)
};

enum class CodeArgument : std::uint8_t { none, required, optional };

struct ResponseCodeSpec {
  ResponseCode code;
  std::string_view name;
  CodeArgument argument;
};

// The table entry of `code`; every enumerator has one (the unit test walks them all).
const ResponseCodeSpec& response_code_spec(ResponseCode code);

// A response code with its argument already in wire form.
struct CodeText {
  ResponseCode code = ResponseCode::alert;
  std::string argument;  // empty when the code takes none
  friend bool operator==(const CodeText&, const CodeText&) = default;
};

// Builders for every code with an argument; codes without one are CodeText{code}.
CodeText code_uid_validity(std::uint32_t uid_validity);
CodeText code_uid_next(std::uint32_t uid_next);
CodeText code_unseen(std::uint32_t first_unseen);
CodeText code_highest_modseq(std::uint64_t modseq);
CodeText code_append_uid(std::uint32_t uid_validity, std::span<const std::uint32_t> uids);
CodeText code_copy_uid(std::uint32_t uid_validity, std::span<const std::uint32_t> source,
                       std::span<const std::uint32_t> destination);
CodeText code_modified(std::span<const std::uint32_t> ascending);
// PERMANENTFLAGS (flags): KeywordCreation::allowed appends "\*" (clients may create keywords).
enum class KeywordCreation : std::uint8_t { fixed, allowed };
CodeText code_permanent_flags(std::span<const std::string> flags, KeywordCreation keywords);
CodeText code_mailbox_id(std::string_view objectid);
CodeText code_bad_charset(std::span<const std::string_view> supported);  // empty: no list
CodeText code_capability(std::string_view capabilities);                 // "IMAP4rev2 IDLE ..."

// "[NAME]" or "[NAME argument]".
void append_code(std::string& out, const CodeText& code);

// ---- whole lines ----

enum class Condition : std::uint8_t { ok, no, bad, preauth, bye };

// tag SP ("OK" / "NO" / "BAD" / "PREAUTH" / "BYE") [SP "[" code "]"] SP text CRLF. An empty
// `tag` writes "*". Control characters in `text` become spaces: texts may quote client input.
void append_status(std::string& out, std::string_view tag, Condition condition, const std::optional<CodeText>& code,
                   std::string_view text);
// "+" SP text CRLF: a continuation request (the SP is written even for an empty text).
void append_continuation(std::string& out, std::string_view text);

// The reply to a framing error (FrameError comments): tagged when `tag` is not empty.
void append_frame_error(std::string& out, std::string_view tag, FrameError error);
// The reply to a parse error: "tag BAD text" or "* BAD text".
void append_parse_error(std::string& out, const ParseError& error);

}  // namespace atrium::imap
