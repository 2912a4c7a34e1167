// CardDAV (RFC 6352): vCard PUT validation, addressbook-query and addressbook-multiget, and the
// address-data shapes reports return. The vCard work is contacts/'s; this is the store side.
#include "contacts/output.hpp"
#include "contacts/parse.hpp"
#include "contacts/query.hpp"
#include "dav/server/detail.hpp"
#include "storage/blobs.hpp"

#include <boost/beast/http/field.hpp>

#include <algorithm>

namespace atrium::dav::detail {
namespace {

using field = beast::http::field;

contacts::TextMatch text_match(const xml::CardTextMatch& m) {
  return contacts::TextMatch{m.text, m.collation, m.match, m.negate};
}

contacts::FilterTest test_of(xml::FilterTest t) {
  return t == xml::FilterTest::allof ? contacts::FilterTest::allof : contacts::FilterTest::anyof;
}

}  // namespace

contacts::Filter card_filter(const xml::CardFilter& f) {
  contacts::Filter out;
  out.test = test_of(f.test);
  for (const auto& p : f.props) {
    contacts::PropFilter pf;
    pf.name = p.name;
    pf.test = test_of(p.test);
    pf.is_not_defined = p.is_not_defined;
    for (const auto& t : p.texts) pf.texts.push_back(text_match(t));
    for (const auto& pa : p.params) {
      contacts::ParamFilter param;
      param.name = pa.name;
      param.is_not_defined = pa.is_not_defined;
      if (pa.text) param.text = text_match(*pa.text);
      pf.params.push_back(std::move(param));
    }
    out.props.push_back(std::move(pf));
  }
  return out;
}

namespace {

std::optional<contacts::Card> parse_card(std::string_view text) {
  auto parsed = contacts::parse(text);
  if (auto* c = std::get_if<contacts::Card>(&parsed)) return std::move(*c);
  return std::nullopt;
}

std::string join_emails(const std::vector<std::string>& emails) {
  std::string out;
  for (const auto& e : emails) {
    if (!out.empty()) out += ',';
    out += e;
  }
  return out;
}

}  // namespace

std::string card_data(const std::string& stored, const xml::AddressDataRequest& request) {
  // RFC 6352 §10.4: version 3.0 unless the request names another.
  contacts::AddressDataRequest r;
  r.version = request.version == "4.0" ? contacts::Version::v4_0 : contacts::Version::v3_0;
  if (!request.all_props) {
    std::vector<contacts::PropSelector> props;
    for (const auto& p : request.props) props.push_back({p, false});
    r.props = std::move(props);
  }
  auto card = parse_card(stored);
  if (!card) return stored;  // stored before a stricter parser: give it back as it is
  if (!r.props && card->version == *r.version) return stored;
  return contacts::address_data(*card, r);
}

http::Response card_put(Ctx& ctx, const Target& t) {
  if (t.kind == Kind::addressbook) {
    auto res = status_response(405);
    res.set(field::allow, "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, REPORT");
    return res;
  }
  if (!t.collection || t.member.empty()) return status_response(409);
  auto precondition = conditions(ctx.req);
  if (!precondition) return status_response(400);
  const std::string& body = ctx.req.body();
  if (body.size() > ctx.options().max_resource_bytes) {
    return error_response(403, xml::carddav_name("max-resource-size"));
  }
  if (auto ct = header(ctx.req, field::content_type)) {
    std::string lower(*ct);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!lower.starts_with("text/vcard") && !lower.starts_with("text/x-vcard") &&
        !lower.starts_with("text/directory") && !lower.starts_with("application/octet-stream") &&
        !lower.starts_with("text/plain")) {
      return error_response(415, xml::condition::supported_address_data());
    }
  }
  contacts::ParseLimits limits;
  limits.max_bytes = ctx.options().max_resource_bytes;
  auto parsed = contacts::parse(body, limits);
  if (auto* e = std::get_if<contacts::ParseError>(&parsed)) {
    return error_response(403, xml::carddav_name(contacts::precondition(e->code)));
  }
  const auto& card = std::get<contacts::Card>(parsed);
  storage::items::NewItem item;
  item.collection = t.collection->id;
  item.kind = storage::ItemKind::card;
  item.blob = ctx.store().blobs().stage(body);
  item.name = t.member;
  item.meta = storage::CardMeta{card.uid(), card.fn().value_or(""), join_emails(card.emails())};
  auto actor = ctx.actor;
  auto result = ctx.store().write([&](storage::WriteTxn& txn) {
    return storage::resources::put(txn, actor, item, *precondition);
  });
  switch (result.status) {
    case storage::resources::PutStatus::precondition_failed: return status_response(412);
    case storage::resources::PutStatus::uid_conflict:
      return error_response(403, xml::condition::card_no_uid_conflict(),
                            {addressbook_path(t.owner->email, t.collection_name) + result.conflict});
    default: break;
  }
  auto res = status_response(result.status == storage::resources::PutStatus::created ? 201 : 204);
  res.set(field::etag, quote_etag(item.blob.hash.substr(0, 40)));
  return res;
}

http::Response addressbook_query(Ctx& ctx, const Target& t, const xml::AddressbookQuery& aq) {
  if (t.kind != Kind::addressbook) return error_response(403, xml::condition::supported_report());
  auto q = report_prop_query(aq.prop);
  auto filter = card_filter(aq.filter);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    xml::MultistatusWriter w;
    std::size_t found = 0;
    bool truncated = false;
    for (const auto& item : storage::items::list(txn, ctx.actor, t.collection->id)) {
      auto blob = storage::read_blob(txn, ctx.store().blobs(), item.blob.hash);
      if (!blob) continue;
      auto card = parse_card(*blob);
      if (!card || !contacts::matches(*card, filter)) continue;
      if (aq.limit && found >= *aq.limit) {
        truncated = true;
        break;
      }
      w.add(prop_response(txn, ctx, member_target(t, item), q, &*blob));
      ++found;
    }
    if (truncated) {
      // RFC 6352 §8.6.1: the results were limited; say so on the collection.
      xml::Response r;
      r.path = t.path;
      r.status = 507;
      r.error = xml::condition::number_of_matches_within_limits();
      w.add(r);
    }
    return multistatus_response(std::move(w).finish());
  });
}

http::Response addressbook_multiget(Ctx& ctx, const Target& t, const xml::AddressbookMultiget& mg) {
  if (t.kind != Kind::addressbook && t.kind != Kind::card) return error_response(403, xml::condition::supported_report());
  if (mg.hrefs.size() > ctx.options().max_multiget_hrefs) return status_response(413);
  auto q = report_prop_query(mg.prop);
  return ctx.store().read([&](storage::ReadTxn& txn) {
    xml::MultistatusWriter w;
    for (const auto& href : mg.hrefs) {
      auto path = decode_href(href, ctx.host);
      Target target;
      if (auto* p = std::get_if<std::string>(&path)) target = resolve(txn, ctx, *p);
      if (target.kind != Kind::card || !target.exists) {
        xml::Response r;
        r.path = target.path.empty() ? href : target.path;
        r.status = 404;
        w.add(r);
        continue;
      }
      w.add(prop_response(txn, ctx, target, q));
    }
    return multistatus_response(std::move(w).finish());
  });
}

}  // namespace atrium::dav::detail
