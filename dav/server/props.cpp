// PROPFIND and report properties: the live ones the server computes per kind of resource, and the
// ones clients stored with PROPPATCH, MKCOL or MKCALENDAR.
#include "calendar/output.hpp"
#include "dav/server/detail.hpp"
#include "dav/xml/document.hpp"
#include "storage/blobs.hpp"
#include "storage/directory.hpp"

#include <charconv>

namespace atrium::dav::detail {
namespace {

using xml::caldav_name;
using xml::dav_name;
using xml::Node;
using xml::Prop;

QName cs_name(std::string_view local) { return {std::string(xml::ns::calendarserver), std::string(local)}; }

Node node(QName name, std::vector<Node> children = {}) { return Node{std::move(name), {}, std::move(children), {}}; }
Node text_node(QName name, std::string text) { return Node{std::move(name), std::move(text), {}, {}}; }

// The live properties allprop returns for a kind of resource (RFC 4918 §9.1: the ones RFC 4918
// defines; the CalDAV ones only when named).
std::vector<QName> allprop_names(const Target& t) {
  std::vector<QName> out{dav_name("resourcetype")};
  switch (t.kind) {
    case Kind::calendar_object:
    case Kind::file:
    case Kind::card:
      for (auto n : {"getetag", "getcontenttype", "getcontentlength", "getlastmodified"}) out.push_back(dav_name(n));
      break;
    case Kind::directory_card:
      for (auto n : {"getetag", "getcontenttype", "getcontentlength"}) out.push_back(dav_name(n));
      break;
    case Kind::directory:
      out.push_back(dav_name("displayname"));
      out.push_back(dav_name("sync-token"));
      out.push_back(cs_name("getctag"));
      break;
    case Kind::addressbook:
    case Kind::calendar:
      out.push_back(dav_name("sync-token"));
      out.push_back(cs_name("getctag"));
      break;
    case Kind::principal: out.push_back(dav_name("displayname")); break;
    default: break;
  }
  return out;
}

// Every live property a resource has, for propname.
std::vector<QName> live_names(const Target& t) {
  auto out = allprop_names(t);
  for (auto n : {"current-user-principal", "current-user-privilege-set", "supported-report-set"}) {
    out.push_back(dav_name(n));
  }
  switch (t.kind) {
    case Kind::root:
    case Kind::principals:
    case Kind::calendar_homes: out.push_back(dav_name("principal-collection-set")); break;
    case Kind::principal:
      for (auto n : {"principal-URL", "principal-collection-set", "owner"}) out.push_back(dav_name(n));
      for (auto n : {"calendar-home-set", "calendar-user-address-set", "calendar-user-type", "schedule-inbox-URL",
                     "schedule-outbox-URL"}) {
        out.push_back(caldav_name(n));
      }
      out.push_back(cs_name("email-address-set"));
      out.push_back(xml::carddav_name("addressbook-home-set"));
      break;
    case Kind::calendar_home: out.push_back(dav_name("owner")); break;
    case Kind::calendar:
      out.push_back(dav_name("owner"));
      for (auto n : {"supported-calendar-component-set", "supported-calendar-data", "max-resource-size",
                     "min-date-time", "max-date-time", "supported-collation-set"}) {
        out.push_back(caldav_name(n));
      }
      break;
    case Kind::addressbook_home: out.push_back(dav_name("owner")); break;
    case Kind::addressbook:
      out.push_back(dav_name("owner"));
      for (auto n : {"supported-address-data", "max-resource-size"}) out.push_back(xml::carddav_name(n));
      break;
    case Kind::calendar_object:
    case Kind::card:
    case Kind::folder:
    case Kind::file: out.push_back(dav_name("owner")); break;
    default: break;
  }
  return out;
}

std::vector<Node> privileges(storage::Rights r) {
  std::vector<Node> out;
  auto priv = [&](QName n) { out.push_back(node(dav_name("privilege"), {node(std::move(n))})); };
  using namespace storage;
  if ((r & all_rights) == all_rights) priv(dav_name("all"));
  if (r & right_read) {
    priv(dav_name("read"));
    priv(caldav_name("read-free-busy"));
  }
  priv(dav_name("read-current-user-privilege-set"));
  if (r & right_write) {
    priv(dav_name("write"));
    priv(dav_name("write-properties"));
    priv(dav_name("write-content"));
  }
  if (r & (right_insert | right_create)) priv(dav_name("bind"));
  if (r & (right_delete_items | right_delete_collection)) priv(dav_name("unbind"));
  if (r & right_admin) priv(dav_name("write-acl"));
  return out;
}

storage::Rights rights_on(storage::ReadTxn& txn, Ctx& ctx, const Target& t) {
  if (t.kind == Kind::directory || t.kind == Kind::directory_card) return storage::right_lookup | storage::right_read;
  if (t.collection) return storage::effective_rights(txn, ctx.actor, *t.collection);
  // Homes and principals: the owner may create calendars; everyone else may only look.
  if (t.owner && t.owner->id == ctx.caller.principal) return storage::all_rights;
  return storage::right_lookup | storage::right_read;
}

std::vector<Node> report_set(const Target& t) {
  std::vector<Node> out;
  auto report = [&](QName n) {
    out.push_back(node(dav_name("supported-report"), {node(dav_name("report"), {node(std::move(n))})}));
  };
  switch (t.kind) {
    case Kind::calendar:
      report(caldav_name("calendar-query"));
      report(caldav_name("calendar-multiget"));
      report(caldav_name("free-busy-query"));
      report(dav_name("sync-collection"));
      break;
    case Kind::calendar_object:
      break;
    case Kind::directory:
    case Kind::addressbook:
      report(xml::carddav_name("addressbook-query"));
      report(xml::carddav_name("addressbook-multiget"));
      report(dav_name("sync-collection"));
      break;
    case Kind::principals:
    case Kind::principal:
      report(dav_name("principal-property-search"));
      report(dav_name("principal-search-property-set"));
      break;
    default: break;
  }
  return out;
}

std::string_view user_type(const storage::Principal& p) {
  if (p.kind == storage::PrincipalKind::group) return "GROUP";
  if (p.kind == storage::PrincipalKind::resource) {
    return p.resource_kind == storage::ResourceKind::room ? "ROOM" : "RESOURCE";
  }
  return "INDIVIDUAL";
}

std::vector<Node> component_set(const std::vector<std::string>& comps) {
  std::vector<Node> out;
  for (const auto& c : comps) {
    Node n = node(caldav_name("comp"));
    n.attributes.emplace_back("name", c);
    out.push_back(std::move(n));
  }
  return out;
}

std::string object_data(storage::ReadTxn& txn, Ctx& ctx, const Target& t, const PropQuery& q,
                        const std::string* blob) {
  std::string content;
  if (blob) {
    content = *blob;
  } else if (auto b = storage::read_blob(txn, ctx.store().blobs(), t.item->blob.hash)) {
    content = std::move(*b);
  } else {
    throw storage::StoreError(storage::Errc::corrupt, "calendar object blob missing");
  }
  const auto& req = q.calendar_data;
  if (!req || (!req->comp && !req->expand && !req->limit_recurrence_set)) return content;
  calendar::ParseOptions options;
  options.floating = floating_zone(txn, ctx, *t.collection);
  options.compute_bounds = false;
  auto parsed = calendar::parse(content, options);
  if (auto* o = std::get_if<calendar::Object>(&parsed)) return calendar::calendar_data(*o, *req);
  return content;  // stored before a stricter parser: give it back as it is
}

// A live property of `t`, or nullopt when `t` has no such live property.
std::optional<Prop> live(storage::ReadTxn& txn, Ctx& ctx, const Target& t, const QName& name, const PropQuery& q,
                         const std::string* blob) {
  const std::string& ns = name.ns;
  const std::string& n = name.local;
  const std::string me = principal_path(ctx.caller.email);
  if (ns == xml::ns::dav) {
    if (n == "resourcetype") {
      std::vector<Node> types;
      if (t.is_collection()) types.push_back(node(dav_name("collection")));
      if (t.kind == Kind::principal) types.push_back(node(dav_name("principal")));
      if (t.kind == Kind::calendar) {
        bool inbox = t.collection && t.collection->kind == storage::CollectionKind::schedule_inbox;
        types.push_back(node(caldav_name(inbox ? "schedule-inbox" : "calendar")));
      }
      if (t.kind == Kind::outbox) types.push_back(node(caldav_name("schedule-outbox")));
      if (t.kind == Kind::addressbook || t.kind == Kind::directory) types.push_back(node(xml::carddav_name("addressbook")));
      return Prop::nodes(name, std::move(types));
    }
    if (n == "current-user-principal") return Prop::nodes(name, {xml::href_node(me)});
    if (n == "current-user-privilege-set") return Prop::nodes(name, privileges(rights_on(txn, ctx, t)));
    if (n == "supported-report-set") return Prop::nodes(name, report_set(t));
    if (n == "principal-collection-set" && !t.is_member()) {
      return Prop::nodes(name, {xml::href_node(std::string(k_principals))});
    }
    if (n == "owner" && t.owner && t.kind != Kind::principal) {
      return Prop::nodes(name, {xml::href_node(principal_path(t.owner->email))});
    }
    if (t.kind == Kind::principal) {
      if (n == "principal-URL") return Prop::nodes(name, {xml::href_node(t.path)});
      if (n == "displayname") {
        return Prop::text(name, t.owner->display_name.empty() ? t.owner->email : t.owner->display_name);
      }
      if (n == "owner") return Prop::nodes(name, {xml::href_node(t.path)});
    }
    if (t.kind == Kind::calendar_home && n == "displayname") return Prop::text(name, t.owner->email);
    if ((t.kind == Kind::calendar || t.kind == Kind::addressbook) && t.collection) {
      if (n == "sync-token") return Prop::text(name, sync_token(*t.collection, t.collection->modseq));
    }
    if (t.kind == Kind::addressbook_home && n == "displayname") return Prop::text(name, t.owner->email);
    if (t.kind == Kind::directory) {
      if (n == "displayname") {
        return Prop::text(name, "Directory (" + ctx.caller.email.substr(ctx.caller.email.rfind('@') + 1) + ")");
      }
      if (n == "sync-token" || n == "owner") {
        if (n == "owner") return std::nullopt;
        return Prop::text(name, "http://atrium.invalid/ns/sync/directory-" +
                                    directory_token(directory_cards(txn, ctx.caller.email)));
      }
    }
    if (t.kind == Kind::directory_card) {
      if (n == "getetag") return Prop::text(name, quote_etag(t.generated_etag));
      if (n == "getcontenttype") return Prop::text(name, "text/vcard; charset=utf-8");
      if (n == "getcontentlength") return Prop::text(name, std::to_string(t.generated.size()));
    }
    if (t.is_member() && t.item) {
      if (n == "getetag") return Prop::text(name, quote_etag(etag_of(*t.item)));
      if (n == "getcontenttype") {
        return Prop::text(name, t.kind == Kind::file ? file_content_type(txn, ctx, t)
                                                     : std::string(content_type_for(t.item->kind)));
      }
      if (n == "getcontentlength") return Prop::text(name, std::to_string(t.item->blob.size));
      if (n == "getlastmodified") return Prop::text(name, http::http_date(t.item->internal_date));
    }
    return std::nullopt;
  }
  if (ns == xml::ns::caldav) {
    if (t.kind == Kind::principal) {
      if (n == "calendar-home-set") return Prop::nodes(name, {xml::href_node(calendar_home_path(t.owner->email))});
      if (n == "calendar-user-address-set") {
        return Prop::nodes(name, {text_node(dav_name("href"), "mailto:" + t.owner->email), xml::href_node(t.path)});
      }
      if (n == "calendar-user-type") return Prop::text(name, std::string(user_type(*t.owner)));
      if (n == "schedule-inbox-URL") {
        return Prop::nodes(name, {xml::href_node(calendar_path(t.owner->email, k_inbox))});
      }
      if (n == "schedule-outbox-URL") {
        return Prop::nodes(name, {xml::href_node(calendar_path(t.owner->email, k_outbox))});
      }
    }
    if (t.kind == Kind::calendar && t.collection && t.collection->kind == storage::CollectionKind::schedule_inbox &&
        n == "schedule-default-calendar-URL") {
      return Prop::nodes(name, {xml::href_node(calendar_path(t.owner->email, "calendar"))});
    }
    if (t.kind == Kind::calendar && t.collection) {
      if (n == "supported-calendar-component-set") {
        return Prop::nodes(name, component_set(supported_components(txn, ctx, *t.collection)));
      }
      if (n == "supported-calendar-data") {
        Node d = node(caldav_name("calendar-data"));
        d.attributes = {{"content-type", "text/calendar"}, {"version", "2.0"}};
        return Prop::nodes(name, {std::move(d)});
      }
      if (n == "max-resource-size") return Prop::text(name, std::to_string(ctx.options().max_resource_bytes));
      if (n == "min-date-time") return Prop::text(name, "19000101T000000Z");
      if (n == "max-date-time") return Prop::text(name, "20491231T235959Z");
      if (n == "supported-collation-set") {
        std::vector<Node> c;
        for (auto s : {"i;ascii-casemap", "i;octet", "i;unicode-casemap"}) {
          c.push_back(text_node(caldav_name("supported-collation"), s));
        }
        return Prop::nodes(name, std::move(c));
      }
    }
    if (t.kind == Kind::calendar_object && t.item && n == "calendar-data") {
      return Prop::text(name, object_data(txn, ctx, t, q, blob));
    }
    return std::nullopt;
  }
  if (ns == xml::ns::carddav) {
    if (t.kind == Kind::principal && n == "addressbook-home-set") {
      return Prop::nodes(name, {xml::href_node(addressbook_home_path(t.owner->email))});
    }
    if (t.kind == Kind::addressbook) {
      if (n == "supported-address-data") {
        std::vector<Node> types;
        for (auto v : {"3.0", "4.0"}) {
          Node d = node(xml::carddav_name("address-data-type"));
          d.attributes = {{"content-type", "text/vcard"}, {"version", v}};
          types.push_back(std::move(d));
        }
        return Prop::nodes(name, std::move(types));
      }
      if (n == "max-resource-size") return Prop::text(name, std::to_string(ctx.options().max_resource_bytes));
    }
    if (t.kind == Kind::directory_card && n == "address-data") {
      return Prop::text(name, q.address_data ? card_data(t.generated, *q.address_data) : t.generated);
    }
    if (t.kind == Kind::directory && (n == "supported-address-data")) {
      Node d = node(xml::carddav_name("address-data-type"));
      d.attributes = {{"content-type", "text/vcard"}, {"version", "3.0"}};
      return Prop::nodes(name, {std::move(d)});
    }
    if (t.kind == Kind::card && t.item && n == "address-data") {
      std::string content;
      if (blob) {
        content = *blob;
      } else if (auto b = storage::read_blob(txn, ctx.store().blobs(), t.item->blob.hash)) {
        content = std::move(*b);
      }
      return Prop::text(name, q.address_data ? card_data(content, *q.address_data) : content);
    }
    return std::nullopt;
  }
  if (ns == xml::ns::calendarserver) {
    if (t.kind == Kind::directory && n == "getctag") {
      return Prop::text(name, directory_token(directory_cards(txn, ctx.caller.email)));
    }
    if ((t.kind == Kind::calendar || t.kind == Kind::addressbook) && t.collection && n == "getctag") {
      return Prop::text(name, std::to_string(t.collection->uidvalidity) + "-" + std::to_string(t.collection->modseq));
    }
    if (t.kind == Kind::principal && n == "email-address-set") {
      return Prop::nodes(name, {text_node(cs_name("email-address"), t.owner->email)});
    }
  }
  return std::nullopt;
}

}  // namespace

std::string sync_token(const storage::Collection& c, storage::Modseq modseq) {
  return "http://atrium.invalid/ns/sync/" + std::to_string(c.uidvalidity) + "-" + std::to_string(modseq);
}

std::optional<storage::Modseq> parse_sync_token(const storage::Collection& c, std::string_view token) {
  std::string prefix = "http://atrium.invalid/ns/sync/" + std::to_string(c.uidvalidity) + "-";
  if (!token.starts_with(prefix)) return std::nullopt;
  auto digits = token.substr(prefix.size());
  storage::Modseq m = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), m);
  if (ec != std::errc() || p != digits.data() + digits.size() || m < 0 || m > c.modseq) return std::nullopt;
  return m;
}

bool is_protected(const QName& name) {
  static const std::set<std::pair<std::string_view, std::string_view>> names = {
      {"DAV:", "resourcetype"}, {"DAV:", "getetag"}, {"DAV:", "getcontenttype"}, {"DAV:", "getcontentlength"},
      {"DAV:", "getlastmodified"}, {"DAV:", "creationdate"}, {"DAV:", "lockdiscovery"}, {"DAV:", "supportedlock"},
      {"DAV:", "current-user-principal"}, {"DAV:", "current-user-privilege-set"}, {"DAV:", "supported-report-set"},
      {"DAV:", "principal-collection-set"}, {"DAV:", "owner"}, {"DAV:", "sync-token"}, {"DAV:", "principal-URL"},
      {"DAV:", "acl"}, {"DAV:", "quota-used-bytes"}, {"DAV:", "quota-available-bytes"},
      {xml::ns::caldav, "supported-calendar-data"}, {xml::ns::caldav, "max-resource-size"},
      {xml::ns::caldav, "min-date-time"}, {xml::ns::caldav, "max-date-time"},
      {xml::ns::caldav, "supported-collation-set"}, {xml::ns::caldav, "calendar-data"},
      {xml::ns::caldav, "calendar-home-set"}, {xml::ns::caldav, "calendar-user-address-set"},
      {xml::ns::calendarserver, "getctag"}, {xml::ns::caldav, "schedule-tag"},
      {xml::ns::carddav, "supported-address-data"}, {xml::ns::carddav, "max-resource-size"},
      {xml::ns::carddav, "address-data"}, {xml::ns::carddav, "addressbook-home-set"},
      {xml::ns::caldav, "schedule-inbox-URL"}, {xml::ns::caldav, "schedule-outbox-URL"},
  };
  return names.count({name.ns, name.local}) > 0;
}

std::optional<std::string> validate_property(const QName& name, const std::string& text) {
  if (name.ns == xml::ns::caldav && name.local == "calendar-timezone") {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;  // empty: floating = UTC
    if (!calendar::Zone::from_icalendar(text)) return "calendar-timezone must be a VCALENDAR with one VTIMEZONE";
  }
  if (name.ns == xml::ns::dav && name.local == "displayname" && text.size() > 1024) return "displayname too long";
  return std::nullopt;
}

xml::Response prop_response(storage::ReadTxn& txn, Ctx& ctx, const Target& t, const PropQuery& q,
                            const std::string* blob) {
  xml::Response r;
  r.path = t.path;
  std::optional<std::vector<storage::resources::Property>> stored;
  auto stored_props = [&]() -> const std::vector<storage::resources::Property>& {
    if (!stored) {
      stored.emplace();
      if (t.collection &&
          (t.kind == Kind::calendar || t.kind == Kind::addressbook || t.kind == Kind::folder || (t.is_member() && t.item))) {
        *stored = storage::resources::properties(txn, ctx.actor, t.collection->id,
                                                 t.is_member() ? t.member : std::string());
        // A file's media type is kept with its properties but is a live property.
        std::erase_if(*stored, [](const auto& p) { return p.name == "{DAV:}getcontenttype"; });
      }
    }
    return *stored;
  };
  auto add_named = [&](const QName& name) {
    if (auto p = live(txn, ctx, t, name, q, blob)) {
      r.add(200, std::move(*p));
      return;
    }
    auto clark = xml::clark(name);
    for (const auto& s : stored_props()) {
      if (s.name == clark) {
        r.add(200, Prop::raw(name, s.xml));
        return;
      }
    }
    r.add(404, Prop::empty(name));
  };
  switch (q.mode) {
    case PropMode::prop:
      for (const auto& name : q.names) add_named(name);
      break;
    case PropMode::allprop: {
      std::set<std::string> done;
      for (const auto& name : allprop_names(t)) {
        if (auto p = live(txn, ctx, t, name, q, blob)) {
          r.add(200, std::move(*p));
          done.insert(xml::clark(name));
        }
      }
      for (const auto& s : stored_props()) {
        if (done.insert(s.name).second) r.add(200, Prop::raw(xml::QName{}, s.xml));
      }
      for (const auto& name : q.names) {
        if (!done.count(xml::clark(name))) add_named(name);
      }
      break;
    }
    case PropMode::propname: {
      std::set<std::string> done;
      for (const auto& name : live_names(t)) {
        if (done.insert(xml::clark(name)).second) r.add(200, Prop::empty(name));
      }
      for (const auto& s : stored_props()) {
        if (!done.insert(s.name).second) continue;
        // Clark notation back to a name: "{ns}local".
        auto close = s.name.find('}');
        if (s.name.starts_with("{") && close != std::string::npos) {
          r.add(200, Prop::empty(QName{s.name.substr(1, close - 1), s.name.substr(close + 1)}));
        }
      }
      break;
    }
  }
  if (r.propstats.empty()) r.propstats.push_back({200, {}, std::nullopt, {}});
  return r;
}

}  // namespace atrium::dav::detail
