// Reading the ARC Sets of a message: instances, structure, seals (RFC 8617 sections 4 and 5.2).
#include "mail/auth/dkim/arc_chain.hpp"

#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/engine.hpp"
#include "mail/auth/dkim/tag_list.hpp"

#include "core/text/ascii.hpp"

namespace atrium::mail::auth::arc::detail {
namespace {

constexpr bool is_fws_char(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// 1*3DIGIT as a number; instances are 1..50, three digits are enough to see "out of range".
std::optional<int> parse_instance(std::string_view digits) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::string_view field_value(std::string_view raw) {
  const std::size_t colon = raw.find(':');
  return colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1);
}

std::optional<int> tag_instance(std::string_view raw) {
  auto parsed = dkim::parse_tag_list(field_value(raw));
  const auto* tags = std::get_if<dkim::TagList>(&parsed);
  if (tags == nullptr) return std::nullopt;
  const dkim::Tag* i = tags->find("i");
  return i != nullptr ? parse_instance(i->value) : std::nullopt;
}

enum class Kind { aar, ams, seal };

std::optional<Kind> kind_of(std::string_view name) {
  if (dkim::same_field_name(name, "ARC-Authentication-Results")) return Kind::aar;
  if (dkim::same_field_name(name, "ARC-Message-Signature")) return Kind::ams;
  if (dkim::same_field_name(name, "ARC-Seal")) return Kind::seal;
  return std::nullopt;
}

// More ARC fields than a full chain has cannot be valid; stop reading there.
constexpr std::size_t max_arc_fields = 3 * max_instance + 3;

}  // namespace

std::optional<int> aar_instance(std::string_view raw) {
  std::string_view v = field_value(raw);
  auto skip = [&v] {
    while (!v.empty() && is_fws_char(v.front())) v.remove_prefix(1);
  };
  skip();
  if (v.empty() || (v.front() != 'i' && v.front() != 'I')) return std::nullopt;
  v.remove_prefix(1);
  skip();
  if (v.empty() || v.front() != '=') return std::nullopt;
  v.remove_prefix(1);
  skip();
  std::size_t n = 0;
  while (n < v.size() && v[n] >= '0' && v[n] <= '9') ++n;
  auto instance = parse_instance(v.substr(0, n));
  v.remove_prefix(n);
  skip();
  if (!instance || v.empty() || v.front() != ';') return std::nullopt;
  return instance;
}

Seal parse_seal(std::string_view raw) {
  Seal seal;
  auto fail = [&seal](std::string why) {
    if (seal.error.empty()) seal.error = std::move(why);
  };
  auto parsed = dkim::parse_tag_list(field_value(raw));
  if (auto* error = std::get_if<dkim::TagListError>(&parsed)) {
    fail(std::string(dkim::to_string(*error)));
    return seal;
  }
  const dkim::TagList& tags = std::get<dkim::TagList>(parsed);
  for (std::string_view required : {"i", "a", "b", "cv", "d", "s"}) {
    if (tags.find(required) == nullptr) fail("no " + std::string(required) + "= tag");
  }
  if (tags.find("h") != nullptr) fail("h= is not allowed in ARC-Seal");
  if (const dkim::Tag* a = tags.find("a")) {
    auto algorithm = dkim::detail::parse_algorithm(a->value);
    if (auto* alg = std::get_if<dkim::Algorithm>(&algorithm)) {
      seal.algorithm = *alg;
    } else {
      fail("unsupported algorithm " + std::string(a->value));
    }
  }
  if (const dkim::Tag* b = tags.find("b")) {
    auto bytes = dkim::base64_decode(b->value);
    if (!bytes || bytes->empty()) fail("b= is not base64");
    if (bytes) seal.b = std::move(*bytes);
  }
  if (const dkim::Tag* cv = tags.find("cv")) {
    if (text::iequals(cv->value, "none")) {
      seal.cv = ChainStatus::none;
    } else if (text::iequals(cv->value, "pass")) {
      seal.cv = ChainStatus::pass;
    } else if (text::iequals(cv->value, "fail")) {
      seal.cv = ChainStatus::fail;
    } else {
      fail("cv= is not none, pass or fail");
    }
  }
  if (const dkim::Tag* d = tags.find("d")) {
    seal.d = std::string(d->value);
    for (char& c : seal.d) c = text::ascii_lower(c);
    if (!dkim::detail::valid_domain(seal.d)) fail("d= is not a domain name");
  }
  if (const dkim::Tag* s = tags.find("s")) {
    seal.s = std::string(s->value);
    if (!dkim::detail::valid_domain(seal.s, true)) fail("s= is not a selector");
  }
  return seal;
}

std::string seal_hash_input(const std::vector<dkim::HeaderField>& fields, std::string_view self) {
  std::string out;
  for (const dkim::HeaderField& f : fields) out += dkim::canonicalize_header(f, dkim::Canon::relaxed);
  std::string last = dkim::canonicalize_header(dkim::make_header_field(self), dkim::Canon::relaxed);
  last.resize(last.size() - 2);
  out += last;
  return out;
}

Chain read_chain(const dkim::SplitMessage& message) {
  Chain chain;
  struct Found {
    Kind kind;
    int instance;
    std::size_t index;
  };
  std::vector<Found> found;
  std::size_t arc_fields = 0;
  const auto& fields = message.fields();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto kind = kind_of(fields[i].name);
    if (!kind) continue;
    if (++arc_fields > max_arc_fields) {
      chain.structure_error = "too many ARC header fields";
      break;
    }
    auto instance = *kind == Kind::aar ? aar_instance(fields[i].raw) : tag_instance(fields[i].raw);
    if (!instance) {
      if (!chain.structure_error) chain.structure_error = "ARC header field without a valid instance";
      continue;
    }
    if (*instance < 1 || *instance > max_instance) {
      if (!chain.structure_error) chain.structure_error = "ARC instance out of range";
    }
    chain.highest = std::max(chain.highest, *instance);
    found.push_back(Found{*kind, *instance, i});
  }
  if (arc_fields == 0) return chain;
  // RFC 8617 section 5.2 step 2: a chain whose latest seal says fail is failed, whatever else.
  for (const Found& f : found) {
    if (f.kind == Kind::seal && f.instance == chain.highest && parse_seal(fields[f.index].raw).cv == ChainStatus::fail) {
      chain.latest_says_fail = true;
    }
  }
  if (chain.structure_error) return chain;

  const std::size_t n = static_cast<std::size_t>(chain.highest);
  struct Counts {
    int aar = 0, ams = 0, seal = 0;
  };
  std::vector<Counts> counts(n);
  chain.sets.assign(n, SetFields{});
  for (const Found& f : found) {
    auto& c = counts[static_cast<std::size_t>(f.instance - 1)];
    auto& s = chain.sets[static_cast<std::size_t>(f.instance - 1)];
    switch (f.kind) {
      case Kind::aar: ++c.aar; s.aar = f.index; break;
      case Kind::ams: ++c.ams; s.ams = f.index; break;
      case Kind::seal: ++c.seal; s.seal = f.index; break;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (counts[k].aar != 1 || counts[k].ams != 1 || counts[k].seal != 1) {
      chain.structure_error = "ARC set " + std::to_string(k + 1) + " is missing or duplicates a field";
      chain.sets.clear();
      return chain;
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    Seal seal = parse_seal(fields[chain.sets[k].seal].raw);
    // The latest seal may say fail; validation stops on that before looking at cv= order.
    const bool latest_fail = k + 1 == n && chain.latest_says_fail;
    if (!seal.error.empty()) {
      chain.structure_error = "ARC-Seal i=" + std::to_string(k + 1) + ": " + seal.error;
    } else if (!latest_fail && k == 0 && seal.cv != ChainStatus::none) {
      chain.structure_error = "ARC-Seal i=1 does not say cv=none";
    } else if (!latest_fail && k > 0 && seal.cv != ChainStatus::pass) {
      chain.structure_error = "ARC-Seal i=" + std::to_string(k + 1) + " does not say cv=pass";
    }
    chain.seals.push_back(std::move(seal));
    if (chain.structure_error) {
      chain.sets.clear();
      chain.seals.clear();
      return chain;
    }
  }
  return chain;
}

}  // namespace atrium::mail::auth::arc::detail
