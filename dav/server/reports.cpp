// REPORT: calendar-query, calendar-multiget, free-busy-query (RFC 4791) and sync-collection
// (RFC 6578).
#include "calendar/collation.hpp"
#include "calendar/freebusy.hpp"
#include "calendar/object.hpp"
#include "calendar/query.hpp"
#include "core/text/ascii.hpp"
#include "dav/server/detail.hpp"
#include "dav/xml/report.hpp"
#include "storage/blobs.hpp"
#include "storage/directory.hpp"
#include "dav/xml/writer.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <ctime>
#include <map>

namespace atrium::dav::detail {
namespace {

PropQuery prop_query(const xml::PropRequest& p) {
  PropQuery q;
  q.mode = p.kind == xml::PropRequestKind::prop       ? PropMode::prop
           : p.kind == xml::PropRequestKind::propname ? PropMode::propname
                                                      : PropMode::allprop;
  q.names = p.props;
  q.calendar_data = p.calendar_data;
  q.address_data = p.address_data;
  return q;
}

std::optional<storage::ItemKind> kind_for_component(std::string_view name) {
  if (name == "VEVENT") return storage::ItemKind::event;
  if (name == "VTODO") return storage::ItemKind::todo;
  if (name == "VJOURNAL") return storage::ItemKind::journal;
  return std::nullopt;
}

// A candidate object and, when the index alone settles it, whether it matches.
struct Candidate {
  storage::Item item;
  std::optional<bool> decided;
};

// The objects of calendar `t` that may match `filter`: narrowed by the top-level component and its
// time range through the store's index, never wider than the filter. When the filter is nothing
// but that component (with or without a time range), objects whose stored span is exact are
// decided here and need not be read and parsed.
std::vector<Candidate> candidates(storage::ReadTxn& txn, Ctx& ctx, const Target& t, const calendar::Filter& f) {
  const calendar::CompFilter* top = f.root.comps.size() == 1 ? &f.root.comps[0] : nullptr;
  std::optional<storage::ItemKind> kind;
  std::optional<calendar::TimeRange> range;
  bool simple = false;
  if (top && !top->is_not_defined && !f.root.is_not_defined && f.root.props.empty() && !f.root.time_range) {
    kind = kind_for_component(top->name);
    range = top->time_range;
    simple = kind && top->props.empty() && top->comps.empty();
  }
  // A bare VCALENDAR filter (how clients list a calendar's etags) matches every object.
  const bool everything = text::iequals(f.root.name, "VCALENDAR") && f.root.comps.empty() && f.root.props.empty() &&
                          !f.root.time_range && !f.root.is_not_defined;
  if (everything) simple = true;
  std::vector<Candidate> out;
  if (!range) {
    for (auto& item : storage::items::list(txn, ctx.actor, t.collection->id)) {
      if (kind && item.kind != *kind) continue;
      // The component is there (one type per resource): with no other condition, it matches.
      out.push_back({std::move(item), simple ? std::optional<bool>(true) : std::nullopt});
    }
    return out;
  }
  for (auto& e : storage::resources::indexed_events(txn, ctx.actor, t.collection->id, range->start, range->end)) {
    if (kind && e.item.kind != *kind) continue;
    std::optional<bool> decided;
    if (simple && e.meta.exact && e.meta.starts_at && e.meta.ends_at) {
      decided = calendar::overlaps(calendar::InstanceSpan{*e.meta.starts_at, *e.meta.ends_at}, *range);
    } else if (simple && e.meta.instances) {
      decided = std::any_of(e.meta.instances->begin(), e.meta.instances->end(), [&](const auto& span) {
        return calendar::overlaps(calendar::InstanceSpan{span.first, span.second}, *range);
      });
    }
    out.push_back({std::move(e.item), decided});
  }
  return out;
}

http::Response calendar_query(Ctx& ctx, const Target& t, const xml::CalendarQuery& cq) {
  if (t.kind != Kind::calendar && t.kind != Kind::calendar_object) {
    return error_response(403, xml::condition::supported_report());
  }
  auto q = prop_query(cq.prop);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    Target cal = t;
    if (t.kind == Kind::calendar_object) {
      cal.kind = Kind::calendar;
      cal.path = calendar_path(t.owner->email, t.collection_name);
    }
    calendar::Zone floating = floating_zone(txn, ctx, *t.collection);
    if (cq.timezone) {
      auto z = calendar::Zone::from_icalendar(*cq.timezone);
      if (!z) return error_response(403, xml::caldav_name("valid-calendar-data"));
      floating = *z;
    } else if (cq.timezone_id) {
      auto z = calendar::Zone::from_name(*cq.timezone_id);
      if (!z) return error_response(403, xml::caldav_name("valid-timezone"));
      floating = *z;
    }
    std::vector<Candidate> items;
    if (t.kind == Kind::calendar_object) {
      items.push_back({*t.item, std::nullopt});
    } else {
      items = candidates(txn, ctx, t, cq.filter);
    }
    if (items.size() > ctx.options().max_query_objects) {
      return error_response(507, xml::condition::number_of_matches_within_limits());
    }
    calendar::ParseOptions options;
    options.floating = floating;
    options.compute_bounds = false;  // evaluated here, never stored
    // The content is read only when it is returned or the filter needs it.
    bool wants_data = q.mode != PropMode::prop ||
                      std::find(q.names.begin(), q.names.end(), xml::caldav_name("calendar-data")) != q.names.end();
    xml::MultistatusWriter w;
    for (const auto& c : items) {
      if (c.decided == false) continue;
      std::optional<std::string> blob;
      if (!c.decided || wants_data) {
        blob = storage::read_blob(txn, ctx.store().blobs(), c.item.blob.hash);
        if (!blob) continue;
      }
      if (!c.decided) {
        auto parsed = calendar::parse(*blob, options);
        auto* object = std::get_if<calendar::Object>(&parsed);
        if (!object || !calendar::matches(*object, cq.filter, floating)) continue;
      }
      w.add(prop_response(txn, ctx, member_target(cal, c.item), q, blob ? &*blob : nullptr));
    }
    return multistatus_response(std::move(w).finish());
  });
}

http::Response calendar_multiget(Ctx& ctx, const Target& t, const xml::CalendarMultiget& mg) {
  if (t.kind != Kind::calendar && t.kind != Kind::calendar_object) {
    return error_response(403, xml::condition::supported_report());
  }
  if (mg.hrefs.size() > ctx.options().max_multiget_hrefs) return status_response(413);
  auto q = prop_query(mg.prop);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    xml::MultistatusWriter w;
    for (const auto& href : mg.hrefs) {
      auto path = decode_href(href, ctx.host);
      if (!std::holds_alternative<std::string>(path)) {
        xml::Response r;
        r.path = href;
        r.status = 404;
        w.add(r);
        continue;
      }
      const auto& decoded = std::get<std::string>(path);
      Target target;
      if (t.kind == Kind::calendar && decoded.starts_with(t.path) &&
          decoded.find('/', t.path.size()) == std::string::npos && decoded.size() > t.path.size()) {
        // A member of the calendar the report was sent to (the usual case): one lookup, not a
        // walk from the principal down.
        if (auto item = storage::items::find_by_name(txn, ctx.actor, t.collection->id, decoded.substr(t.path.size()))) {
          target = member_target(t, *item);
        } else {
          target.path = decoded;
        }
      } else {
        target = resolve(txn, ctx, decoded);
      }
      if (target.kind != Kind::calendar_object || !target.exists) {
        xml::Response r;
        r.path = target.path;
        r.status = 404;
        w.add(r);
        continue;
      }
      w.add(prop_response(txn, ctx, target, q));
    }
    return multistatus_response(std::move(w).finish());
  });
}

http::Response sync_collection(Ctx& ctx, const Target& t, const xml::SyncCollection& sc) {
  if ((t.kind != Kind::calendar && t.kind != Kind::addressbook) || !t.exists) {
    return error_response(403, xml::condition::supported_report());
  }
  auto q = prop_query(sc.prop);
  std::size_t limit = ctx.options().max_sync_results;
  if (sc.limit) limit = std::min<std::size_t>(limit, *sc.limit);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    auto now = storage::collections::get(txn, ctx.actor, t.collection->id);
    if (!now) return status_response(404);
    Target cal = t;
    cal.collection = *now;
    xml::MultistatusWriter w;
    if (sc.sync_token.empty()) {
      auto items = storage::items::list(txn, ctx.actor, now->id);
      if (items.size() > limit) {
        // An initial sync cannot be split by modseq: refuse it as too large.
        return error_response(507, xml::condition::number_of_matches_within_limits());
      }
      for (const auto& item : items) w.add(prop_response(txn, ctx, member_target(cal, item), q));
      return multistatus_response(std::move(w).finish(sync_token(*now, now->modseq)));
    }
    auto since = parse_sync_token(*now, sc.sync_token);
    if (!since) return error_response(403, xml::condition::valid_sync_token());
    // Names changed after the token, in the order of their first change; cut at a modseq boundary
    // once more than `limit` names would be reported.
    std::size_t cap = limit * 20 + 100;
    auto rows = storage::items::changes_since(txn, ctx.actor, now->id, *since, cap);
    std::vector<std::string> names;
    std::map<std::string, storage::Modseq, std::less<>> first_seen;
    storage::Modseq token = now->modseq;
    bool truncated = false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      if (row.name.empty() || first_seen.count(row.name)) continue;
      if (names.size() >= limit) {
        storage::Modseq cut = row.modseq - 1;
        if (cut > *since) {
          std::erase_if(names, [&](const std::string& n) { return first_seen[n] > cut; });
          token = cut;
          truncated = true;
          break;
        }
      }
      names.push_back(row.name);
      first_seen[row.name] = row.modseq;
    }
    if (!truncated && rows.size() == cap) {
      // The row cap ended the scan: report up to the last modseq seen whole.
      storage::Modseq cut = rows.back().modseq - 1;
      if (cut > *since) {
        std::erase_if(names, [&](const std::string& n) { return first_seen[n] > cut; });
        token = cut;
        truncated = true;
      }
    }
    for (const auto& name : names) {
      auto item = storage::items::find_by_name(txn, ctx.actor, now->id, name);
      if (item) {
        w.add(prop_response(txn, ctx, member_target(cal, *item), q));
      } else {
        xml::Response r;
        r.path = cal.path + name;
        r.status = 404;
        w.add(r);
      }
    }
    if (truncated) {
      xml::Response r;
      r.path = cal.path;
      r.status = 507;
      r.error = xml::condition::number_of_matches_within_limits();
      w.add(r);
    }
    return multistatus_response(std::move(w).finish(sync_token(*now, token)));
  });
}

http::Response free_busy(Ctx& ctx, const Target& t, const xml::FreeBusyQuery& fb) {
  if (t.kind != Kind::calendar || !t.exists) return error_response(403, xml::condition::supported_report());
  return ctx.store().read([&](storage::ReadTxn& txn) {
    auto items = storage::resources::in_time_range(txn, ctx.actor, t.collection->id, fb.range.start, fb.range.end);
    calendar::ParseOptions options;
    options.floating = floating_zone(txn, ctx, *t.collection);
    options.compute_bounds = false;
    std::vector<calendar::Object> objects;
    for (const auto& item : items) {
      if (item.kind != storage::ItemKind::event) continue;
      auto blob = storage::read_blob(txn, ctx.store().blobs(), item.blob.hash);
      if (!blob) continue;
      auto parsed = calendar::parse(*blob, options);
      if (auto* o = std::get_if<calendar::Object>(&parsed)) objects.push_back(std::move(*o));
    }
    std::vector<const calendar::Object*> ptrs;
    for (const auto& o : objects) ptrs.push_back(&o);
    calendar::TimeRange range = fb.range;
    if (!range.start) range.start = 0;
    if (!range.end) range.end = *range.start + 366LL * 86400;
    auto periods = calendar::busy_periods(ptrs, range);
    calendar::FreeBusyOptions fo;
    fo.dtstamp = static_cast<calendar::UtcSeconds>(std::time(nullptr));
    return http::text_response(http::status::ok, calendar::freebusy_to_ical(periods, range, fo),
                               "text/calendar; charset=utf-8");
  });
}

// The principals a caller may look up: those of its own domain (a directory is per organisation),
// users and resources, at most `limit`, whose names or addresses satisfy `accept`.
template <class Accept>
std::vector<storage::Principal> find_principals(storage::ReadTxn& txn, Ctx& ctx, std::size_t limit, Accept accept) {
  auto domain = ctx.caller.email.substr(ctx.caller.email.rfind('@') + 1);
  std::vector<storage::Principal> out;
  for (auto& p : storage::directory::list_principals(txn)) {
    if (p.kind == storage::PrincipalKind::group) continue;
    if (!p.email.ends_with("@" + domain)) continue;
    if (!accept(p)) continue;
    out.push_back(std::move(p));
    if (out.size() >= limit) break;
  }
  return out;
}

bool text_hit(std::string_view value, const std::string& needle, calendar::MatchType type) {
  calendar::TextMatch m;
  m.text = needle;
  m.collation = calendar::Collation::unicode_casemap;
  m.match = type;
  return calendar::text_matches(m, value);
}

http::Response principal_results(storage::ReadTxn& txn, Ctx& ctx, const std::vector<storage::Principal>& found,
                                  const std::vector<QName>& props) {
  PropQuery q;
  q.names = props.empty() ? std::vector<QName>{xml::dav_name("displayname")} : props;
  xml::MultistatusWriter w;
  for (const auto& p : found) {
    auto t = resolve(txn, ctx, principal_path(p.email));
    if (t.exists) w.add(prop_response(txn, ctx, t, q));
  }
  return multistatus_response(std::move(w).finish());
}

http::Response principal_property_search(Ctx& ctx, const xml::PrincipalPropertySearch& s) {
  std::size_t limit = std::min<std::size_t>(s.limit.value_or(50), 50);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    auto found = find_principals(txn, ctx, limit, [&](const storage::Principal& p) {
      bool all = true, any = false;
      for (const auto& search : s.searches) {
        bool hit = false;
        for (const auto& prop : search.props) {
          if (prop == xml::dav_name("displayname")) {
            hit = hit || text_hit(p.display_name.empty() ? p.email : p.display_name, search.match, search.match_type);
          } else if (prop == xml::caldav_name("calendar-user-address-set") ||
                     prop == QName{std::string(xml::ns::calendarserver), "email-address-set"}) {
            hit = hit || text_hit("mailto:" + p.email, search.match, search.match_type) ||
                  text_hit(p.email, search.match, search.match_type);
          } else if (prop == xml::caldav_name("calendar-user-type")) {
            hit = hit || text_hit(p.kind == storage::PrincipalKind::resource ? "ROOM" : "INDIVIDUAL", search.match,
                                  search.match_type);
          }
        }
        all = all && hit;
        any = any || hit;
      }
      return s.test == xml::FilterTest::anyof ? any : all;
    });
    return principal_results(txn, ctx, found, s.props);
  });
}

http::Response calendarserver_search(Ctx& ctx, const xml::CalendarserverPrincipalSearch& s) {
  std::size_t limit = std::min<std::size_t>(s.limit.value_or(50), 50);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    auto found = find_principals(txn, ctx, limit, [&](const storage::Principal& p) {
      if (s.context == "location" && p.kind != storage::PrincipalKind::resource) return false;
      if (s.context == "attendee" && p.kind == storage::PrincipalKind::resource) return false;
      // Every token must match the name or the address (CalendarServer's reading).
      for (const auto& token : s.tokens) {
        if (!text_hit(p.display_name, token, calendar::MatchType::contains) &&
            !text_hit(p.email, token, calendar::MatchType::contains)) {
          return false;
        }
      }
      return true;
    });
    return principal_results(txn, ctx, found, s.props);
  });
}

http::Response search_property_set() {
  xml::XmlWriter w;
  w.open(xml::dav_name("principal-search-property-set"));
  for (const auto& [name, description] :
       std::vector<std::pair<QName, std::string>>{{xml::dav_name("displayname"), "Display name"},
                                                  {xml::caldav_name("calendar-user-address-set"), "Calendar address"},
                                                  {xml::caldav_name("calendar-user-type"), "Calendar user type"}}) {
    w.open(xml::dav_name("principal-search-property"));
    w.open(xml::dav_name("prop"));
    w.leaf(name);
    w.close();
    w.open(xml::dav_name("description"));
    w.attribute("xml:lang", "en");
    w.text(description);
    w.close();
    w.close();
  }
  w.close();
  return xml_response(200, std::move(w).finish());
}

}  // namespace

PropQuery report_prop_query(const xml::PropRequest& p) { return prop_query(p); }

http::Response do_report(Ctx& ctx, const Target& t) {
  auto parsed = xml::parse_report(ctx.req.body());
  if (auto* e = std::get_if<xml::Error>(&parsed)) return parse_failure(*e);
  if (!t.exists) return status_response(404);
  auto& report = std::get<xml::Report>(parsed);
  if (t.kind == Kind::directory || t.kind == Kind::directory_card) return directory_report(ctx, t, report);
  if (auto* cq = std::get_if<xml::CalendarQuery>(&report)) return calendar_query(ctx, t, *cq);
  if (auto* mg = std::get_if<xml::CalendarMultiget>(&report)) return calendar_multiget(ctx, t, *mg);
  if (auto* sc = std::get_if<xml::SyncCollection>(&report)) return sync_collection(ctx, t, *sc);
  if (auto* fb = std::get_if<xml::FreeBusyQuery>(&report)) return free_busy(ctx, t, *fb);
  if (auto* aq = std::get_if<xml::AddressbookQuery>(&report)) return addressbook_query(ctx, t, *aq);
  if (auto* am = std::get_if<xml::AddressbookMultiget>(&report)) return addressbook_multiget(ctx, t, *am);
  if (t.kind == Kind::principals || t.kind == Kind::principal || t.kind == Kind::root) {
    if (auto* ps = std::get_if<xml::PrincipalPropertySearch>(&report)) return principal_property_search(ctx, *ps);
    if (auto* cs = std::get_if<xml::CalendarserverPrincipalSearch>(&report)) return calendarserver_search(ctx, *cs);
    if (std::holds_alternative<xml::PrincipalSearchPropertySet>(report)) return search_property_set();
  }
  return error_response(403, xml::condition::supported_report());
}

}  // namespace atrium::dav::detail
