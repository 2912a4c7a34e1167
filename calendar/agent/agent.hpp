// The scheduling agent: what implicit scheduling (RFC 6638) and iMIP (RFC 6047) do to the store
// once a change to a scheduling object is known. CalDAV calls it for a PUT or DELETE; the mail
// side calls it for an iMIP reply that arrived. It runs inside the caller's write job, so the
// change and every delivery it implies commit together. It acts for the server (the system
// actor): the caller has already checked that its user may make the change that triggers it.
#pragma once

#include "calendar/object.hpp"
#include "calendar/scheduling.hpp"
#include "storage/store.hpp"
#include "storage/types.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace atrium::calendar::agent {

struct Options {
  std::string hostname = "localhost";  // Message-IDs of iMIP mail
};

// The store name of the schedule inbox, and the resource property holding a schedule tag
// (RFC 6638 §3.2.10).
inline constexpr std::string_view k_inbox = "inbox";
inline const std::string k_schedule_tag = "{urn:ietf:params:xml:ns:caldav}schedule-tag";

// What the organiser's copy should record about each attendee after a change.
struct Outcome {
  std::map<std::string, std::string> status;          // attendee email → SCHEDULE-STATUS
  std::map<std::string, PartStat> answers;            // answers resources gave at once
};

// The organiser stored `now`, replacing `old` (nullopt for a new event): every attendee the
// server schedules for gets a REQUEST (internal: schedule inbox plus a copy in their calendar,
// merged with their earlier answer; resources answer at once; external: iMIP mail queued), and
// attendees the change removed get a CANCEL.
Outcome organiser_changed(storage::WriteTxn& txn, storage::Store& store, const Options& options,
                          const Object& now, const std::optional<Object>& old);

// The organiser deleted `object`: CANCEL to every attendee; internal copies are marked cancelled
// and resources are freed.
void organiser_deleted(storage::WriteTxn& txn, storage::Store& store, const Options& options, const Object& object);

// Attendee `email` answered (its PARTSTAT as in `object`): the organiser's copy takes the answer
// and the REPLY goes to the organiser's inbox, or out as iMIP mail.
void attendee_answered(storage::WriteTxn& txn, storage::Store& store, const Options& options, const std::string& email,
                       const Object& object);

// An iMIP REPLY (`itip`, METHOD:REPLY) reached the account `organiser` by mail from `sender`
// (lower-case address): when it answers for `sender` about an event the account organises, the
// organiser's copy takes the answer and the REPLY is put in the schedule inbox. A reply whose
// attendee is not the sender is ignored (a forged answer). Returns whether it was applied.
bool reply_received(storage::WriteTxn& txn, storage::Store& store, storage::PrincipalId organiser,
                    std::string_view sender, std::string_view itip);

// A new schedule tag.
std::string new_schedule_tag();
// Stores the schedule tag of resource `name` of collection `c`.
void set_schedule_tag(storage::WriteTxn& txn, storage::CollectionId c, const std::string& name, const std::string& tag);
std::optional<std::string> schedule_tag(storage::ReadTxn& txn, storage::CollectionId c, const std::string& name);

// Parses stored calendar data (nullopt when it no longer parses).
std::optional<Object> parse_stored(std::string_view text);
// Reads and parses an item's content.
std::optional<Object> load(storage::ReadTxn& txn, storage::Store& store, const storage::Item& item);
// The item metadata of a calendar object.
storage::EventMeta meta_of(const Object& object);
storage::ItemKind item_kind(ComponentKind kind);

}  // namespace atrium::calendar::agent
