// `atrium dkim ...`: DKIM signing keys per domain. The private key goes into the store (the
// delivery worker signs with it within seconds); the TXT record to publish is printed.
#include "clients/commands.hpp"

#include "core/text/ascii.hpp"
#include "mail/auth/dkim/keys.hpp"
#include "storage/directory.hpp"
#include "storage/mail_auth.hpp"

#include <ctime>
#include <iostream>

namespace atrium::clients {
namespace {

namespace dkim = mail::auth::dkim;

struct DkimArgs {
  std::string domain;
  std::string selector = "atrium";
  std::string algorithm = "rsa";
  int bits = 2048;
};

// A zone-file line; TXT character-strings hold at most 255 octets, so long keys are split.
std::string zone_line(const storage::mail_auth::DkimKey& k) {
  std::string out = k.selector + "._domainkey." + k.domain + ". IN TXT (";
  for (std::size_t i = 0; i < k.dns_record.size(); i += 255) out += " \"" + k.dns_record.substr(i, 255) + "\"";
  return out + " )";
}

}  // namespace

void add_dkim_commands(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("dkim", "DKIM signing keys of local domains");
  cmd->require_subcommand(1);
  auto args = std::make_shared<DkimArgs>();

  auto* gen = cmd->add_subcommand("generate", "Make a signing key for DOMAIN and print the DNS record to publish");
  gen->add_option("DOMAIN", args->domain, "A local domain (`atrium domain add`)")->required();
  gen->add_option("--algorithm", args->algorithm, "rsa (rsa-sha256, default) or ed25519 (ed25519-sha256, RFC 8463)")
      ->check(CLI::IsMember({"rsa", "ed25519"}));
  gen->add_option("--selector", args->selector, "The selector (default: atrium)");
  gen->add_option("--bits", args->bits, "RSA key size (default 2048)")->check(CLI::Range(1024, 4096));
  gen->callback([&ctx, args] {
    auto store = ctx.open_store();
    auto domain = text::ascii_lowered(args->domain);
    bool local = store->read([&](storage::ReadTxn& t) { return storage::directory::find_domain(t, domain).has_value(); });
    if (!local) throw CliError("no local domain " + domain + " (add it with `atrium domain add`)");
    auto algorithm = args->algorithm == "ed25519" ? dkim::Algorithm::ed25519_sha256 : dkim::Algorithm::rsa_sha256;
    auto made = dkim::generate_key(algorithm, args->bits);
    if (auto* err = std::get_if<dkim::KeyError>(&made)) throw CliError(std::string("cannot make a key: ") + std::string(dkim::to_string(*err)));
    const auto& key = std::get<dkim::GeneratedKey>(made);
    storage::mail_auth::DkimKey row{domain, text::ascii_lowered(args->selector), std::string(dkim::to_string(algorithm)),
                                    key.private_key_pem, key.dns_txt_value, static_cast<std::int64_t>(std::time(nullptr))};
    store->write([&](storage::WriteTxn& t) { storage::mail_auth::put_dkim_key(t, row); });
    std::cout << zone_line(row) << '\n';
  });

  auto* list = cmd->add_subcommand("list", "Print every key as DOMAIN<TAB>SELECTOR<TAB>ALGORITHM<TAB>DNS RECORD");
  list->callback([&ctx] {
    auto keys = ctx.open_store()->read([](storage::ReadTxn& t) { return storage::mail_auth::dkim_keys(t, std::nullopt); });
    for (const auto& k : keys) std::cout << k.domain << '\t' << k.selector << '\t' << k.algorithm << '\t' << k.dns_record << '\n';
  });

  auto* dns = cmd->add_subcommand("dns", "Print the DNS records of DOMAIN's keys in zone-file form");
  dns->add_option("DOMAIN", args->domain)->required();
  dns->callback([&ctx, args] {
    auto domain = text::ascii_lowered(args->domain);
    auto keys = ctx.open_store()->read([&](storage::ReadTxn& t) { return storage::mail_auth::dkim_keys(t, domain); });
    if (keys.empty()) throw CliError("no DKIM key for " + domain);
    for (const auto& k : keys) std::cout << zone_line(k) << '\n';
  });

  auto* del = cmd->add_subcommand("delete", "Remove the key of DOMAIN with SELECTOR");
  del->add_option("DOMAIN", args->domain)->required();
  del->add_option("SELECTOR", args->selector)->required();
  del->callback([&ctx, args] {
    auto domain = text::ascii_lowered(args->domain);
    auto selector = text::ascii_lowered(args->selector);
    bool removed = ctx.open_store()->write(
        [&](storage::WriteTxn& t) { return storage::mail_auth::remove_dkim_key(t, domain, selector); });
    if (!removed) throw CliError("no DKIM key " + selector + " for " + domain);
    std::cout << "deleted\n";
  });
}

}  // namespace atrium::clients
