// Plain WebDAV folders (RFC 4918 class 1) in each account's file area: any file, nested folders,
// dead properties, COPY and MOVE of files and whole trees. Folders are collections of kind
// `files` named "Files/a/b"; files are items of kind `file`, their media type kept with their
// properties.
#include "dav/server/detail.hpp"

#include <boost/beast/http/field.hpp>

namespace atrium::dav::detail {
namespace {

using field = beast::http::field;
const std::string k_content_type = "{DAV:}getcontenttype";

std::string last_segment(std::string_view name) { return std::string(name.substr(name.rfind('/') + 1)); }

void copy_properties(storage::WriteTxn& txn, const storage::Actor& actor, storage::CollectionId from,
                     std::string_view from_resource, storage::CollectionId to, std::string_view to_resource) {
  auto props = storage::resources::properties(txn, actor, from, from_resource);
  if (!props.empty()) storage::resources::set_properties(txn, actor, to, to_resource, props, {});
}

// If-Match / If-None-Match on the file's current state (folders have no entity tag).
bool conditions_hold(const http::Request& req, const storage::Item* current, bool* malformed) {
  *malformed = false;
  std::optional<std::string> tag;
  if (current) tag = etag_of(*current);
  std::optional<std::string_view> view;
  if (tag) view = *tag;
  if (auto h = header(req, field::if_match)) {
    auto c = parse_etag_condition(*h);
    if (!c) return !(*malformed = true);
    if (!if_match_holds(*c, view)) return false;
  }
  if (auto h = header(req, field::if_none_match)) {
    auto c = parse_etag_condition(*h);
    if (!c) return !(*malformed = true);
    if (!if_none_match_holds(*c, view)) return false;
  }
  return true;
}

// Every folder of the account at or below `name`, parents first.
std::vector<storage::Collection> tree(storage::ReadTxn& txn, const storage::Actor& actor, storage::PrincipalId owner,
                                      const std::string& name) {
  std::vector<storage::Collection> out;
  for (auto& c : storage::collections::list(txn, actor, owner, storage::CollectionKind::files)) {
    if (c.name == name || c.name.starts_with(name + "/")) out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name.size() < b.name.size(); });
  return out;
}

}  // namespace

std::string file_content_type(storage::ReadTxn& txn, Ctx& ctx, const Target& t) {
  for (const auto& p : storage::resources::properties(txn, ctx.actor, t.collection->id, t.member)) {
    if (p.name == k_content_type && !p.value.empty()) return p.value;
  }
  return "application/octet-stream";
}

std::vector<Target> folder_children(storage::ReadTxn& txn, Ctx& ctx, const Target& t) {
  std::vector<Target> out;
  for (const auto& c : storage::collections::list(txn, ctx.actor, t.owner->id, storage::CollectionKind::files)) {
    if (c.parent_id != t.collection->id) continue;
    Target f;
    f.kind = Kind::folder;
    f.owner = t.owner;
    f.collection = c;
    f.parent = t.collection;
    f.folder_name = c.name;
    f.path = folder_path(t.owner->email, c.name);
    f.exists = true;
    out.push_back(std::move(f));
  }
  if (storage::effective_rights(txn, ctx.actor, *t.collection) & storage::right_read) {
    for (const auto& item : storage::items::list(txn, ctx.actor, t.collection->id)) {
      Target f;
      f.kind = Kind::file;
      f.owner = t.owner;
      f.collection = t.collection;
      f.parent = t.collection;
      f.member = item.name;
      f.path = t.path + item.name;
      f.item = item;
      f.exists = true;
      out.push_back(std::move(f));
    }
  }
  return out;
}

http::Response files_put(Ctx& ctx, const Target& t) {
  if (t.kind == Kind::folder) {
    if (!t.exists) return status_response(409);
    auto res = status_response(405);
    res.set(field::allow, "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE");
    return res;
  }
  if (!t.collection || t.member.empty()) return status_response(409);
  bool malformed = false;
  auto type = std::string(header(ctx.req, field::content_type).value_or(""));
  storage::items::NewItem item;
  item.collection = t.collection->id;
  item.kind = storage::ItemKind::file;
  item.blob = ctx.store().blobs().stage(ctx.req.body());
  item.name = t.member;
  auto actor = ctx.actor;
  const auto& req = ctx.req;
  auto result = ctx.store().write([&](storage::WriteTxn& txn) {
    auto r = storage::resources::put(txn, actor, item, [&](const storage::Item* cur) {
      return conditions_hold(req, cur, &malformed);
    });
    if (r.status == storage::resources::PutStatus::created || r.status == storage::resources::PutStatus::replaced) {
      std::vector<storage::resources::Property> set;
      std::vector<std::string> remove;
      if (type.empty()) {
        remove.push_back(k_content_type);
      } else {
        set.push_back({k_content_type, "", type});
      }
      storage::resources::set_properties(txn, actor, item.collection, item.name, set, remove);
    }
    return r;
  });
  if (malformed) return status_response(400);
  if (result.status == storage::resources::PutStatus::precondition_failed) return status_response(412);
  auto res = status_response(result.status == storage::resources::PutStatus::created ? 201 : 204);
  res.set(field::etag, quote_etag(item.blob.hash.substr(0, 40)));
  return res;
}

http::Response files_delete(Ctx& ctx, const Target& t) {
  auto actor = ctx.actor;
  if (t.kind == Kind::file) {
    bool malformed = false;
    auto id = t.collection->id;
    const auto& req = ctx.req;
    auto status = ctx.store().write([&](storage::WriteTxn& txn) {
      return storage::resources::remove(txn, actor, id, t.member,
                                        [&](const storage::Item* cur) { return conditions_hold(req, cur, &malformed); });
    });
    if (malformed) return status_response(400);
    if (status == storage::resources::RemoveStatus::precondition_failed) return status_response(412);
    if (status == storage::resources::RemoveStatus::not_found) return status_response(404);
    return status_response(204);
  }
  if (t.folder_name == k_files_root) return status_response(403);  // the file area itself stays
  auto id = t.collection->id;
  ctx.store().write([&](storage::WriteTxn& txn) { storage::collections::remove(txn, actor, id); });
  return status_response(204);
}

http::Response files_mkcol(Ctx& ctx, const Target& t) {
  if (!t.parent) return status_response(409);
  std::string name = t.folder_name;
  std::string member = last_segment(name);
  if (member.size() > 255) return status_response(403);
  auto actor = ctx.actor;
  auto owner = t.owner->id;
  auto parent = t.parent->id;
  bool clash = ctx.store().read([&](storage::ReadTxn& txn) {
    return storage::items::find_by_name(txn, actor, parent, member).has_value();
  });
  if (clash) {
    auto res = status_response(405);
    res.set(field::allow, "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, COPY, MOVE");
    return res;
  }
  ctx.store().write([&](storage::WriteTxn& txn) {
    storage::collections::create(txn, actor, {owner, storage::CollectionKind::files, name, ""});
  });
  return status_response(201);
}

http::Response files_copy_move(Ctx& ctx, const Target& t, const Target& dest, bool move, bool overwrite, Depth depth) {
  if (!dest.owner || dest.owner->id != t.owner->id) return status_response(403);
  // Where the copy goes: its folder and its name there.
  std::optional<storage::Collection> dest_parent = dest.kind == Kind::file ? dest.collection : dest.parent;
  std::string dest_name = dest.kind == Kind::file ? dest.member : last_segment(dest.folder_name);
  if (dest.kind == Kind::folder && dest.folder_name == k_files_root) return status_response(403);
  if (!dest_parent) return status_response(409);
  if (dest.path == t.path) return status_response(403);
  std::string dest_folder = dest_parent->name + "/" + dest_name;
  if (t.kind == Kind::folder && (dest_folder == t.folder_name || dest_folder.starts_with(t.folder_name + "/"))) {
    return status_response(403);  // into itself
  }
  bool existed = dest.exists;
  if (existed && !overwrite) return status_response(412);
  auto actor = ctx.actor;
  auto owner = t.owner->id;
  ctx.store().write([&](storage::WriteTxn& txn) {
    // Overwrite: the destination goes first (RFC 4918 §9.8.4: a delete, then the copy).
    if (existed) {
      if (dest.kind == Kind::folder) {
        storage::collections::remove(txn, actor, dest.collection->id);
      } else {
        storage::resources::remove(txn, actor, dest.collection->id, dest.member, {});
      }
    }
    if (t.kind == Kind::file) {
      storage::items::NewItem item;
      item.collection = dest_parent->id;
      item.kind = storage::ItemKind::file;
      item.blob = t.item->blob;
      item.name = dest_name;
      storage::resources::put(txn, actor, item, {});
      copy_properties(txn, actor, t.collection->id, t.member, dest_parent->id, dest_name);
      if (move) storage::resources::remove(txn, actor, t.collection->id, t.member, {});
      return;
    }
    if (move) {
      storage::collections::rename(txn, actor, t.collection->id, dest_folder);
      return;
    }
    auto folders = tree(txn, actor, owner, t.folder_name);
    if (depth == Depth::zero) folders.resize(1);
    for (const auto& f : folders) {
      std::string name = dest_folder + f.name.substr(t.folder_name.size());
      auto made = storage::collections::create(txn, actor, {owner, storage::CollectionKind::files, name, ""});
      copy_properties(txn, actor, f.id, "", made.id, "");
      if (depth == Depth::zero) break;
      for (const auto& item : storage::items::list(txn, actor, f.id)) {
        storage::items::NewItem copy;
        copy.collection = made.id;
        copy.kind = item.kind;
        copy.blob = item.blob;
        copy.name = item.name;
        storage::resources::put(txn, actor, copy, {});
        copy_properties(txn, actor, f.id, item.name, made.id, item.name);
      }
    }
  });
  return status_response(existed ? 204 : 201);
}

}  // namespace atrium::dav::detail
