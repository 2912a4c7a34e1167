// Implicit scheduling (RFC 6638) the way Exchange users expect it: an organiser's PUT delivers
// the invitation to each internal attendee's schedule inbox and puts a tentative copy
// (PARTSTAT=NEEDS-ACTION) in their default calendar; an attendee's answer updates the
// organiser's copy; changes and cancellations follow; rooms and equipment answer by themselves
// (accept when free, decline on a conflict). External attendees get iMIP mail (RFC 6047)
// through the outbound queue. Every delivery happens in the write that stores the change, so
// a calendar and the inboxes it feeds never disagree.
#include "calendar/agent/agent.hpp"
#include "calendar/freebusy.hpp"
#include "calendar/freebusy_request.hpp"
#include "calendar/scheduling.hpp"
#include "dav/server/detail.hpp"
#include "dav/xml/writer.hpp"
#include "storage/directory.hpp"

#include <boost/beast/http/field.hpp>
#include <fmt/format.h>

#include <ctime>

namespace atrium::dav::detail {
namespace {

using field = beast::http::field;
using storage::Actor;
using storage::CollectionKind;
namespace agent = calendar::agent;

agent::Options agent_options(const ExecutorOptions& o) { return agent::Options{o.hostname}; }

}  // namespace

std::optional<http::Response> scheduled_put(Ctx& ctx, const Target& t, const calendar::Object& object,
                                            const std::string& body, const storage::resources::Precondition& pre) {
  auto s = calendar::scheduling(object);
  if (!s) return std::nullopt;
  const std::string me = ctx.caller.email;
  bool organiser = s->organizer.email == me;
  bool attendee = !organiser && std::any_of(s->attendees.begin(), s->attendees.end(),
                                            [&](const auto& a) { return a.email == me; });
  if (!organiser && !attendee) return std::nullopt;
  auto& store = ctx.store();
  const auto& options = ctx.options();
  auto actor = ctx.actor;
  auto collection = t.collection->id;
  auto name = t.member;
  auto if_tag = header(ctx.req, "If-Schedule-Tag-Match");
  std::optional<std::string> wanted_tag;
  if (if_tag) {
    auto c = parse_etag_condition(*if_tag);
    if (!c || c->any || c->tags.size() != 1) return status_response(400);
    wanted_tag = c->tags[0].opaque;
  }
  enum class Outcome { stored_as_sent, stored_changed, precondition_failed, uid_conflict };
  struct Result {
    Outcome outcome = Outcome::stored_as_sent;
    bool created = false;
    std::string etag;
    std::string schedule_tag;
    std::string conflict;
  };
  auto result = store.write([&](storage::WriteTxn& txn) -> Result {
    Result r;
    auto current = storage::items::find_by_name(txn, actor, collection, name);
    if (!pre(current ? &*current : nullptr)) return {Outcome::precondition_failed};
    std::optional<std::string> tag_now;
    if (current) tag_now = agent::schedule_tag(txn, collection, name);
    if (wanted_tag && (!current || tag_now.value_or("") != *wanted_tag)) return {Outcome::precondition_failed};
    std::optional<calendar::Object> old;
    if (current) old = agent::load(txn, store, *current);

    std::string text = body;
    std::string tag = tag_now.value_or(agent::new_schedule_tag());
    if (organiser) {
      auto d = agent::organiser_changed(txn, store, agent_options(options), object, old);
      std::optional<calendar::Object> shaped;
      const calendar::Object* base = &object;
      for (const auto& [email, answer] : d.answers) {
        auto updated = agent::parse_stored(calendar::with_partstat(*base, email, answer));
        if (!updated) continue;
        shaped = std::move(*updated);
        base = &*shaped;
      }
      if (!d.status.empty()) text = calendar::with_schedule_status(*base, d.status);
      else if (shaped) text = shaped->to_ical();
      tag = agent::new_schedule_tag();
    } else {
      auto was = old ? calendar::partstat_of(*old, me) : std::nullopt;
      auto is = calendar::partstat_of(object, me);
      if (is && is != was) agent::attendee_answered(txn, store, agent_options(options), me, object);
    }
    storage::items::NewItem item;
    item.collection = collection;
    item.kind = agent::item_kind(object.kind());
    item.blob = store.blobs().stage(text);
    item.name = name;
    item.meta = agent::meta_of(object);
    auto put = storage::resources::put(txn, actor, item, {});
    if (put.status == storage::resources::PutStatus::uid_conflict) {
      throw storage::StoreError(storage::Errc::conflict, "uid:" + put.conflict);
    }
    agent::set_schedule_tag(txn, collection, name, tag);
    r.outcome = text == body ? Outcome::stored_as_sent : Outcome::stored_changed;
    r.created = put.status == storage::resources::PutStatus::created;
    r.etag = item.blob.hash.substr(0, 40);
    r.schedule_tag = tag;
    return r;
  });
  if (result.outcome == Outcome::precondition_failed) return status_response(412);
  auto res = status_response(result.created ? 201 : 204);
  // RFC 4791 §5.3.4: no ETag when what is stored differs from what the client sent.
  if (result.outcome == Outcome::stored_as_sent) res.set(field::etag, quote_etag(result.etag));
  res.set("Schedule-Tag", quote_etag(result.schedule_tag));
  return res;
}

void scheduled_delete(storage::WriteTxn& txn, storage::Store& store, const ExecutorOptions& options,
                      const std::string& caller_email, const storage::Item& item) {
  auto object = agent::load(txn, store, item);
  if (!object) return;
  auto s = calendar::scheduling(*object);
  if (!s) return;
  if (s->organizer.email == caller_email) {
    agent::organiser_deleted(txn, store, agent_options(options), *object);
    return;
  }
  bool attendee = std::any_of(s->attendees.begin(), s->attendees.end(), [&](const auto& a) { return a.email == caller_email; });
  if (!attendee) return;
  // An attendee deletes its copy: RFC 6638 §3.2.2.3, it declines.
  if (calendar::partstat_of(*object, caller_email) == calendar::PartStat::declined) return;
  if (auto declined = agent::parse_stored(calendar::with_partstat(*object, caller_email, calendar::PartStat::declined))) {
    agent::attendee_answered(txn, store, agent_options(options), caller_email, *declined);
  }
}

http::Response do_post(Ctx& ctx, const Target& t) {
  if (t.kind != Kind::outbox) {
    auto res = status_response(405);
    return res;
  }
  if (!t.owner || t.owner->id != ctx.caller.principal) return status_response(403);
  auto request = calendar::parse_freebusy_request(ctx.req.body());
  if (!request) return error_response(400, xml::caldav_name("valid-calendar-data"));
  auto organizer = request->organizer;
  std::string lowered = organizer;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lowered != "mailto:" + ctx.caller.email) return error_response(403, xml::caldav_name("organizer-allowed"));
  auto& store = ctx.store();
  std::string body = store.read([&](storage::ReadTxn& txn) {
    xml::XmlWriter w;
    w.open(xml::caldav_name("schedule-response"));
    for (const auto& attendee : request->attendees) {
      w.open(xml::caldav_name("response"));
      w.open(xml::caldav_name("recipient"));
      w.leaf(xml::dav_name("href"), attendee);
      w.close();
      std::string email = attendee;
      std::transform(email.begin(), email.end(), email.begin(), [](unsigned char c) { return std::tolower(c); });
      if (email.starts_with("mailto:")) email = email.substr(7);
      auto p = storage::directory::find_principal(txn, email);
      if (!p) {
        w.leaf(xml::caldav_name("request-status"), "3.7;Invalid calendar user");
        w.close();
        continue;
      }
      std::vector<calendar::Object> objects;
      for (auto kind : {CollectionKind::calendar}) {
        for (const auto& c : storage::collections::list(txn, Actor::system(), p->id, kind)) {
          for (const auto& item :
               storage::resources::in_time_range(txn, Actor::system(), c.id, request->range.start, request->range.end)) {
            if (item.kind != storage::ItemKind::event) continue;
            if (auto o = agent::load(txn, store, item)) objects.push_back(std::move(*o));
          }
        }
      }
      std::vector<const calendar::Object*> ptrs;
      for (const auto& o : objects) ptrs.push_back(&o);
      // Busy time only: what the events are (private or not) never leaves the account.
      auto periods = calendar::busy_periods(ptrs, request->range);
      calendar::FreeBusyOptions fo;
      fo.dtstamp = static_cast<calendar::UtcSeconds>(std::time(nullptr));
      fo.method = "REPLY";
      if (!request->uid.empty()) fo.uid = request->uid;
      fo.organizer = organizer;
      fo.attendee = attendee;
      w.leaf(xml::caldav_name("request-status"), "2.0;Success");
      w.leaf(xml::caldav_name("calendar-data"), calendar::freebusy_to_ical(periods, request->range, fo));
      w.close();
    }
    w.close();
    return std::move(w).finish();
  });
  return xml_response(200, std::move(body));
}

}  // namespace atrium::dav::detail
