// Reply encoding: string forms, mailbox names, sequence sets, the response-code table and the
// status lines, including the replies to framing and parse errors.
#include "mail/imap/response.hpp"

#include "core/auth/utf8.hpp"
#include "mail/imap/reader.hpp"

#include <array>
#include <cassert>
#include <fmt/format.h>

namespace atrium::imap {
namespace {

using enum ResponseCode;
using enum CodeArgument;

// In enumerator order (checked below).
constexpr std::array code_table = {
    ResponseCodeSpec{alert, "ALERT", none},
    ResponseCodeSpec{already_exists, "ALREADYEXISTS", none},
    ResponseCodeSpec{append_uid, "APPENDUID", required},
    ResponseCodeSpec{authentication_failed, "AUTHENTICATIONFAILED", none},
    ResponseCodeSpec{authorization_failed, "AUTHORIZATIONFAILED", none},
    ResponseCodeSpec{bad_charset, "BADCHARSET", optional},
    ResponseCodeSpec{cannot, "CANNOT", none},
    ResponseCodeSpec{capability, "CAPABILITY", required},
    ResponseCodeSpec{client_bug, "CLIENTBUG", none},
    ResponseCodeSpec{closed, "CLOSED", none},
    ResponseCodeSpec{compression_active, "COMPRESSIONACTIVE", none},
    ResponseCodeSpec{contact_admin, "CONTACTADMIN", none},
    ResponseCodeSpec{copy_uid, "COPYUID", required},
    ResponseCodeSpec{corruption, "CORRUPTION", none},
    ResponseCodeSpec{expired, "EXPIRED", none},
    ResponseCodeSpec{expunge_issued, "EXPUNGEISSUED", none},
    ResponseCodeSpec{has_children, "HASCHILDREN", none},
    ResponseCodeSpec{highest_modseq, "HIGHESTMODSEQ", required},
    ResponseCodeSpec{in_use, "INUSE", none},
    ResponseCodeSpec{limit, "LIMIT", none},
    ResponseCodeSpec{mailbox_id, "MAILBOXID", required},
    ResponseCodeSpec{modified, "MODIFIED", required},
    ResponseCodeSpec{no_modseq, "NOMODSEQ", none},
    ResponseCodeSpec{nonexistent, "NONEXISTENT", none},
    ResponseCodeSpec{no_perm, "NOPERM", none},
    ResponseCodeSpec{not_saved, "NOTSAVED", none},
    ResponseCodeSpec{over_quota, "OVERQUOTA", none},
    ResponseCodeSpec{parse, "PARSE", none},
    ResponseCodeSpec{permanent_flags, "PERMANENTFLAGS", required},
    ResponseCodeSpec{privacy_required, "PRIVACYREQUIRED", none},
    ResponseCodeSpec{read_only, "READ-ONLY", none},
    ResponseCodeSpec{read_write, "READ-WRITE", none},
    ResponseCodeSpec{server_bug, "SERVERBUG", none},
    ResponseCodeSpec{too_big, "TOOBIG", none},
    ResponseCodeSpec{try_create, "TRYCREATE", none},
    ResponseCodeSpec{uid_next, "UIDNEXT", required},
    ResponseCodeSpec{uid_not_sticky, "UIDNOTSTICKY", none},
    ResponseCodeSpec{uid_validity, "UIDVALIDITY", required},
    ResponseCodeSpec{unavailable, "UNAVAILABLE", none},
    ResponseCodeSpec{unknown_cte, "UNKNOWN-CTE", none},
    ResponseCodeSpec{unseen, "UNSEEN", required},
    ResponseCodeSpec{use_attr, "USEATTR", none},
};

constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < code_table.size(); ++i) {
    if (static_cast<std::size_t>(code_table[i].code) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "code_table must list every ResponseCode in enumerator order");
static_assert(code_table.back().code == use_attr, "code_table must end with the last ResponseCode");

bool quotable(std::string_view s, WireCharset charset) {
  bool eight_bit = false;
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
    eight_bit = eight_bit || static_cast<unsigned char>(c) >= 0x80;
  }
  if (!eight_bit) return true;
  return charset == WireCharset::utf8 && auth::is_valid_utf8(s);
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

std::string_view condition_name(Condition c) {
  switch (c) {
    case Condition::ok: return "OK";
    case Condition::no: return "NO";
    case Condition::bad: return "BAD";
    case Condition::preauth: return "PREAUTH";
    case Condition::bye: return "BYE";
  }
  return "BAD";
}

}  // namespace

void append_literal(std::string& out, std::string_view data) {
  out += fmt::format("{{{}}}\r\n", data.size());
  out += data;
}

void append_literal8(std::string& out, std::string_view data) {
  out += fmt::format("~{{{}}}\r\n", data.size());
  out += data;
}

void append_string(std::string& out, std::string_view s, WireCharset charset) {
  if (quotable(s, charset)) {
    append_quoted(out, s);
  } else {
    append_literal(out, s);
  }
}

void append_astring(std::string& out, std::string_view s, WireCharset charset) {
  bool atom = !s.empty();
  for (char c : s) {
    if (!detail::is_astring_char(c)) {
      atom = false;
      break;
    }
  }
  // "NIL" as an atom would read back as nil where an nstring is expected; quoting costs nothing.
  if (atom && !(s.size() == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'i' && (s[2] | 0x20) == 'l')) {
    out += s;
  } else {
    append_string(out, s, charset);
  }
}

void append_nstring(std::string& out, std::optional<std::string_view> s, WireCharset charset) {
  if (!s) {
    out += "NIL";
  } else {
    append_string(out, *s, charset);
  }
}

void append_mailbox(std::string& out, std::string_view name, WireCharset charset) {
  if (charset == WireCharset::utf8) {
    append_astring(out, name, charset);
    return;
  }
  const std::optional<std::string> encoded = utf8_to_modified_utf7(name);
  assert(encoded && "mailbox names in the store are valid UTF-8");
  append_astring(out, encoded ? *encoded : std::string_view(), charset);
}

void append_flag_list(std::string& out, std::span<const std::string> flags) {
  out += '(';
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out += ' ';
    out += flags[i];
  }
  out += ')';
}

void append_sequence_set(std::string& out, std::span<const std::uint32_t> ascending) {
  std::size_t i = 0;
  bool first = true;
  while (i < ascending.size()) {
    const std::uint32_t start = ascending[i];
    std::uint32_t end = start;
    ++i;
    while (i < ascending.size() && (ascending[i] == end || (end != UINT32_MAX && ascending[i] == end + 1))) {
      end = ascending[i];
      ++i;
    }
    if (!first) out += ',';
    first = false;
    out += std::to_string(start);
    if (end != start) {
      out += ':';
      out += std::to_string(end);
    }
  }
}

std::string format_sequence_set(std::span<const std::uint32_t> ascending) {
  std::string out;
  append_sequence_set(out, ascending);
  return out;
}

void append_sequence_set(std::string& out, std::span<const SequenceRange> ranges) {
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ranges[i].first);
    if (ranges[i].last != ranges[i].first) {
      out += ':';
      out += std::to_string(ranges[i].last);
    }
  }
}

const ResponseCodeSpec& response_code_spec(ResponseCode code) { return code_table.at(static_cast<std::size_t>(code)); }

CodeText code_uid_validity(std::uint32_t v) { return {uid_validity, std::to_string(v)}; }
CodeText code_uid_next(std::uint32_t v) { return {uid_next, std::to_string(v)}; }
CodeText code_unseen(std::uint32_t v) { return {unseen, std::to_string(v)}; }
CodeText code_highest_modseq(std::uint64_t v) { return {highest_modseq, std::to_string(v)}; }

CodeText code_append_uid(std::uint32_t uid_validity, std::span<const std::uint32_t> uids) {
  CodeText c{append_uid, std::to_string(uid_validity) + ' '};
  append_sequence_set(c.argument, uids);
  return c;
}

CodeText code_copy_uid(std::uint32_t uid_validity, std::span<const std::uint32_t> source,
                       std::span<const std::uint32_t> destination) {
  // RFC 4315 pairs the sets element by element, so they are written in the caller's order,
  // which must be ascending in the source; compressing both keeps the pairing.
  CodeText c{copy_uid, std::to_string(uid_validity) + ' '};
  append_sequence_set(c.argument, source);
  c.argument += ' ';
  append_sequence_set(c.argument, destination);
  return c;
}

CodeText code_modified(std::span<const std::uint32_t> ascending) {
  CodeText c{modified, {}};
  append_sequence_set(c.argument, ascending);
  return c;
}

CodeText code_permanent_flags(std::span<const std::string> flags, KeywordCreation keywords) {
  CodeText c{permanent_flags, "("};
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) c.argument += ' ';
    c.argument += flags[i];
  }
  if (keywords == KeywordCreation::allowed) c.argument += flags.empty() ? "\\*" : " \\*";
  c.argument += ')';
  return c;
}

CodeText code_mailbox_id(std::string_view objectid) { return {mailbox_id, fmt::format("({})", objectid)}; }

CodeText code_bad_charset(std::span<const std::string_view> supported) {
  if (supported.empty()) return {bad_charset, {}};
  std::string list;
  list += '(';
  for (std::size_t i = 0; i < supported.size(); ++i) {
    if (i > 0) list += ' ';
    append_astring(list, supported[i], WireCharset::modified_utf7);
  }
  list += ')';
  return {bad_charset, std::move(list)};
}

CodeText code_capability(std::string_view capabilities) { return {capability, std::string(capabilities)}; }

void append_code(std::string& out, const CodeText& code) {
  const ResponseCodeSpec& spec = response_code_spec(code.code);
  assert((spec.argument != CodeArgument::none || code.argument.empty()) && "this response code takes no argument");
  assert((spec.argument != CodeArgument::required || !code.argument.empty()) && "this response code needs one");
  out += '[';
  out += spec.name;
  if (!code.argument.empty()) {
    out += ' ';
    out += code.argument;
  }
  out += ']';
}

void append_status(std::string& out, std::string_view tag, Condition condition, const std::optional<CodeText>& code,
                   std::string_view text) {
  out += tag.empty() ? std::string_view("*") : tag;
  out += ' ';
  out += condition_name(condition);
  if (code) {
    out += ' ';
    append_code(out, *code);
  }
  out += ' ';
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
  out += "\r\n";
}

void append_continuation(std::string& out, std::string_view text) {
  out += "+ ";
  out += text;
  out += "\r\n";
}

void append_frame_error(std::string& out, std::string_view tag, FrameError error) {
  switch (error) {
    case FrameError::line_too_long:
      append_status(out, tag, Condition::bad, std::nullopt, "Command line too long");
      return;
    case FrameError::literal_too_big:
      append_status(out, tag, Condition::no, CodeText{too_big}, "Literal too big");
      return;
    case FrameError::command_too_big:
      append_status(out, tag, Condition::no, CodeText{too_big}, "Command too big");
      return;
    case FrameError::non_sync_literal_too_big:
      append_status(out, tag, Condition::bad, std::nullopt, "Non-synchronizing literal over 4096 octets");
      return;
    case FrameError::unframeable:
      append_status(out, {}, Condition::bye, std::nullopt, "Literal size out of range");
      return;
  }
}

void append_parse_error(std::string& out, const ParseError& error) {
  append_status(out, error.tag, Condition::bad, std::nullopt, parse_error_text(error.kind));
}

}  // namespace atrium::imap
