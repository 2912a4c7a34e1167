// DKIM signing keys from the store, cached.
#include "mail/queue/signer.hpp"

#include "core/log/log.hpp"
#include "mail/auth/dkim/arc.hpp"
#include "mail/auth/dkim/dkim.hpp"
#include "core/text/ascii.hpp"
#include "mail/auth/dmarc/authres.hpp"
#include "mail/auth/dmarc/from_domain.hpp"
#include "mail/mime/header.hpp"
#include "storage/mail_auth.hpp"

#include <ctime>

namespace atrium::mail::queue {

namespace dkim = auth::dkim;
namespace arc = auth::arc;

struct DkimSigner::Keys {
  std::map<std::string, dkim::SignOptions> by_domain;  // the newest key of each domain
};

DkimSigner::DkimSigner(storage::Store& store, std::chrono::seconds refresh) : store_(store), refresh_(refresh) {}
DkimSigner::~DkimSigner() = default;

std::shared_ptr<const DkimSigner::Keys> DkimSigner::keys() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (keys_ && now - loaded_ < refresh_) return keys_;
  auto rows = store_.read([](storage::ReadTxn& t) { return storage::mail_auth::dkim_keys(t, std::nullopt); });
  auto fresh = std::make_shared<Keys>();
  for (const auto& row : rows) {
    if (fresh->by_domain.count(row.domain)) continue;  // rows come newest first per domain
    auto loaded = dkim::load_private_key(row.private_key);
    if (auto* err = std::get_if<dkim::KeyError>(&loaded)) {
      log::warn("dkim.key_unusable", "domain", row.domain, "selector", row.selector, "reason", dkim::to_string(*err));
      continue;
    }
    dkim::SignOptions o{.domain = row.domain, .selector = row.selector, .key = std::get<dkim::PrivateKey>(loaded)};
    if (auto bad = dkim::validate(o)) {
      log::warn("dkim.key_unusable", "domain", row.domain, "selector", row.selector, "reason", dkim::to_string(*bad));
      continue;
    }
    fresh->by_domain.emplace(row.domain, std::move(o));
  }
  keys_ = std::move(fresh);
  loaded_ = now;
  return keys_;
}

const dkim::SignOptions* DkimSigner::key_for(const Keys& k, std::string d) {
  // The domain itself, else its closest parent with a key (relaxed DMARC alignment).
  for (;;) {
    auto it = k.by_domain.find(d);
    if (it != k.by_domain.end()) return &it->second;
    auto dot = d.find('.');
    if (dot == std::string::npos || d.find('.', dot + 1) == std::string::npos) return nullptr;
    d = d.substr(dot + 1);
  }
}

std::string DkimSigner::operator()(std::string_view message) {
  // The author's domain as DMARC will see it; mail with no or several From domains goes unsigned.
  auto from = auth::dmarc::from_domains(message);
  if (from.domains.size() != 1 || from.domains[0].empty()) return {};
  const auto& domain = from.domains[0];
  auto k = keys();
  const auto* found = key_for(*k, domain);
  if (!found) return {};
  auto options = *found;
  options.timestamp = static_cast<std::int64_t>(std::time(nullptr));
  return dkim::sign(options, message);
}

std::string DkimSigner::seal(std::string_view message, std::string_view domain, std::string_view authserv_id) {
  // Our MX's verdict: the first Authentication-Results field whose authserv-id is ours.
  auto headers = mime::read_headers(message);
  std::optional<std::string> ours;
  for (const auto& f : headers.fields) {
    if (!text::iequals(f.name, "Authentication-Results")) continue;
    auto id = auth::authserv_id_of(f.value);
    if (id && text::iequals(*id, authserv_id)) {
      ours = f.value;
      break;
    }
  }
  if (!ours) return {};
  auto k = keys();
  const auto* found = key_for(*k, text::ascii_lowered(domain));
  if (!found) return {};
  auto status = arc::ChainStatus::none;
  if (auto parsed = auth::parse_authentication_results(*ours); auto* ar = std::get_if<auth::AuthenticationResults>(&parsed)) {
    for (const auto& r : ar->results) {
      if (r.method != "arc") continue;
      status = r.result == "pass" ? arc::ChainStatus::pass : arc::ChainStatus::fail;
    }
  }
  arc::SealOptions options{found->domain, found->selector, found->key, static_cast<std::int64_t>(std::time(nullptr)), {}};
  auto sealed = arc::arc_seal(message, options, *ours, status);
  if (auto* err = std::get_if<arc::SealError>(&sealed)) {
    log::warn("arc.seal_failed", "domain", found->domain, "reason", arc::to_string(*err));
    return {};
  }
  return std::get<arc::SealHeaders>(sealed).text();
}

}  // namespace atrium::mail::queue
