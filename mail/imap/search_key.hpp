// SEARCH criteria as a tree (RFC 9051 section 6.4.4 and the extensions listed per key), as the
// parser produces them for SEARCH, SORT and THREAD.
#pragma once

#include "mail/imap/date_time.hpp"
#include "mail/imap/sequence_set.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace atrium::imap {

// One search key. The comment names the type SearchKey::arg holds for it.
enum class SearchOp : std::uint8_t {
  // monostate: flag and state tests
  all, answered, deleted, draft, flagged, seen,
  unanswered, undeleted, undraft, unflagged, unseen,
  recent, new_, old,       // IMAP4rev1 only (RFC 3501); IMAP4rev2 removed \Recent
  saved_date_supported,    // SAVEDATESUPPORTED (RFC 8514)
  // std::string: the string to look for, as sent (its charset is Search::charset)
  bcc, body, cc, from, subject, text, to,
  keyword, unkeyword,      // flag-keyword atoms, as sent
  email_id, thread_id,     // EMAILID / THREADID objectid (RFC 8474)
  // HeaderMatch
  header,
  // Date: internal date (BEFORE ON SINCE), Date: header (SENT*), save date (SAVED*, RFC 8514)
  before, on, since, sent_before, sent_on, sent_since, saved_before, saved_on, saved_since,
  // std::uint64_t
  larger, smaller,         // RFC822.SIZE in octets
  older, younger,          // WITHIN (RFC 5032): seconds, > 0
  // ModSeqMatch
  modseq,                  // MODSEQ (RFC 7162)
  // SequenceSet
  sequence_set,            // message sequence numbers (or "$")
  uid,                     // UID set (or "$")
  // children only
  and_,                    // all of `children` (two or more)
  or_,                     // either of the two `children`
  not_,                    // not the one child
};

struct HeaderMatch {
  std::string name;   // field name as sent; compare case-insensitively
  std::string value;  // substring to find; empty matches every message that has the field
  friend bool operator==(const HeaderMatch&, const HeaderMatch&) = default;
};

// The optional entry of MODSEQ (RFC 7162 section 3.1.5): "/flags/<flag>" and priv|shared|all.
enum class ModSeqEntryType : std::uint8_t { priv, shared, all };
struct ModSeqEntry {
  std::string flag;  // the flag after "/flags/", e.g. "\\Seen" (system flags in canonical case)
  ModSeqEntryType type = ModSeqEntryType::all;
  friend bool operator==(const ModSeqEntry&, const ModSeqEntry&) = default;
};
struct ModSeqMatch {
  std::uint64_t modseq = 0;  // messages whose modseq is >= this (0 matches all)
  std::optional<ModSeqEntry> entry;
  friend bool operator==(const ModSeqMatch&, const ModSeqMatch&) = default;
};

struct SearchKey {
  using Argument = std::variant<std::monostate, std::string, HeaderMatch, Date, std::uint64_t, ModSeqMatch, SequenceSet>;

  SearchOp op = SearchOp::all;
  Argument arg;
  std::vector<SearchKey> children;  // and_, or_, not_ only

  friend bool operator==(const SearchKey&, const SearchKey&) = default;
};

// Tree helpers for the executor and the dispatcher.
// The deepest nesting of and_/or_/not_ (a leaf is depth 0).
std::size_t search_depth(const SearchKey& key);
// Whether any key refers to message sequence numbers (a sequence_set leaf). A UID SEARCH with
// such a key still depends on them (RFC 9051 section 5.5).
bool uses_sequence_numbers(const SearchKey& key);
// Whether any key refers to the saved result "$" (RFC 5182).
bool uses_saved_result(const SearchKey& key);

}  // namespace atrium::imap
