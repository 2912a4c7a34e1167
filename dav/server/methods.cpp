// OPTIONS, PROPFIND, PROPPATCH, GET/HEAD, PUT, DELETE, MKCOL/MKCALENDAR, COPY and MOVE.
#include "calendar/agent/agent.hpp"
#include "dav/server/detail.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/mkcol.hpp"
#include "dav/xml/propfind.hpp"
#include "dav/xml/proppatch.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <ctime>

namespace atrium::dav::detail {
namespace {

using field = beast::http::field;

constexpr std::string_view k_allow =
    "OPTIONS, GET, HEAD, POST, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, COPY, MOVE, REPORT";

std::string body_of(const http::Request& req) { return req.body(); }

std::vector<Target> children(storage::ReadTxn& txn, Ctx& ctx, const Target& t) {
  std::vector<Target> out;
  auto sub = [&](const std::string& path) { out.push_back(resolve(txn, ctx, path)); };
  switch (t.kind) {
    case Kind::root:
      sub(std::string(k_principals));
      sub(std::string(k_calendars));
      sub(std::string(k_files));
      sub(std::string(k_addressbooks));
      break;
    case Kind::principals: sub(principal_path(ctx.caller.email)); break;
    case Kind::calendar_homes: sub(calendar_home_path(ctx.caller.email)); break;
    case Kind::file_homes: sub(std::string(k_files) + ctx.caller.email + "/"); break;
    case Kind::addressbook_homes: sub(addressbook_home_path(ctx.caller.email)); break;
    case Kind::directory:
      for (const auto& c : directory_cards(txn, ctx.caller.email)) out.push_back(directory_card_target(t, c));
      break;
    case Kind::addressbook_home:
      if (t.owner->id == ctx.caller.principal) sub(addressbook_path(t.owner->email, k_directory));
      for (const auto& c : storage::collections::list(txn, ctx.actor, t.owner->id, storage::CollectionKind::addressbook)) {
        Target ct;
        ct.kind = Kind::addressbook;
        ct.owner = t.owner;
        ct.collection = c;
        ct.collection_name = c.name;
        ct.path = addressbook_path(t.owner->email, c.name);
        ct.exists = true;
        out.push_back(std::move(ct));
      }
      break;
    case Kind::folder: return folder_children(txn, ctx, t);
    case Kind::calendar_home:
      if (t.owner->id == ctx.caller.principal) sub(calendar_path(t.owner->email, k_outbox));
      for (auto kind : {storage::CollectionKind::calendar, storage::CollectionKind::tasks,
                        storage::CollectionKind::schedule_inbox}) {
        for (const auto& c : storage::collections::list(txn, ctx.actor, t.owner->id, kind)) {
          Target ct;
          ct.kind = Kind::calendar;
          ct.owner = t.owner;
          ct.collection = c;
          ct.collection_name = c.name;
          ct.path = calendar_path(t.owner->email, c.name);
          ct.exists = true;
          out.push_back(std::move(ct));
        }
      }
      break;
    case Kind::calendar:
    case Kind::addressbook:
      if (storage::effective_rights(txn, ctx.actor, *t.collection) & storage::right_read) {
        for (const auto& item : storage::items::list(txn, ctx.actor, t.collection->id)) {
          out.push_back(member_target(t, item));
        }
      }
      break;
    default: break;
  }
  return out;
}

storage::ItemKind item_kind(calendar::ComponentKind k) {
  switch (k) {
    case calendar::ComponentKind::event: return storage::ItemKind::event;
    case calendar::ComponentKind::todo: return storage::ItemKind::todo;
    case calendar::ComponentKind::journal: return storage::ItemKind::journal;
  }
  return storage::ItemKind::event;
}

// The comp names of a supported-calendar-component-set fragment, upper-cased; nullopt when it
// names none or something a calendar cannot hold.
std::optional<std::vector<std::string>> component_names(const std::string& fragment) {
  auto doc = xml::parse_document(fragment);
  auto* root = std::get_if<xml::Element>(&doc);
  if (!root) return std::nullopt;
  std::vector<std::string> out;
  for (const auto* comp : root->children_named(xml::ns::caldav, "comp")) {
    const auto* name = comp->attribute("name");
    if (!name) return std::nullopt;
    std::string n = *name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
    if (n != "VEVENT" && n != "VTODO" && n != "VJOURNAL") return std::nullopt;
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// Thrown out of a COPY/MOVE job to roll it back when the destination refuses the resource.
struct CopyRefused {
  storage::resources::PutResult result;
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

}  // namespace

http::Response parse_failure(const xml::Error& e) {
  switch (e.kind) {
    case xml::ErrorKind::too_large: return status_response(413);
    case xml::ErrorKind::invalid_filter: return error_response(403, xml::condition::valid_filter());
    case xml::ErrorKind::unsupported_collation: return error_response(403, xml::condition::supported_collation());
    case xml::ErrorKind::unsupported_data_type: return error_response(403, xml::condition::supported_calendar_data());
    case xml::ErrorKind::unsupported_report: return error_response(403, xml::condition::supported_report());
    default: return http::text_response(http::status::bad_request, e.detail + "\n");
  }
}

std::optional<storage::resources::Precondition> conditions(const http::Request& req) {
  std::optional<EtagCondition> match, none_match;
  if (auto h = header(req, field::if_match)) {
    match = parse_etag_condition(*h);
    if (!match) return std::nullopt;
  }
  if (auto h = header(req, field::if_none_match)) {
    none_match = parse_etag_condition(*h);
    if (!none_match) return std::nullopt;
  }
  return storage::resources::Precondition([match, none_match](const storage::Item* current) {
    std::optional<std::string> tag;
    if (current) tag = etag_of(*current);
    std::optional<std::string_view> view;
    if (tag) view = *tag;
    if (match && !if_match_holds(*match, view)) return false;
    if (none_match && !if_none_match_holds(*none_match, view)) return false;
    return true;
  });
}


http::Response do_options(Ctx&, const Target&) {
  auto res = status_response(200);
  res.set(field::allow, k_allow);
  res.set("DAV", "1, 3, access-control, calendar-access, calendar-auto-schedule, addressbook, extended-mkcol");
  return res;
}

http::Response do_propfind(Ctx& ctx, const Target& t) {
  auto depth = parse_depth(header(ctx.req, "Depth"), Depth::infinity);
  if (!depth) return status_response(400);
  if (*depth == Depth::infinity) return error_response(403, xml::condition::propfind_finite_depth());
  auto parsed = xml::parse_propfind(body_of(ctx.req));
  if (auto* e = std::get_if<xml::Error>(&parsed)) return parse_failure(*e);
  const auto& pf = std::get<xml::Propfind>(parsed);
  if (!t.exists) return status_response(404);
  PropQuery q;
  q.mode = pf.kind == xml::PropRequestKind::prop       ? PropMode::prop
           : pf.kind == xml::PropRequestKind::propname ? PropMode::propname
                                                       : PropMode::allprop;
  q.names = pf.props;
  return ctx.store().read([&](storage::ReadTxn& txn) {
    xml::MultistatusWriter w;
    w.add(prop_response(txn, ctx, t, q));
    if (*depth == Depth::one) {
      for (const auto& c : children(txn, ctx, t)) {
        if (c.exists) w.add(prop_response(txn, ctx, c, q));
      }
    }
    return multistatus_response(std::move(w).finish());
  });
}

http::Response do_proppatch(Ctx& ctx, const Target& t) {
  auto parsed = xml::parse_proppatch(body_of(ctx.req));
  if (auto* e = std::get_if<xml::Error>(&parsed)) return parse_failure(*e);
  const auto& patch = std::get<xml::Proppatch>(parsed);
  if (!t.exists) return status_response(404);
  bool settable = (t.kind == Kind::calendar || t.kind == Kind::calendar_object || t.kind == Kind::folder ||
                   t.kind == Kind::file || t.kind == Kind::addressbook || t.kind == Kind::card) &&
                  t.collection;
  xml::Response r;
  r.path = t.path;
  std::vector<int> statuses;
  bool failed = false;
  for (const auto& ins : patch.instructions) {
    int status = 200;
    if (!settable || is_protected(ins.property.name) ||
        (ins.property.name == xml::caldav_name("supported-calendar-component-set"))) {
      status = 403;
    } else if (ins.op == xml::PatchOp::set && validate_property(ins.property.name, ins.property.text)) {
      status = 409;
    }
    statuses.push_back(status);
    failed = failed || status != 200;
  }
  if (!failed) {
    std::vector<storage::resources::Property> set;
    std::vector<std::string> remove;
    for (const auto& ins : patch.instructions) {
      auto name = xml::clark(ins.property.name);
      // Later instructions win (RFC 4918 §9.2: applied in document order).
      std::erase_if(set, [&](const auto& p) { return p.name == name; });
      std::erase(remove, name);
      if (ins.op == xml::PatchOp::set) {
        set.push_back({name, ins.property.xml, ins.property.text});
      } else {
        remove.push_back(name);
      }
    }
    std::string resource = t.is_member() ? t.member : std::string();
    auto id = t.collection->id;
    auto actor = ctx.actor;
    ctx.store().write([&](storage::WriteTxn& txn) {
      storage::resources::set_properties(txn, actor, id, resource, set, remove);
    });
  }
  for (std::size_t i = 0; i < patch.instructions.size(); ++i) {
    int status = failed && statuses[i] == 200 ? 424 : statuses[i];
    auto p = xml::Prop::empty(patch.instructions[i].property.name);
    r.add(status, std::move(p));
    if (status == 403) {
      for (auto& ps : r.propstats) {
        if (ps.status == 403) ps.error = xml::condition::cannot_modify_protected_property();
      }
    }
  }
  xml::MultistatusWriter w;
  w.add(r);
  return multistatus_response(std::move(w).finish());
}

// "3.0" or "4.0" when Accept asks for text/vcard with a version parameter.
std::optional<std::string> accepted_vcard_version(const http::Request& req) {
  auto accept = header(req, field::accept);
  if (!accept) return std::nullopt;
  std::string lower(*accept);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.find("text/vcard") == std::string::npos) return std::nullopt;
  for (std::string v : {"4.0", "3.0"}) {
    for (std::string form : {"version=" + v, "version=\"" + v + "\""}) {
      if (lower.find(form) != std::string::npos) return v;
    }
  }
  return std::nullopt;
}

http::Response do_get(Ctx& ctx, const Target& t) {
  if (!t.exists) return status_response(404);
  if (t.kind == Kind::directory_card) {
    auto res = http::text_response(http::status::ok, t.generated, "text/vcard; charset=utf-8");
    res.set(field::etag, quote_etag(t.generated_etag));
    return res;
  }
  if (!t.is_member()) {
    return http::text_response(http::status::ok, "This is a WebDAV collection: use a WebDAV or CalDAV client.\n");
  }
  auto tag = quote_etag(etag_of(*t.item));
  if (auto h = header(ctx.req, field::if_none_match)) {
    auto c = parse_etag_condition(*h);
    if (c && !if_none_match_holds(*c, etag_of(*t.item))) {
      auto res = status_response(304);
      res.set(field::etag, tag);
      return res;
    }
  }
  auto content = ctx.store().read_blob(t.item->blob.hash);
  if (!content) throw storage::StoreError(storage::Errc::corrupt, "resource content missing");
  std::string type = t.kind == Kind::file
                         ? ctx.store().read([&](storage::ReadTxn& txn) { return file_content_type(txn, ctx, t); })
                         : std::string(content_type_for(t.item->kind));
  if (t.kind == Kind::card) {
    // RFC 6352 §6.3.2.2 / RFC 6350 §10.1: Accept may name the vCard version wanted.
    if (auto version = accepted_vcard_version(ctx.req)) {
      xml::AddressDataRequest want;
      want.version = *version;
      auto converted = card_data(*content, want);
      if (converted != *content) {
        auto res = http::text_response(http::status::ok, std::move(converted), "text/vcard; charset=utf-8; version=" + *version);
        res.set(field::vary, "Accept");
        return res;  // no ETag: it names the stored representation, not this one
      }
    }
  }
  auto res = http::text_response(http::status::ok, std::move(*content), type);
  res.set(field::etag, tag);
  res.set(field::last_modified, http::http_date(t.item->internal_date));
  return res;
}

http::Response do_put(Ctx& ctx, const Target& t) {
  if (t.kind == Kind::file || t.kind == Kind::folder) return files_put(ctx, t);
  if (t.kind == Kind::card || t.kind == Kind::addressbook) return card_put(ctx, t);
  if (t.kind != Kind::calendar_object) {
    if (t.is_collection()) {
      auto res = status_response(405);
      res.set(field::allow, k_allow);
      return res;
    }
    return status_response(t.kind == Kind::unknown && !t.path.starts_with(k_calendars) ? 403 : 409);
  }
  if (!t.collection) return status_response(409);
  // The schedule inbox fills itself; clients only read and delete there (RFC 6638 §2.2).
  if (t.collection->kind == storage::CollectionKind::schedule_inbox) return status_response(403);
  auto precondition = conditions(ctx.req);
  if (!precondition) return status_response(400);
  const std::string& body = ctx.req.body();
  if (body.size() > ctx.options().max_resource_bytes) {
    return error_response(403, xml::caldav_name("max-resource-size"));
  }
  if (auto ct = header(ctx.req, field::content_type)) {
    std::string lower(*ct);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!lower.starts_with("text/calendar") && !lower.starts_with("application/octet-stream") &&
        !lower.starts_with("text/plain")) {
      return error_response(415, xml::condition::supported_calendar_data());
    }
  }
  calendar::ParseOptions options;
  options.limits.max_bytes = ctx.options().max_resource_bytes;
  std::vector<std::string> components;
  ctx.store().read([&](storage::ReadTxn& txn) {
    options.floating = floating_zone(txn, ctx, *t.collection);
    components = supported_components(txn, ctx, *t.collection);
  });
  auto parsed = calendar::parse(body, options);
  if (auto* e = std::get_if<calendar::ParseError>(&parsed)) {
    auto res = error_response(403, xml::caldav_name(calendar::precondition(e->code)));
    return res;
  }
  const auto& object = std::get<calendar::Object>(parsed);
  auto kind_name = std::string(calendar::to_string(object.kind()));
  if (std::find(components.begin(), components.end(), kind_name) == components.end()) {
    return error_response(403, xml::caldav_name("supported-calendar-component"));
  }
  if (auto scheduled = scheduled_put(ctx, t, object, body, *precondition)) return std::move(*scheduled);
  storage::items::NewItem item;
  item.collection = t.collection->id;
  item.kind = item_kind(object.kind());
  item.blob = ctx.store().blobs().stage(body);
  item.name = t.member;
  item.meta = calendar::agent::meta_of(object);
  auto actor = ctx.actor;
  auto result = ctx.store().write(
      [&](storage::WriteTxn& txn) { return storage::resources::put(txn, actor, item, *precondition); });
  switch (result.status) {
    case storage::resources::PutStatus::precondition_failed: return status_response(412);
    case storage::resources::PutStatus::uid_conflict:
      return error_response(403, xml::condition::no_uid_conflict(),
                            {calendar_path(t.owner->email, t.collection_name) + result.conflict});
    case storage::resources::PutStatus::created:
    case storage::resources::PutStatus::replaced: break;
  }
  auto res = status_response(result.status == storage::resources::PutStatus::created ? 201 : 204);
  res.set(field::etag, quote_etag(item.blob.hash.substr(0, 40)));
  return res;
}

http::Response do_delete(Ctx& ctx, const Target& t) {
  if (!t.exists) return status_response(404);
  if (t.kind == Kind::file || t.kind == Kind::folder) return files_delete(ctx, t);
  auto actor = ctx.actor;
  if (t.kind == Kind::calendar_object || t.kind == Kind::card) {
    auto precondition = conditions(ctx.req);
    if (!precondition) return status_response(400);
    auto id = t.collection->id;
    bool scheduling = t.collection->kind != storage::CollectionKind::schedule_inbox;
    auto& store = ctx.store();
    const auto& options = ctx.options();
    const auto& me = ctx.caller.email;
    auto status = store.write([&](storage::WriteTxn& txn) {
      auto current = storage::items::find_by_name(txn, actor, id, t.member);
      if (scheduling && current && (*precondition)(&*current)) scheduled_delete(txn, store, options, me, *current);
      return storage::resources::remove(txn, actor, id, t.member, *precondition);
    });
    if (status == storage::resources::RemoveStatus::precondition_failed) return status_response(412);
    if (status == storage::resources::RemoveStatus::not_found) return status_response(404);
    return status_response(204);
  }
  if (t.kind == Kind::calendar || t.kind == Kind::addressbook) {
    auto id = t.collection->id;
    ctx.store().write([&](storage::WriteTxn& txn) { storage::collections::remove(txn, actor, id); });
    return status_response(204);
  }
  return status_response(403);
}

http::Response do_mkcol(Ctx& ctx, const Target& t, bool mkcalendar) {
  // RFC 4918 §9.3: a body MKCOL does not understand is 415; extended MKCOL bodies are XML.
  if (!mkcalendar && !xml::is_blank(ctx.req.body())) {
    auto type = header(ctx.req, field::content_type);
    if (type && type->find("xml") == std::string_view::npos) return status_response(415);
  }
  auto parsed = mkcalendar ? xml::parse_mkcalendar(body_of(ctx.req)) : xml::parse_mkcol(body_of(ctx.req));
  if (auto* e = std::get_if<xml::Error>(&parsed)) return parse_failure(*e);
  const auto& mk = std::get<xml::Mkcol>(parsed);
  if (!mkcalendar && (t.kind == Kind::folder || t.kind == Kind::file) && !t.exists) {
    if (mk.resource_type) {
      for (const auto& n : *mk.resource_type) {
        if (n != xml::dav_name("collection")) return error_response(403, xml::condition::valid_resourcetype());
      }
    }
    return files_mkcol(ctx, t);
  }
  if (t.exists) {
    auto res = status_response(405);
    res.set(field::allow, k_allow);
    return res;
  }
  if (t.kind == Kind::addressbook && !mkcalendar) {
    bool addressbook = false;
    if (mk.resource_type) {
      for (const auto& n : *mk.resource_type) addressbook = addressbook || n == xml::carddav_name("addressbook");
    }
    if (!addressbook) return error_response(403, xml::condition::valid_resourcetype());
    if (t.collection_name.size() > 255) return status_response(403);
    std::vector<storage::resources::Property> props;
    for (const auto& p : mk.props) {
      if (is_protected(p.name)) return error_response(403, xml::condition::cannot_modify_protected_property());
      if (validate_property(p.name, p.text)) return status_response(409);
      props.push_back({xml::clark(p.name), p.xml, p.text});
    }
    auto actor = ctx.actor;
    auto owner = t.owner->id;
    auto name = t.collection_name;
    bool created = ctx.store().write([&](storage::WriteTxn& txn) {
      if (storage::collections::find(txn, storage::Actor::system(), owner, storage::CollectionKind::addressbook, name)) {
        return false;
      }
      auto c = storage::collections::create(txn, actor, {owner, storage::CollectionKind::addressbook, name, ""});
      if (!props.empty()) storage::resources::set_properties(txn, actor, c.id, "", props, {});
      return true;
    });
    if (!created) return status_response(405);
    return status_response(201);
  }
  if (t.kind != Kind::calendar) {
    // Only calendars live in calendar homes; anything deeper has no parent collection.
    if (t.kind == Kind::calendar_object) return status_response(409);
    return error_response(403, xml::condition::calendar_collection_location_ok());
  }
  if (!mkcalendar) {
    bool calendar = false;
    if (mk.resource_type) {
      for (const auto& n : *mk.resource_type) calendar = calendar || n == xml::caldav_name("calendar");
    }
    if (!calendar) return error_response(403, xml::condition::valid_resourcetype());
  }
  if (t.collection_name.size() > 255) return status_response(403);
  std::vector<std::string> components{"VEVENT", "VTODO", "VJOURNAL"};
  std::vector<storage::resources::Property> props;
  for (const auto& p : mk.props) {
    if (p.name == xml::caldav_name("supported-calendar-component-set")) {
      auto names = component_names(p.xml);
      if (!names) return error_response(403, xml::caldav_name("supported-calendar-component"));
      components = *names;
      continue;
    }
    if (is_protected(p.name)) return error_response(403, xml::condition::cannot_modify_protected_property());
    if (validate_property(p.name, p.text)) return status_response(409);
    props.push_back({xml::clark(p.name), p.xml, p.text});
  }
  std::string comp_xml = "<supported-calendar-component-set xmlns=\"urn:ietf:params:xml:ns:caldav\">";
  for (const auto& c : components) comp_xml += "<comp name=\"" + c + "\"/>";
  comp_xml += "</supported-calendar-component-set>";
  props.push_back({xml::clark(xml::caldav_name("supported-calendar-component-set")), comp_xml, join(components)});
  auto kind = components == std::vector<std::string>{"VTODO"} ? storage::CollectionKind::tasks
                                                              : storage::CollectionKind::calendar;
  auto actor = ctx.actor;
  auto owner = t.owner->id;
  auto name = t.collection_name;
  bool created = ctx.store().write([&](storage::WriteTxn& txn) {
    if (name == k_inbox || name == k_outbox) return false;  // reserved for scheduling
    for (auto k : {storage::CollectionKind::calendar, storage::CollectionKind::tasks,
                   storage::CollectionKind::schedule_inbox}) {
      if (storage::collections::find(txn, storage::Actor::system(), owner, k, name)) return false;
    }
    auto c = storage::collections::create(txn, actor, {owner, kind, name, ""});
    storage::resources::set_properties(txn, actor, c.id, "", props, {});
    return true;
  });
  if (!created) {
    auto res = status_response(405);
    res.set(field::allow, k_allow);
    return res;
  }
  auto res = status_response(201);
  res.set(field::cache_control, "no-cache");
  return res;
}

http::Response do_copy_move(Ctx& ctx, const Target& t, bool move) {
  if (!t.exists) return status_response(404);
  bool files = t.kind == Kind::file || t.kind == Kind::folder;
  if (t.kind != Kind::calendar_object && !files) return status_response(403);
  auto dest_header = header(ctx.req, "Destination");
  if (!dest_header) return status_response(400);
  auto dest_path = parse_destination(*dest_header, ctx.host);
  if (auto* e = std::get_if<DestinationError>(&dest_path)) {
    return status_response(*e == DestinationError::other_server ? 502 : 400);
  }
  bool overwrite = true;
  if (auto o = header(ctx.req, "Overwrite")) {
    if (*o == "F" || *o == "f") {
      overwrite = false;
    } else if (*o != "T" && *o != "t") {
      return status_response(400);
    }
  }
  auto dest = ctx.store().read([&](storage::ReadTxn& txn) { return resolve(txn, ctx, std::get<std::string>(dest_path)); });
  if (files) {
    auto depth = parse_depth(header(ctx.req, "Depth"), Depth::infinity);
    if (!depth || *depth == Depth::one || (move && *depth != Depth::infinity)) return status_response(400);
    if (dest.kind != Kind::file && dest.kind != Kind::folder) return status_response(403);
    return files_copy_move(ctx, t, dest, move, overwrite, *depth);
  }
  if (dest.kind != Kind::calendar_object || !dest.collection) return status_response(409);
  if (dest.path == t.path) return status_response(403);
  if (dest.exists && !overwrite) return status_response(412);

  auto meta = ctx.store().read([&](storage::ReadTxn& txn) { return storage::resources::event_meta(txn, t.item->id); });
  std::vector<std::string> components;
  ctx.store().read([&](storage::ReadTxn& txn) { components = supported_components(txn, ctx, *dest.collection); });
  if (meta && std::find(components.begin(), components.end(), meta->component) == components.end()) {
    return error_response(403, xml::caldav_name("supported-calendar-component"));
  }
  storage::items::NewItem item;
  item.collection = dest.collection->id;
  item.kind = t.item->kind;
  item.blob = t.item->blob;
  item.name = dest.member;
  if (meta) item.meta = *meta;
  auto actor = ctx.actor;
  auto source_collection = t.collection->id;
  auto source_name = t.member;
  auto source_tag = etag_of(*t.item);
  storage::resources::PutResult result;
  try {
  result = ctx.store().write([&](storage::WriteTxn& txn) {
    // A move within one calendar frees the UID first; the source must still be what we read.
    storage::resources::Precondition same_source = [&](const storage::Item* cur) {
      return cur && etag_of(*cur) == source_tag;
    };
    if (move && source_collection == item.collection) {
      if (storage::resources::remove(txn, actor, source_collection, source_name, same_source) !=
          storage::resources::RemoveStatus::removed) {
        return storage::resources::PutResult{storage::resources::PutStatus::precondition_failed};
      }
    }
    auto r = storage::resources::put(txn, actor, item, [&](const storage::Item* cur) { return overwrite || !cur; });
    if (r.status != storage::resources::PutStatus::created && r.status != storage::resources::PutStatus::replaced) {
      throw CopyRefused{r};  // undoes the source's removal with the rest of the job
    }
    if (move && source_collection != item.collection) {
      storage::resources::remove(txn, actor, source_collection, source_name, same_source);
    }
    return r;
  });
  } catch (const CopyRefused& refused) {
    result = refused.result;
  }
  if (result.status == storage::resources::PutStatus::uid_conflict) {
    return error_response(403, xml::condition::no_uid_conflict(),
                          {calendar_path(dest.owner->email, dest.collection_name) + result.conflict});
  }
  if (result.status == storage::resources::PutStatus::precondition_failed) return status_response(412);
  return status_response(result.status == storage::resources::PutStatus::created ? 201 : 204);
}

}  // namespace atrium::dav::detail
