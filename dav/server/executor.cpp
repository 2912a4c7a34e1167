// Request dispatch, resource resolution and the helpers every method shares.
#include "dav/server/detail.hpp"

#include "core/log/log.hpp"
#include "dav/xml/writer.hpp"
#include "storage/directory.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>
#include <ctime>

namespace atrium::dav {
namespace detail {
namespace {

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 1;
  while (i <= path.size()) {
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The calendar or task list `name` of `owner` that the caller may see.
std::optional<storage::Collection> find_calendar(storage::ReadTxn& txn, Ctx& ctx, storage::PrincipalId owner,
                                                 std::string_view name) {
  if (name == k_inbox) return storage::collections::find(txn, ctx.actor, owner, storage::CollectionKind::schedule_inbox, name);
  for (auto kind : {storage::CollectionKind::calendar, storage::CollectionKind::tasks}) {
    if (auto c = storage::collections::find(txn, ctx.actor, owner, kind, name)) return c;
  }
  return std::nullopt;
}

}  // namespace

std::string principal_path(std::string_view email) { return std::string(k_principals) + std::string(email) + "/"; }
std::string calendar_home_path(std::string_view email) { return std::string(k_calendars) + std::string(email) + "/"; }
std::string calendar_path(std::string_view email, std::string_view name) {
  return calendar_home_path(email) + std::string(name) + "/";
}
std::string addressbook_home_path(std::string_view email) {
  return std::string(k_addressbooks) + std::string(email) + "/";
}
std::string addressbook_path(std::string_view email, std::string_view name) {
  return addressbook_home_path(email) + std::string(name) + "/";
}
std::string folder_path(std::string_view email, std::string_view store_name) {
  std::string out = std::string(k_files) + std::string(email) + "/";
  if (store_name.size() > k_files_root.size()) out += std::string(store_name.substr(k_files_root.size() + 1)) + "/";
  return out;
}

Target resolve(storage::ReadTxn& txn, Ctx& ctx, const std::string& path) {
  Target t;
  auto seg = split_segments(path);
  t.path = path;
  if (seg.empty() || seg[0] != "dav") return t;
  if (seg.size() == 1) {
    t.kind = Kind::root;
    t.path = std::string(k_root);
    t.exists = true;
    return t;
  }
  bool principals = seg[1] == "principals";
  bool calendars = seg[1] == "calendars";
  bool files = seg[1] == "files";
  bool addressbooks = seg[1] == "addressbooks";
  if (!principals && !calendars && !files && !addressbooks) return t;
  if (seg.size() == 2) {
    t.kind = principals     ? Kind::principals
             : calendars    ? Kind::calendar_homes
             : addressbooks ? Kind::addressbook_homes
                            : Kind::file_homes;
    t.path = std::string(principals     ? k_principals
                         : calendars    ? k_calendars
                         : addressbooks ? k_addressbooks
                                        : k_files);
    t.exists = true;
    return t;
  }
  t.owner = storage::directory::find_principal(txn, seg[2]);
  if (!t.owner) return t;
  const std::string& email = t.owner->email;
  if (addressbooks) {
    if (seg.size() == 3) {
      t.kind = Kind::addressbook_home;
      t.path = addressbook_home_path(email);
      t.exists = true;
      return t;
    }
    t.collection_name = std::string(seg[3]);
    if (t.collection_name == k_directory && t.owner->id == ctx.caller.principal && seg.size() <= 5) {
      t.kind = Kind::directory;
      t.path = addressbook_path(email, k_directory);
      t.exists = true;
      if (seg.size() == 5) {
        t.kind = Kind::directory_card;
        t.member = std::string(seg[4]);
        t.path += t.member;
        t.exists = false;
        for (const auto& c : directory_cards(txn, ctx.caller.email)) {
          if (c.name == t.member) t = directory_card_target(t, c);
        }
      }
      return t;
    }
    t.collection =
        storage::collections::find(txn, ctx.actor, t.owner->id, storage::CollectionKind::addressbook, t.collection_name);
    if (seg.size() == 4) {
      t.kind = Kind::addressbook;
      t.path = addressbook_path(email, t.collection_name);
      t.exists = t.collection.has_value();
      return t;
    }
    if (seg.size() != 5) return t;
    t.kind = Kind::card;
    t.member = std::string(seg[4]);
    t.path = addressbook_path(email, t.collection_name) + t.member;
    if (t.collection && (storage::effective_rights(txn, ctx.actor, *t.collection) & storage::right_read)) {
      t.item = storage::items::find_by_name(txn, ctx.actor, t.collection->id, t.member);
      t.exists = t.item.has_value();
    }
    return t;
  }
  if (files) {
    // Folders are collections named "Files/a/b"; the last segment is a folder if one has that
    // name, else a file of the folder before it.
    std::string name(k_files_root);
    for (std::size_t i = 3; i < seg.size(); ++i) name += "/" + std::string(seg[i]);
    auto folder = storage::collections::find(txn, ctx.actor, t.owner->id, storage::CollectionKind::files, name);
    std::string parent_name = seg.size() > 3 ? name.substr(0, name.rfind('/')) : std::string();
    if (!parent_name.empty()) {
      t.parent = storage::collections::find(txn, ctx.actor, t.owner->id, storage::CollectionKind::files, parent_name);
    }
    if (folder) {
      t.kind = Kind::folder;
      t.collection = folder;
      t.folder_name = name;
      t.path = folder_path(email, name);
      t.exists = true;
      return t;
    }
    t.member = seg.size() > 3 ? std::string(seg.back()) : std::string();
    bool slash = path.ends_with('/');
    if (t.parent && !slash) {
      if (storage::effective_rights(txn, ctx.actor, *t.parent) & storage::right_read) {
        t.item = storage::items::find_by_name(txn, ctx.actor, t.parent->id, t.member);
      }
    }
    if (t.item) {
      t.kind = Kind::file;
      t.collection = t.parent;
      t.path = folder_path(email, parent_name) + t.member;
      t.exists = true;
      return t;
    }
    // Missing: a folder to make (MKCOL) or a file to put, in `parent` when it exists.
    t.kind = slash || seg.size() == 3 ? Kind::folder : Kind::file;
    t.folder_name = name;
    if (t.kind == Kind::file) t.collection = t.parent;
    t.path = t.kind == Kind::folder ? folder_path(email, name) : folder_path(email, parent_name) + t.member;
    return t;
  }
  if (principals) {
    if (seg.size() != 3) return t;
    t.kind = Kind::principal;
    t.path = principal_path(email);
    t.exists = true;
    return t;
  }
  if (seg.size() == 3) {
    t.kind = Kind::calendar_home;
    t.path = calendar_home_path(email);
    t.exists = true;
    return t;
  }
  t.collection_name = std::string(seg[3]);
  t.collection = find_calendar(txn, ctx, t.owner->id, t.collection_name);
  if (seg.size() == 4 && t.collection_name == k_outbox) {
    t.kind = Kind::outbox;
    t.path = calendar_path(email, k_outbox);
    t.exists = t.owner->id == ctx.caller.principal;
    return t;
  }
  if (seg.size() == 4) {
    t.kind = Kind::calendar;
    t.path = calendar_path(email, t.collection_name);
    t.exists = t.collection.has_value();
    return t;
  }
  if (seg.size() != 5) return t;
  t.kind = Kind::calendar_object;
  t.member = std::string(seg[4]);
  t.path = calendar_path(email, t.collection_name) + t.member;
  if (t.collection) {
    auto rights = storage::effective_rights(txn, ctx.actor, *t.collection);
    if (rights & storage::right_read) {
      t.item = storage::items::find_by_name(txn, ctx.actor, t.collection->id, t.member);
      t.exists = t.item.has_value();
    }
  }
  return t;
}

Target member_target(const Target& calendar, const storage::Item& item) {
  Target t;
  t.kind = calendar.kind == Kind::addressbook ? Kind::card : Kind::calendar_object;
  t.owner = calendar.owner;
  t.collection = calendar.collection;
  t.collection_name = calendar.collection_name;
  t.member = item.name;
  t.path = calendar.path + item.name;
  t.item = item;
  t.exists = true;
  return t;
}

void provision(Ctx& ctx) {
  auto& st = ctx.state;
  {
    std::lock_guard lock(st.provisioned_mutex);
    if (st.provisioned.count(ctx.caller.principal)) return;
  }
  auto principal = ctx.caller.principal;
  // Accounts made before the store gave every new principal its DAV collections get them here.
  st.store.write([&](storage::WriteTxn& txn) { storage::resources::ensure_default_collections(txn, principal); });
  std::lock_guard lock(st.provisioned_mutex);
  st.provisioned.insert(principal);
}

// ---- responses ----

http::Response status_response(int code) {
  http::Response res{static_cast<http::status>(code), 11};
  return res;
}

http::Response xml_response(int code, std::string body) {
  return http::text_response(static_cast<http::status>(code), std::move(body), "application/xml; charset=utf-8");
}

http::Response error_response(int code, const QName& condition, const std::vector<std::string>& hrefs) {
  return xml_response(code, xml::write_error(condition, hrefs));
}

http::Response multistatus_response(std::string body) { return xml_response(207, std::move(body)); }

std::optional<std::string_view> header(const http::Request& req, beast::http::field f) {
  auto it = req.find(f);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

std::optional<std::string_view> header(const http::Request& req, std::string_view name) {
  auto it = req.find(beast::string_view(name.data(), name.size()));
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

std::string etag_of(const storage::Item& item) { return item.blob.hash.substr(0, 40); }
std::string quote_etag(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

std::string_view content_type_for(storage::ItemKind kind) {
  switch (kind) {
    case storage::ItemKind::event: return "text/calendar; charset=utf-8; component=VEVENT";
    case storage::ItemKind::todo: return "text/calendar; charset=utf-8; component=VTODO";
    case storage::ItemKind::journal: return "text/calendar; charset=utf-8; component=VJOURNAL";
    case storage::ItemKind::card: return "text/vcard; charset=utf-8";
    default: return "application/octet-stream";
  }
}

std::vector<std::string> supported_components(storage::ReadTxn& txn, Ctx& ctx, const storage::Collection& c) {
  auto name = xml::clark(xml::caldav_name("supported-calendar-component-set"));
  for (const auto& p : storage::resources::properties(txn, ctx.actor, c.id, "")) {
    if (p.name != name) continue;
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < p.value.size()) {
      auto j = p.value.find(',', i);
      if (j == std::string::npos) j = p.value.size();
      if (j > i) out.emplace_back(p.value.substr(i, j - i));
      i = j + 1;
    }
    if (!out.empty()) return out;
  }
  if (c.kind == storage::CollectionKind::tasks) return {"VTODO"};
  return {"VEVENT", "VTODO", "VJOURNAL"};
}

calendar::Zone floating_zone(storage::ReadTxn& txn, Ctx& ctx, const storage::Collection& c) {
  auto name = xml::clark(xml::caldav_name("calendar-timezone"));
  for (const auto& p : storage::resources::properties(txn, ctx.actor, c.id, "")) {
    if (p.name != name) continue;
    if (auto z = calendar::Zone::from_icalendar(p.value)) return *z;
  }
  return calendar::Zone::utc();
}

}  // namespace detail

using namespace detail;

Executor::Executor(storage::Store& store, ExecutorOptions options)
    : state_(std::make_unique<State>(store, options)) {}
Executor::~Executor() = default;

http::Response Executor::execute(const http::Request& request, const Caller& caller) {
  Ctx ctx{*state_, request, caller, storage::Actor::principal(caller.principal),
          std::string(header(request, beast::http::field::host).value_or(""))};
  try {
    auto target = request.target();
    // A fragment never belongs in a request-target (RFC 9112 §3.2); acting on the part before it
    // could delete something the client did not name.
    if (std::string_view(target.data(), target.size()).find('#') != std::string_view::npos) return status_response(400);
    auto decoded = decode_path(std::string_view(target.data(), target.size()));
    if (!std::holds_alternative<std::string>(decoded)) return status_response(400);
    const auto& path = std::get<std::string>(decoded);
    provision(ctx);
    auto t = ctx.store().read([&](storage::ReadTxn& txn) { return resolve(txn, ctx, path); });
    if ((t.kind == Kind::directory || t.kind == Kind::directory_card) && request.method() != http::verb::options &&
        request.method() != http::verb::propfind && request.method() != http::verb::get &&
        request.method() != http::verb::head && request.method() != http::verb::report) {
      return error_response(403, xml::dav_name("need-privileges"));  // the directory is read-only
    }
    switch (request.method()) {
      case http::verb::options: return do_options(ctx, t);
      case http::verb::propfind: return do_propfind(ctx, t);
      case http::verb::proppatch: return do_proppatch(ctx, t);
      case http::verb::get:
      case http::verb::head: return do_get(ctx, t);
      case http::verb::put: return do_put(ctx, t);
      case http::verb::delete_: return do_delete(ctx, t);
      case http::verb::mkcol: return do_mkcol(ctx, t, false);
      case http::verb::mkcalendar: return do_mkcol(ctx, t, true);
      case http::verb::copy: return do_copy_move(ctx, t, false);
      case http::verb::move: return do_copy_move(ctx, t, true);
      case http::verb::report: return do_report(ctx, t);
      case http::verb::post: return do_post(ctx, t);
      default: {
        auto res = status_response(405);
        res.set(beast::http::field::allow,
                "OPTIONS, GET, HEAD, POST, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, COPY, MOVE, REPORT");
        return res;
      }
    }
  } catch (const storage::StoreError& e) {
    switch (e.code()) {
      case storage::Errc::access_denied: return status_response(403);
      case storage::Errc::not_found: return status_response(404);
      case storage::Errc::conflict: return status_response(409);
      case storage::Errc::quota: return status_response(507);
      case storage::Errc::invalid: return status_response(400);
      case storage::Errc::unavailable: {
        log::warn("dav.unavailable", "user", caller.email, "error", e.what());
        auto res = status_response(503);
        res.set(beast::http::field::retry_after, "5");
        return res;
      }
      case storage::Errc::corrupt: break;
    }
    log::error("dav.store_error", "user", caller.email, "error", e.what());
    return status_response(500);
  }
}

}  // namespace atrium::dav
