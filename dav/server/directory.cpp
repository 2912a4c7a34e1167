// The global address list: every user, group and resource of the caller's domain as a vCard, in a
// read-only address book of the caller's home. Made from the directory on each request (a
// directory of a few thousand principals is a few milliseconds), so a change there shows at once
// and its sync token moves with it.
#include "contacts/parse.hpp"
#include "contacts/query.hpp"
#include "dav/server/detail.hpp"
#include "storage/directory.hpp"
#include "storage/profile.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace atrium::dav::detail {
namespace {

// FNV-1a, 64 bits: stable across processes and releases, which std::hash is not. Entity tags
// only need to change when the text does.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// A vCard text value: backslash, comma, semicolon and newline escaped (RFC 2426 §5).
std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == ';') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out;
}

// UUID-shaped, stable per principal: Apple clients want urn:uuid: member references.
std::string uid_of(storage::PrincipalId id) { return fmt::format("00000000-0000-4000-8000-{:012x}", id); }

std::string make_card(storage::ReadTxn& txn, const storage::Principal& p) {
  std::string name = p.display_name.empty() ? p.email : p.display_name;
  std::string family = name, given;
  if (auto sp = name.rfind(' '); sp != std::string::npos && p.kind == storage::PrincipalKind::user) {
    given = name.substr(0, sp);
    family = name.substr(sp + 1);
  }
  std::string c = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Atrium//Directory//EN\r\n";
  c += "UID:" + uid_of(p.id) + "\r\n";
  c += "FN:" + escape(name) + "\r\n";
  c += "N:" + escape(family) + ";" + escape(given) + ";;;\r\n";
  c += "EMAIL;TYPE=INTERNET,WORK:" + escape(p.email) + "\r\n";
  auto profile = storage::profile::get(txn, p.id);
  if (!profile.phone.empty()) c += "TEL;TYPE=WORK,VOICE:" + escape(profile.phone) + "\r\n";
  if (!profile.mobile.empty()) c += "TEL;TYPE=CELL:" + escape(profile.mobile) + "\r\n";
  if (!profile.title.empty()) c += "TITLE:" + escape(profile.title) + "\r\n";
  if (!profile.department.empty()) {
    // ORG is "organisation;unit": the domain stands for the organisation.
    c += "ORG:" + escape(p.email.substr(p.email.rfind('@') + 1)) + ";" + escape(profile.department) + "\r\n";
  }
  if (p.kind == storage::PrincipalKind::group) {
    c += "X-ADDRESSBOOKSERVER-KIND:group\r\n";
    for (const auto& m : storage::directory::group_members(txn, p.id)) {
      c += "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:" + uid_of(m.id) + "\r\n";
    }
  } else if (p.kind == storage::PrincipalKind::resource) {
    c += std::string("CATEGORIES:") + (p.resource_kind == storage::ResourceKind::equipment ? "Equipment" : "Room") + "\r\n";
  }
  c += "END:VCARD\r\n";
  return c;
}


}  // namespace

std::vector<DirectoryCard> directory_cards(storage::ReadTxn& txn, std::string_view caller_email) {
  std::string suffix = "@" + std::string(caller_email.substr(caller_email.rfind('@') + 1));
  std::vector<DirectoryCard> out;
  for (const auto& p : storage::directory::list_principals(txn)) {
    if (!p.email.ends_with(suffix)) continue;
    DirectoryCard card;
    card.name = std::to_string(p.id) + ".vcf";
    card.text = make_card(txn, p);
    card.etag = fmt::format("{:016x}", fnv1a(card.text));
    out.push_back(std::move(card));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string directory_token(const std::vector<DirectoryCard>& cards) {
  std::uint64_t h = fnv1a("directory");
  for (const auto& c : cards) {
    h = fnv1a(c.name, h);
    h = fnv1a(c.etag, h);
  }
  return fmt::format("{:016x}", h);
}

Target directory_card_target(const Target& directory, const DirectoryCard& card) {
  Target t;
  t.kind = Kind::directory_card;
  t.owner = directory.owner;
  t.collection_name = std::string(k_directory);
  t.member = card.name;
  t.path = addressbook_path(directory.owner->email, k_directory) + card.name;
  t.generated = card.text;
  t.generated_etag = card.etag;
  t.exists = true;
  return t;
}

http::Response directory_report(Ctx& ctx, const Target& t, const xml::Report& report) {
  if (t.kind != Kind::directory && !std::holds_alternative<xml::AddressbookMultiget>(report)) {
    return error_response(403, xml::condition::supported_report());
  }
  return ctx.store().read([&](storage::ReadTxn& txn) {
    auto cards = directory_cards(txn, ctx.caller.email);
    Target dir = t;
    dir.kind = Kind::directory;
    dir.path = addressbook_path(t.owner->email, k_directory);
    xml::MultistatusWriter w;
    if (auto* aq = std::get_if<xml::AddressbookQuery>(&report)) {
      auto q = report_prop_query(aq->prop);
      auto filter = card_filter(aq->filter);
      std::size_t found = 0;
      for (const auto& c : cards) {
        auto parsed = contacts::parse(c.text);
        auto* card = std::get_if<contacts::Card>(&parsed);
        if (!card || !contacts::matches(*card, filter)) continue;
        if (aq->limit && found >= *aq->limit) {
          xml::Response r;
          r.path = dir.path;
          r.status = 507;
          r.error = xml::condition::number_of_matches_within_limits();
          w.add(r);
          break;
        }
        w.add(prop_response(txn, ctx, directory_card_target(dir, c), q));
        ++found;
      }
      return multistatus_response(std::move(w).finish());
    }
    if (auto* mg = std::get_if<xml::AddressbookMultiget>(&report)) {
      auto q = report_prop_query(mg->prop);
      for (const auto& href : mg->hrefs) {
        auto path = decode_href(href, ctx.host);
        const DirectoryCard* hit = nullptr;
        if (auto* p = std::get_if<std::string>(&path)) {
          for (const auto& c : cards) {
            if (*p == dir.path + c.name) hit = &c;
          }
        }
        if (!hit) {
          xml::Response r;
          r.path = std::holds_alternative<std::string>(path) ? std::get<std::string>(path) : href;
          r.status = 404;
          w.add(r);
          continue;
        }
        w.add(prop_response(txn, ctx, directory_card_target(dir, *hit), q));
      }
      return multistatus_response(std::move(w).finish());
    }
    if (auto* sc = std::get_if<xml::SyncCollection>(&report)) {
      // The directory keeps no change log of its own: a client whose token is not the current
      // one is told to start over (RFC 6578 §3.2), which it does with an initial sync.
      std::string token = "http://atrium.invalid/ns/sync/directory-" + directory_token(cards);
      if (!sc->sync_token.empty() && sc->sync_token != token) {
        return error_response(403, xml::condition::valid_sync_token());
      }
      if (sc->sync_token.empty()) {
        auto q = report_prop_query(sc->prop);
        for (const auto& c : cards) w.add(prop_response(txn, ctx, directory_card_target(dir, c), q));
      }
      return multistatus_response(std::move(w).finish(token));
    }
    return error_response(403, xml::condition::supported_report());
  });
}

}  // namespace atrium::dav::detail
