// ARC chain validation (RFC 8617 section 5.2).
#include "mail/auth/dkim/arc.hpp"

#include "mail/auth/dkim/arc_chain.hpp"
#include "mail/auth/dkim/engine.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::mail::auth::arc {
namespace {

namespace dd = dkim::detail;

dkim::Signature read_ams(const dkim::SplitMessage& message, std::size_t index) {
  dkim::Signature ams;
  ams.raw = std::string(message.fields()[index].raw);
  ams.field_index = index;
  dd::parse_signature_field(ams.raw, dd::FieldKind::arc_message_signature, ams);
  return ams;
}

ArcResult failed(ArcResult r, std::string reason, bool temporary = false) {
  r.status = ChainStatus::fail;
  r.reason = std::move(reason);
  r.temporary = temporary;
  return r;
}

// The key for a signature or seal, or why there is none.
std::variant<dd::UsableKey, dd::Outcome> key_for(const dkim::KeyAnswers& keys, std::string_view selector,
                                                 std::string_view domain, dkim::Algorithm algorithm) {
  auto text = dd::key_from_answer(keys, dkim::key_name(selector, domain));
  if (auto* outcome = std::get_if<dd::Outcome>(&text)) return *outcome;
  auto usable = dd::usable_key(std::get<std::optional<dkim::KeyRecordText>>(text), algorithm, domain, std::nullopt);
  if (auto* outcome = std::get_if<dd::Outcome>(&usable)) return *outcome;
  return std::move(std::get<dd::UsableKey>(usable));
}

}  // namespace

std::string_view to_string(ChainStatus status) {
  switch (status) {
    case ChainStatus::none: return "none";
    case ChainStatus::pass: return "pass";
    case ChainStatus::fail: return "fail";
  }
  return "fail";
}

std::vector<std::string> arc_key_names(std::string_view message) {
  const dkim::SplitMessage split(message);
  const detail::Chain chain = detail::read_chain(split);
  std::vector<std::string> names;
  if (chain.highest == 0 || chain.structure_error || chain.latest_says_fail) return names;
  const dkim::Signature ams = read_ams(split, chain.sets.back().ams);
  if (ams.error != dkim::SignatureError::none) return names;
  auto add = [&names](std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  };
  add(dkim::key_name(ams.s, ams.d));
  for (const detail::Seal& seal : chain.seals) add(dkim::key_name(seal.s, seal.d));
  return names;
}

ArcResult arc_validate(std::string_view message, const dkim::KeyAnswers& keys, std::int64_t now) {
  const dkim::SplitMessage split(message);
  const auto& fields = split.fields();
  const detail::Chain chain = detail::read_chain(split);
  ArcResult r;
  r.highest_instance = chain.highest;
  if (chain.highest == 0 && !chain.structure_error) return r;
  for (std::size_t k = 0; k < chain.sets.size(); ++k) {
    const dkim::Signature ams = read_ams(split, chain.sets[k].ams);
    r.sets.push_back(ArcSet{
        .instance = static_cast<int>(k + 1),
        .cv = chain.seals[k].cv,
        .seal_domain = chain.seals[k].d,
        .seal_selector = chain.seals[k].s,
        .message_domain = ams.d,
        .message_selector = ams.s,
    });
  }
  if (chain.latest_says_fail) return failed(std::move(r), "the latest ARC-Seal says cv=fail");
  if (chain.structure_error) return failed(std::move(r), *chain.structure_error);

  // Step 4: the latest ARC-Message-Signature over the message as it is now.
  const std::string n_text = std::to_string(chain.highest);
  const dkim::Signature ams = read_ams(split, chain.sets.back().ams);
  if (ams.error != dkim::SignatureError::none) {
    return failed(std::move(r), "ARC-Message-Signature i=" + n_text + ": " + ams.error_detail);
  }
  const bool signs_seal = std::any_of(ams.h.begin(), ams.h.end(), [](const std::string& n) { return text::iequals(n, "ARC-Seal"); });
  if (signs_seal) return failed(std::move(r), "ARC-Message-Signature i=" + n_text + " signs ARC-Seal");
  if (ams.x && now > *ams.x) return failed(std::move(r), "ARC-Message-Signature i=" + n_text + " expired");
  auto ams_key = key_for(keys, ams.s, ams.d, *ams.algorithm);
  if (auto* outcome = std::get_if<dd::Outcome>(&ams_key)) {
    return failed(std::move(r), "ARC-Message-Signature i=" + n_text + ": " + outcome->reason,
                  outcome->kind == dkim::ResultKind::temperror);
  }
  dd::BodyHashes bodies(split.body());
  const dd::Outcome checked =
      dd::check_signature(split, bodies, ams, std::get<dd::UsableKey>(ams_key).key, ams.field_index);
  if (checked.kind != dkim::ResultKind::pass) {
    return failed(std::move(r), "ARC-Message-Signature i=" + n_text + ": " + checked.reason);
  }

  // Step 6: every seal, latest first.
  for (std::size_t k = chain.sets.size(); k-- > 0;) {
    const detail::Seal& seal = chain.seals[k];
    const std::string k_text = std::to_string(k + 1);
    auto key = key_for(keys, seal.s, seal.d, *seal.algorithm);
    if (auto* outcome = std::get_if<dd::Outcome>(&key)) {
      return failed(std::move(r), "ARC-Seal i=" + k_text + ": " + outcome->reason,
                    outcome->kind == dkim::ResultKind::temperror);
    }
    std::vector<dkim::HeaderField> covered;
    for (std::size_t j = 0; j < k; ++j) {
      covered.push_back(fields[chain.sets[j].aar]);
      covered.push_back(fields[chain.sets[j].ams]);
      covered.push_back(fields[chain.sets[j].seal]);
    }
    covered.push_back(fields[chain.sets[k].aar]);
    covered.push_back(fields[chain.sets[k].ams]);
    const std::string input = detail::seal_hash_input(covered, dd::without_b_value(fields[chain.sets[k].seal].raw));
    if (!std::get<dd::UsableKey>(key).key.verify(input, seal.b)) {
      return failed(std::move(r), "ARC-Seal i=" + k_text + " did not verify");
    }
  }
  r.status = ChainStatus::pass;
  return r;
}

}  // namespace atrium::mail::auth::arc
