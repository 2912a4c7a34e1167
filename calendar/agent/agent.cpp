// The scheduling agent over the store: deliveries to schedule inboxes and attendees' calendars,
// resource answers, iMIP mail to the outbound queue, and replies back to organisers.
#include "calendar/agent/agent.hpp"

#include "calendar/freebusy.hpp"
#include "core/auth/sasl.hpp"
#include "storage/blobs.hpp"
#include "storage/collections.hpp"
#include "storage/directory.hpp"
#include "storage/queue.hpp"
#include "storage/resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <random>

namespace atrium::calendar::agent {
namespace {

using storage::Actor;
using storage::CollectionKind;

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::uint64_t random64() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}



// A resource name made from a UID: safe characters only, bounded.
std::string name_for_uid(std::string_view uid) {
  std::string out;
  for (char c : uid) {
    if (out.size() >= 200) break;
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    out += safe ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = fmt::format("{:016x}", random64());
  return out + ".ics";
}


// The account's collection of `kind` named `name`, made when missing (an attendee who never
// opened a CalDAV client still gets invitations).
storage::Collection ensure_collection(storage::WriteTxn& txn, storage::PrincipalId account, CollectionKind kind,
                                      std::string_view name, std::string_view display, std::string_view component) {
  if (auto c = storage::collections::find(txn, Actor::system(), account, kind, name)) return *c;
  auto c = storage::collections::create(txn, Actor::system(), {account, kind, std::string(name), ""});
  std::vector<storage::resources::Property> props{
      {"{DAV:}displayname", "<displayname xmlns=\"DAV:\">" + xml_escape(display) + "</displayname>",
       std::string(display)}};
  if (!component.empty()) {
    props.push_back({"{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set",
                     "<supported-calendar-component-set xmlns=\"urn:ietf:params:xml:ns:caldav\"><comp name=\"" +
                         std::string(component) + "\"/></supported-calendar-component-set>",
                     std::string(component)});
  }
  storage::resources::set_properties(txn, Actor::system(), c.id, "", props, {});
  return c;
}

// Stores `text` as resource `name` of `collection` (replacing what is there).
void store_object(storage::WriteTxn& txn, storage::Store& store, storage::CollectionId collection,
                  const std::string& name, const std::string& text, const Object& parsed) {
  storage::items::NewItem item;
  item.collection = collection;
  item.kind = item_kind(parsed.kind());
  item.blob = store.blobs().stage(text);
  item.name = name;
  item.meta = meta_of(parsed);
  auto r = storage::resources::put(txn, Actor::system(), item, {});
  if (r.status == storage::resources::PutStatus::uid_conflict) {
    // Another resource of that calendar holds the UID: update it instead.
    item.name = r.conflict;
    storage::resources::put(txn, Actor::system(), item, {});
  }
}

// Drops an iTIP message into the account's schedule inbox.
void to_inbox(storage::WriteTxn& txn, storage::Store& store, storage::PrincipalId account, const std::string& text) {
  auto inbox = ensure_collection(txn, account, CollectionKind::schedule_inbox, k_inbox, "Inbox", "");
  storage::items::NewItem item;
  item.collection = inbox.id;
  item.kind = storage::ItemKind::event;
  item.blob = store.blobs().stage(text);
  item.name = fmt::format("{:016x}.ics", random64());
  storage::resources::put(txn, Actor::system(), item, {});
}

std::string mail_date(std::int64_t t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// Header text without line breaks (no header injection from calendar data).
std::string header_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
    if (out.size() >= 200) break;
  }
  return out;
}

// RFC 2047 encoded-word when the text is not plain ASCII.
std::string encoded_header(std::string_view s) {
  auto text = header_text(s);
  bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return text;
  return "=?UTF-8?B?" + auth::base64_encode(text) + "?=";
}

std::string wrap76(const std::string& b64) {
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

// An iMIP message (RFC 6047): a short text part and the iTIP object as text/calendar.
void send_imip(storage::WriteTxn& txn, storage::Store& store, const Options& options, const std::string& from,
               const std::string& to, std::string_view method, const std::string& subject, const std::string& itip) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  auto boundary = fmt::format("=_atrium_{:016x}", random64());
  std::string m;
  m += "From: <" + header_text(from) + ">\r\n";
  m += "To: <" + header_text(to) + ">\r\n";
  m += "Subject: " + encoded_header(subject) + "\r\n";
  m += "Date: " + mail_date(now) + "\r\n";
  m += fmt::format("Message-ID: <{:016x}.imip@{}>\r\n", random64(), header_text(options.hostname));
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += wrap76(auth::base64_encode(subject + "\r\n"));
  m += "--" + boundary + "\r\nContent-Type: text/calendar; charset=utf-8; method=" + std::string(method) +
       "\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += wrap76(auth::base64_encode(itip));
  m += "--" + boundary + "--\r\n";
  storage::queue::OutboundMessage msg;
  msg.blob = store.blobs().stage(m);
  msg.reverse_path = from;
  msg.recipients.push_back({to, 0, "", storage::queue::RecipientStatus::pending, ""});
  storage::queue::enqueue(txn, msg);
}

// A room or equipment answers: free over every instance → ACCEPTED, else DECLINED.
PartStat resource_answer(storage::WriteTxn& txn, storage::Store& store, storage::PrincipalId resource,
                                   const Object& event) {
  auto b = event.bounds();
  TimeRange window{b.first_start.value_or(0), b.last_end};
  if (!window.end) window.end = *window.start + 2LL * 366 * 86400;
  auto wanted = booked_periods(event, window);
  if (wanted.empty()) return PartStat::accepted;
  std::vector<Object> held;
  for (auto kind : {CollectionKind::calendar}) {
    for (const auto& c : storage::collections::list(txn, Actor::system(), resource, kind)) {
      for (const auto& item : storage::resources::in_time_range(txn, Actor::system(), c.id, window.start, window.end)) {
        auto o = load(txn, store, item);
        if (!o || o->uid() == event.uid()) continue;
        held.push_back(std::move(*o));
      }
    }
  }
  std::vector<const Object*> ptrs;
  for (const auto& o : held) ptrs.push_back(&o);
  auto busy = busy_periods(ptrs, window);
  for (const auto& w : wanted) {
    for (const auto& p : busy) {
      if (p.start < w.end && w.start < p.end) return PartStat::declined;
    }
  }
  return PartStat::accepted;
}

// An iTIP message as stored-object text: METHOD removed (stored objects may not carry it).
std::string without_method(std::string text) {
  for (std::size_t at = 0; (at = text.find("METHOD:", at)) != std::string::npos;) {
    if (at != 0 && text[at - 1] != '\n') {
      at += 7;
      continue;
    }
    auto end = text.find('\n', at);
    text.erase(at, end == std::string::npos ? std::string::npos : end + 1 - at);
  }
  return text;
}

// The organiser's copy takes the answers of `reply` (iTIP text), and the REPLY goes to the
// organiser's schedule inbox. False when the organiser has no copy or the reply does not fit it.
bool apply_to_organiser(storage::WriteTxn& txn, storage::Store& store, storage::PrincipalId organiser,
                        const std::string& reply) {
  auto reply_object = parse_stored(without_method(reply));
  if (!reply_object) return false;
  auto copy = storage::resources::find_by_uid(txn, organiser, reply_object->uid());
  if (!copy) return false;
  auto current = load(txn, store, *copy);
  if (!current) return false;
  auto updated = apply_reply(*current, *reply_object);
  if (!updated) return false;
  auto parsed = parse_stored(*updated);
  if (!parsed) return false;
  to_inbox(txn, store, organiser, reply);
  store_object(txn, store, copy->collection_id, copy->name, *updated, *parsed);
  return true;
}

}  // namespace

Outcome organiser_changed(storage::WriteTxn& txn, storage::Store& store, const Options& options, const Object& object,
                          const std::optional<Object>& old) {
  Outcome d;
  auto scheduled = scheduling(object);
  if (!scheduled) return d;
  const Scheduling& now = *scheduled;
  std::optional<Scheduling> before;
  if (old) before = scheduling(*old);
  const std::string& organizer = now.organizer.email;
  auto request = itip_request(object);
  std::string summary = now.summary.empty() ? std::string("(no title)") : now.summary;
  for (const auto& a : now.attendees) {
    if (a.email.empty() || a.email == organizer || !a.server_schedules) continue;
    auto p = storage::directory::find_principal(txn, a.email);
    if (!p) {
      send_imip(txn, store, options, organizer, a.email, "REQUEST", "Invitation: " + summary, request);
      d.status[a.email] = "1.1";
      continue;
    }
    to_inbox(txn, store, p->id, request);
    if (p->kind == storage::PrincipalKind::resource) {
      auto answer = resource_answer(txn, store, p->id, object);
      d.answers[a.email] = answer;
      auto copy = storage::resources::find_by_uid(txn, p->id, object.uid());
      if (answer == PartStat::accepted) {
        auto text = with_partstat(object, a.email, answer);
        auto parsed = parse_stored(text);
        if (parsed) {
          auto cal = ensure_collection(txn, p->id, CollectionKind::calendar, "calendar", "Calendar", "VEVENT");
          store_object(txn, store, copy ? copy->collection_id : cal.id, copy ? copy->name : name_for_uid(object.uid()),
                       text, *parsed);
        }
      } else if (copy) {
        storage::resources::remove(txn, Actor::system(), copy->collection_id, copy->name, {});
      }
      d.status[a.email] = "2.0";
      continue;
    }
    auto copy = storage::resources::find_by_uid(txn, p->id, object.uid());
    std::string text = itip_request(object);
    if (copy) {
      if (auto current = load(txn, store, *copy)) text = merge_update(*current, object, a.email);
    } else {
      text = object.to_ical();
    }
    if (auto parsed = parse_stored(text)) {
      auto cal = ensure_collection(txn, p->id, CollectionKind::calendar, "calendar", "Calendar", "VEVENT");
      auto collection = copy ? copy->collection_id : cal.id;
      auto name = copy ? copy->name : name_for_uid(object.uid());
      store_object(txn, store, collection, name, text, *parsed);
      set_schedule_tag(txn, collection, name, new_schedule_tag());
    }
    d.status[a.email] = "1.2";
  }
  if (before && old) {
    std::vector<std::string> removed;
    for (const auto& a : before->attendees) {
      if (a.email.empty() || a.email == organizer || !a.server_schedules) continue;
      bool still = std::any_of(now.attendees.begin(), now.attendees.end(), [&](const auto& n) { return n.email == a.email; });
      if (!still) removed.push_back(a.email);
    }
    if (!removed.empty()) {
      for (const auto& email : removed) {
        auto cancel = itip_cancel(*old, {email});
        auto p = storage::directory::find_principal(txn, email);
        if (!p) {
          send_imip(txn, store, options, organizer, email, "CANCEL", "Cancelled: " + summary, cancel);
          continue;
        }
        to_inbox(txn, store, p->id, cancel);
        if (auto copy = storage::resources::find_by_uid(txn, p->id, old->uid())) {
          if (auto current = load(txn, store, *copy)) {
            auto text = as_cancelled(*current);
            if (auto parsed = parse_stored(text)) store_object(txn, store, copy->collection_id, copy->name, text, *parsed);
          }
        }
      }
    }
  }
  return d;
}

// The attendee side: `email` answered (or changed its answer): the organiser's copy takes it
// over and the REPLY lands in the organiser's inbox, or goes out as iMIP.
void attendee_answered(storage::WriteTxn& txn, storage::Store& store, const Options& options, const std::string& email,
                       const Object& object) {
  auto scheduled = scheduling(object);
  if (!scheduled) return;
  const Scheduling& s = *scheduled;
  auto reply = itip_reply(object, email);
  if (!reply) return;
  auto p = s.organizer.email.empty() ? std::nullopt : storage::directory::find_principal(txn, s.organizer.email);
  auto ps = partstat_of(object, email).value_or(PartStat::needs_action);
  std::string verb = ps == PartStat::accepted   ? "Accepted"
                     : ps == PartStat::declined  ? "Declined"
                     : ps == PartStat::tentative ? "Tentative"
                                                           : "Updated";
  if (!p) {
    if (!s.organizer.email.empty()) {
      send_imip(txn, store, options, email, s.organizer.email, "REPLY", verb + ": " + s.summary, *reply);
    }
    return;
  }
  apply_to_organiser(txn, store, p->id, *reply);
}

void organiser_deleted(storage::WriteTxn& txn, storage::Store& store, const Options& options, const Object& object) {
  auto s = scheduling(object);
  if (!s) return;
  const std::string& organizer = s->organizer.email;
  std::string summary = s->summary.empty() ? std::string("(no title)") : s->summary;
  auto cancel = itip_cancel(object);
  for (const auto& a : s->attendees) {
    if (a.email.empty() || a.email == organizer || !a.server_schedules) continue;
    auto p = storage::directory::find_principal(txn, a.email);
    if (!p) {
      send_imip(txn, store, options, organizer, a.email, "CANCEL", "Cancelled: " + summary, cancel);
      continue;
    }
    to_inbox(txn, store, p->id, cancel);
    auto copy = storage::resources::find_by_uid(txn, p->id, object.uid());
    if (!copy) continue;
    if (p->kind == storage::PrincipalKind::resource) {
      storage::resources::remove(txn, Actor::system(), copy->collection_id, copy->name, {});  // the room is free again
      continue;
    }
    if (auto current = load(txn, store, *copy)) {
      auto text = as_cancelled(*current);
      if (auto parsed = parse_stored(text)) store_object(txn, store, copy->collection_id, copy->name, text, *parsed);
    }
  }
}

bool reply_received(storage::WriteTxn& txn, storage::Store& store, storage::PrincipalId organiser,
                    std::string_view sender, std::string_view itip) {
  auto reply_object = parse_stored(without_method(std::string(itip)));
  if (!reply_object) return false;
  auto s = scheduling(*reply_object);
  if (!s || s->attendees.size() != 1 || s->attendees[0].email != sender) return false;
  auto account = storage::directory::get_principal(txn, organiser);
  if (!account || s->organizer.email != account->email) return false;
  return apply_to_organiser(txn, store, organiser, std::string(itip));
}

std::string new_schedule_tag() { return fmt::format("{:016x}", random64()); }

void set_schedule_tag(storage::WriteTxn& txn, storage::CollectionId c, const std::string& name, const std::string& tag) {
  std::string xml = "<schedule-tag xmlns=\"urn:ietf:params:xml:ns:caldav\">&quot;" + xml_escape(tag) + "&quot;</schedule-tag>";
  storage::resources::set_properties(txn, Actor::system(), c, name, {{k_schedule_tag, xml, tag}}, {});
}

std::optional<std::string> schedule_tag(storage::ReadTxn& txn, storage::CollectionId c, const std::string& name) {
  for (const auto& p : storage::resources::properties(txn, Actor::system(), c, name)) {
    if (p.name == k_schedule_tag) return p.value;
  }
  return std::nullopt;
}

storage::ItemKind item_kind(ComponentKind k) {
  switch (k) {
    case ComponentKind::event: return storage::ItemKind::event;
    case ComponentKind::todo: return storage::ItemKind::todo;
    case ComponentKind::journal: return storage::ItemKind::journal;
  }
  return storage::ItemKind::event;
}

std::optional<Object> parse_stored(std::string_view text) {
  auto parsed = parse(text);
  if (auto* o = std::get_if<Object>(&parsed)) return std::move(*o);
  return std::nullopt;
}

std::optional<Object> load(storage::ReadTxn& txn, storage::Store& store, const storage::Item& item) {
  auto blob = storage::read_blob(txn, store.blobs(), item.blob.hash);
  if (!blob) return std::nullopt;
  return parse_stored(*blob);
}

storage::EventMeta meta_of(const Object& o) {
  storage::EventMeta m{o.uid(), std::string(to_string(o.kind())), o.bounds().first_start, o.bounds().last_end,
                       o.exact_bounds()};
  if (const auto& spans = o.exact_instances()) {
    m.instances.emplace();
    m.instances->reserve(spans->size());
    for (const InstanceSpan& s : *spans) m.instances->emplace_back(s.start, s.end);
  }
  return m;
}

}  // namespace atrium::calendar::agent
