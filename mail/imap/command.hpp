// Typed IMAP commands (IMAP4rev2 RFC 9051, IMAP4rev1 RFC 3501 and the extensions Atrium speaks),
// as produced by parse_command (parser.hpp) and run by the executor. Plain values; mailbox names
// are UTF-8 whatever the wire form, and "INBOX" is upper-cased wherever a mailbox is named.
//
// Lifetime: everything is owned, except AppendMessage::content, which points into the bytes
// given to parse_command (the framer's FramedCommand::bytes): keep those alive while the Append
// is used, so a 50 MiB message is never copied.
#pragma once

#include "mail/imap/date_time.hpp"
#include "mail/imap/fetch_attribute.hpp"
#include "mail/imap/search_key.hpp"
#include "mail/imap/sequence_set.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace atrium::imap {

// ---- shared argument types ----

// STATUS data items (RFC 9051 section 6.3.11 and extensions), also used by LIST-STATUS.
enum class StatusItem : std::uint8_t {
  messages,
  uid_next,
  uid_validity,
  unseen,
  deleted,          // RFC 9051
  size,             // RFC 8438 (STATUS=SIZE); SIZE in RFC 9051
  recent,           // IMAP4rev1 only
  highest_modseq,   // RFC 7162
  append_limit,     // RFC 7889
  mailbox_id,       // RFC 8474
  deleted_storage,  // RFC 9208
};

// Flags as sent, except that the five system flags (and \Recent) are rewritten in their
// canonical case ("\seen" -> "\Seen"). Keywords keep their case; compare them case-insensitively.
using Flag = std::string;

// ---- any state ----

struct Capability {
  friend bool operator==(const Capability&, const Capability&) = default;
};
struct Noop {
  friend bool operator==(const Noop&, const Noop&) = default;
};
struct Logout {
  friend bool operator==(const Logout&, const Logout&) = default;
};
// ID (RFC 2971). nullopt for "ID NIL"; otherwise the field/value pairs in order (at most 30,
// fields at most 30 octets, values at most 1024; a NIL value is nullopt).
struct Id {
  using Field = std::pair<std::string, std::optional<std::string>>;
  std::optional<std::vector<Field>> fields;
  friend bool operator==(const Id&, const Id&) = default;
};

// ---- not authenticated ----

struct Starttls {
  friend bool operator==(const Starttls&, const Starttls&) = default;
};
// AUTHENTICATE mechanism [initial-response] (RFC 9051, SASL-IR RFC 4959). The mechanism is
// upper-cased. The initial response is the base64 text as sent ("=" stands for an empty
// response); the parser checks that it is base64.
struct Authenticate {
  std::string mechanism;
  std::optional<std::string> initial_response;
  friend bool operator==(const Authenticate&, const Authenticate&) = default;
};
struct Login {
  std::string user;
  std::string password;
  friend bool operator==(const Login&, const Login&) = default;
};

// ---- authenticated ----

// ENABLE (RFC 5161): capability names, upper-cased, in order.
struct Enable {
  std::vector<std::string> capabilities;
  friend bool operator==(const Enable&, const Enable&) = default;
};

// QRESYNC select parameter (RFC 7162 section 3.2.5).
struct QresyncParams {
  std::uint32_t uid_validity = 0;
  std::uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;  // never "*" or "$"
  // seq-match-data: message sequence numbers and the UIDs the client believes they have.
  std::optional<SequenceSet> known_sequence_set;
  std::optional<SequenceSet> known_uid_set;  // present exactly when known_sequence_set is
  friend bool operator==(const QresyncParams&, const QresyncParams&) = default;
};
struct SelectParams {
  bool condstore = false;                // (CONDSTORE)
  std::optional<QresyncParams> qresync;  // (QRESYNC (...))
  friend bool operator==(const SelectParams&, const SelectParams&) = default;
};
struct Select {
  std::string mailbox;
  SelectParams params;
  friend bool operator==(const Select&, const Select&) = default;
};
struct Examine {
  std::string mailbox;
  SelectParams params;
  friend bool operator==(const Examine&, const Examine&) = default;
};
// CREATE mailbox [(USE (attrs))] (RFC 4466, CREATE-SPECIAL-USE RFC 6154). Special-use attributes
// as sent with a backslash; the seven of RFC 6154 in canonical case ("\\Drafts"). Unknown ones
// are kept so the executor can answer NO [USEATTR].
struct Create {
  std::string mailbox;
  std::vector<std::string> special_use;
  friend bool operator==(const Create&, const Create&) = default;
};
struct Delete {
  std::string mailbox;
  friend bool operator==(const Delete&, const Delete&) = default;
};
struct Rename {
  std::string from;
  std::string to;
  friend bool operator==(const Rename&, const Rename&) = default;
};
struct Subscribe {
  std::string mailbox;
  friend bool operator==(const Subscribe&, const Subscribe&) = default;
};
struct Unsubscribe {
  std::string mailbox;
  friend bool operator==(const Unsubscribe&, const Unsubscribe&) = default;
};

// LIST selection options (RFC 5258 section 3.1, RFC 6154).
struct ListSelection {
  bool subscribed = false;
  bool remote = false;
  bool recursive_match = false;  // only together with another base option (checked)
  bool special_use = false;
  friend bool operator==(const ListSelection&, const ListSelection&) = default;
};
// LIST return options (RFC 5258 section 3.2, RFC 5819 LIST-STATUS, RFC 6154).
struct ListReturn {
  bool subscribed = false;
  bool children = false;
  bool special_use = false;
  std::optional<std::vector<StatusItem>> status;  // STATUS (items), deduplicated
  friend bool operator==(const ListReturn&, const ListReturn&) = default;
};
// LIST [(selection)] reference (pattern / (patterns)) [RETURN (options)]. Reference and
// patterns are UTF-8 (decoded from modified UTF-7 on IMAP4rev1); patterns keep "%" and "*" and
// are not INBOX-normalised (matching INBOX case-insensitively is the executor's job).
struct List {
  std::string reference;
  std::vector<std::string> patterns;  // at least one
  ListSelection selection;
  ListReturn returns;
  // The extended syntax was used (selection options, even "()", a pattern list or RETURN):
  // the reply then follows RFC 5258 (e.g. CHILDINFO, no implicit \Noselect parents).
  bool extended = false;
  friend bool operator==(const List&, const List&) = default;
};
// LSUB (IMAP4rev1).
struct Lsub {
  std::string reference;
  std::string pattern;
  friend bool operator==(const Lsub&, const Lsub&) = default;
};
struct Namespace {
  friend bool operator==(const Namespace&, const Namespace&) = default;
};
struct Status {
  std::string mailbox;
  std::vector<StatusItem> items;  // at least one, deduplicated, in the order first sent
  friend bool operator==(const Status&, const Status&) = default;
};

// How APPEND's message arrived.
enum class AppendData : std::uint8_t {
  literal,   // {n}: text; NUL octets were refused by the parser
  literal8,  // ~{n}: may hold binary content (RFC 3516 section 4.4)
  utf8,      // UTF8 (~{n}) (RFC 6855): only valid once UTF8=ACCEPT is enabled (executor checks)
};
struct AppendMessage {
  std::vector<Flag> flags;
  std::optional<DateTime> internal_date;
  AppendData data = AppendData::literal;
  std::string_view content;  // points into the parsed bytes: see the lifetime note at the top
  friend bool operator==(const AppendMessage&, const AppendMessage&) = default;
};
// APPEND mailbox message... (MULTIAPPEND RFC 3502 allows several).
struct Append {
  std::string mailbox;
  std::vector<AppendMessage> messages;  // at least one
  friend bool operator==(const Append&, const Append&) = default;
};
struct Idle {
  friend bool operator==(const Idle&, const Idle&) = default;
};
// COMPRESS DEFLATE (RFC 4978). Any other algorithm is a parse error (the RFC asks for BAD).
struct Compress {
  friend bool operator==(const Compress&, const Compress&) = default;
};

// QUOTA (RFC 9208).
struct GetQuota {
  std::string root;  // quota root name as sent
  friend bool operator==(const GetQuota&, const GetQuota&) = default;
};
struct GetQuotaRoot {
  std::string mailbox;
  friend bool operator==(const GetQuotaRoot&, const GetQuotaRoot&) = default;
};
struct QuotaLimit {
  std::string resource;  // upper-cased atom: STORAGE, MESSAGE, MAILBOX, ANNOTATION-STORAGE, ...
  std::uint64_t limit = 0;
  friend bool operator==(const QuotaLimit&, const QuotaLimit&) = default;
};
struct SetQuota {
  std::string root;
  std::vector<QuotaLimit> limits;  // may be empty: remove all limits
  friend bool operator==(const SetQuota&, const SetQuota&) = default;
};

// ACL (RFC 4314). Rights are the letters as sent (checked to be letters or digits).
enum class RightsChange : std::uint8_t { replace, add, remove };
struct SetAcl {
  std::string mailbox;
  std::string identifier;
  RightsChange change = RightsChange::replace;  // "+rights" / "-rights" / "rights"
  std::string rights;
  friend bool operator==(const SetAcl&, const SetAcl&) = default;
};
struct DeleteAcl {
  std::string mailbox;
  std::string identifier;
  friend bool operator==(const DeleteAcl&, const DeleteAcl&) = default;
};
struct GetAcl {
  std::string mailbox;
  friend bool operator==(const GetAcl&, const GetAcl&) = default;
};
struct ListRights {
  std::string mailbox;
  std::string identifier;
  friend bool operator==(const ListRights&, const ListRights&) = default;
};
struct MyRights {
  std::string mailbox;
  friend bool operator==(const MyRights&, const MyRights&) = default;
};

// ---- selected ----

struct Check {
  friend bool operator==(const Check&, const Check&) = default;
};
struct Close {
  friend bool operator==(const Close&, const Close&) = default;
};
struct Unselect {
  friend bool operator==(const Unselect&, const Unselect&) = default;
};
// EXPUNGE, or UID EXPUNGE set (UIDPLUS RFC 4315) when `uids` is present.
struct Expunge {
  std::optional<SequenceSet> uids;
  friend bool operator==(const Expunge&, const Expunge&) = default;
};

// SEARCH RETURN options (ESEARCH RFC 4731, SEARCHRES RFC 5182). "RETURN ()" means ALL.
struct SearchReturn {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;
  friend bool operator==(const SearchReturn&, const SearchReturn&) = default;
};
struct Search {
  bool uid = false;
  // nullopt: no RETURN, so an IMAP4rev1 session answers "* SEARCH"; IMAP4rev2 always ESEARCH.
  std::optional<SearchReturn> returns;
  std::optional<std::string> charset;  // as sent; nullopt means US-ASCII (UTF-8 in IMAP4rev2)
  SearchKey key;  // several top-level keys arrive as one and_ node
  friend bool operator==(const Search&, const Search&) = default;
};

struct Fetch {
  bool uid = false;  // UID FETCH: every response carries UID even when not asked (executor adds)
  SequenceSet set;
  std::vector<FetchAttribute> attrs;  // macros expanded, in the order sent, at least one
  std::optional<std::uint64_t> changed_since;  // (CHANGEDSINCE n), RFC 7162; 0 accepted
  bool vanished = false;  // (VANISHED): UID FETCH with CHANGEDSINCE only (checked)
  friend bool operator==(const Fetch&, const Fetch&) = default;
};

enum class StoreAction : std::uint8_t { replace, add, remove };  // FLAGS, +FLAGS, -FLAGS
struct Store {
  bool uid = false;
  SequenceSet set;
  std::optional<std::uint64_t> unchanged_since;  // (UNCHANGEDSINCE n), RFC 7162
  StoreAction action = StoreAction::replace;
  bool silent = false;      // .SILENT
  std::vector<Flag> flags;  // may be empty for FLAGS ()
  friend bool operator==(const Store&, const Store&) = default;
};
struct Copy {
  bool uid = false;
  SequenceSet set;
  std::string mailbox;
  friend bool operator==(const Copy&, const Copy&) = default;
};
struct Move {  // RFC 6851
  bool uid = false;
  SequenceSet set;
  std::string mailbox;
  friend bool operator==(const Move&, const Move&) = default;
};

// SORT (RFC 5256, SORT=DISPLAY RFC 5957, ESORT RFC 5267 RETURN).
enum class SortKey : std::uint8_t { arrival, cc, date, from, size, subject, to, display_from, display_to };
struct SortCriterion {
  SortKey key = SortKey::arrival;
  bool reverse = false;
  friend bool operator==(const SortCriterion&, const SortCriterion&) = default;
};
struct Sort {
  bool uid = false;
  std::optional<SearchReturn> returns;  // ESORT; nullopt for the plain "* SORT" answer
  std::vector<SortCriterion> criteria;  // at least one
  std::string charset;                  // mandatory in SORT, as sent
  SearchKey key;
  friend bool operator==(const Sort&, const Sort&) = default;
};

// THREAD (RFC 5256).
enum class ThreadAlgorithm : std::uint8_t { ordered_subject, references };
struct Thread {
  bool uid = false;
  ThreadAlgorithm algorithm = ThreadAlgorithm::references;
  std::string charset;
  SearchKey key;
  friend bool operator==(const Thread&, const Thread&) = default;
};

// ---- the command ----

// One alternative per command, in the order of CommandName.
using CommandBody = std::variant<
    // any state
    Capability, Noop, Logout, Id,
    // not authenticated
    Starttls, Authenticate, Login,
    // authenticated
    Enable, Select, Examine, Create, Delete, Rename, Subscribe, Unsubscribe, List, Lsub, Namespace, Status, Append,
    Idle, Compress, GetQuota, GetQuotaRoot, SetQuota, SetAcl, DeleteAcl, GetAcl, ListRights, MyRights,
    // selected
    Check, Close, Unselect, Expunge, Search, Fetch, Store, Copy, Move, Sort, Thread>;

enum class CommandName : std::uint8_t {
  capability, noop, logout, id,
  starttls, authenticate, login,
  enable, select, examine, create, delete_, rename, subscribe, unsubscribe, list, lsub, namespace_, status, append,
  idle, compress, getquota, getquotaroot, setquota, setacl, deleteacl, getacl, listrights, myrights,
  check, close, unselect, expunge, search, fetch, store, copy, move, sort, thread,
};
inline constexpr std::size_t command_count = 41;
static_assert(std::variant_size_v<CommandBody> == command_count);

struct Command {
  std::string tag;  // as sent; never empty, never contains "+"
  CommandBody body;

  CommandName name() const { return static_cast<CommandName>(body.index()); }
  // Whether the command was sent with the UID prefix (UID FETCH, UID EXPUNGE, ...).
  bool uid() const;

  friend bool operator==(const Command&, const Command&) = default;
};

// Upper-case wire name, e.g. "GETQUOTAROOT".
std::string_view command_wire_name(CommandName name);
// The command for a name in any letter case, or nullopt.
std::optional<CommandName> command_from_name(std::string_view name);
// The STATUS item's wire name, e.g. "HIGHESTMODSEQ".
std::string_view status_item_name(StatusItem item);

}  // namespace atrium::imap
