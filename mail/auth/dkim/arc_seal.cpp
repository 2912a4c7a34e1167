// Adding an ARC Set (RFC 8617 section 5.1): ARC-Authentication-Results, ARC-Message-Signature
// and ARC-Seal for the next instance.
#include "mail/auth/dkim/arc.hpp"

#include "mail/auth/dkim/arc_chain.hpp"
#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/engine.hpp"

#include "core/text/ascii.hpp"

#include <algorithm>

namespace atrium::mail::auth::arc {
namespace {

namespace dd = dkim::detail;

constexpr std::size_t max_authres = 16 * 1024;

// Printable text, 8-bit (UTF-8) and WSP, line breaks only as CRLF followed by WSP.
bool valid_authres(std::string_view text) {
  if (text.empty() || text.size() > max_authres) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r') {
      if (i + 2 >= text.size() || text[i + 1] != '\n' || (text[i + 2] != ' ' && text[i + 2] != '\t')) return false;
      ++i;
      continue;
    }
    if (c == '\t' || c == ' ' || c >= 0x80) continue;
    if (c < 0x21 || c == 0x7F) return false;
  }
  return true;
}

// "ARC-Authentication-Results: i=N; <text>" folded at spaces when `text` is not folded already
// (a space becomes CRLF + that space, so the unfolded value is unchanged).
std::string authentication_results(int instance, std::string_view text) {
  std::string line = "ARC-Authentication-Results: i=" + std::to_string(instance) + "; ";
  if (text.find('\n') != std::string_view::npos) return line + std::string(text) + "\r\n";
  std::string out = line;
  std::size_t column = line.size();
  std::size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (first) {
      out += word;
      column += word.size();
      first = false;
    } else if (column + 1 + word.size() > dd::max_line && column > 1) {
      out += "\r\n ";
      out += word;
      column = 1 + word.size();
    } else {
      out += ' ';
      out += word;
      column += 1 + word.size();
    }
    start = end + 1;
  }
  return out + "\r\n";
}

bool names_arc_seal(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(), [](const std::string& n) { return text::iequals(n, "ARC-Seal"); });
}

}  // namespace

std::string_view to_string(SealError error) {
  switch (error) {
    case SealError::invalid_options: return "invalid ARC sealing options";
    case SealError::chain_full: return "the ARC chain already has 50 instances";
    case SealError::chain_broken: return "the existing ARC chain cannot be sealed with this status";
    case SealError::invalid_authres: return "invalid Authentication-Results text";
  }
  return "ARC sealing error";
}

std::variant<SealHeaders, SealError> arc_seal(std::string_view message, const SealOptions& options,
                                              std::string_view authres_text, ChainStatus chain_status) {
  if (!dd::valid_domain(options.domain) || !dd::valid_domain(options.selector, true) || options.timestamp < 0 ||
      names_arc_seal(options.headers) ||
      !std::all_of(options.headers.begin(), options.headers.end(), dd::valid_field_name)) {
    return SealError::invalid_options;
  }
  if (!valid_authres(authres_text)) return SealError::invalid_authres;

  const dkim::SplitMessage split(message);
  const auto& fields = split.fields();
  const detail::Chain chain = detail::read_chain(split);
  if (chain.highest >= max_instance) return SealError::chain_full;
  const int instance = chain.highest + 1;
  ChainStatus cv = ChainStatus::none;
  if (chain.highest > 0) {
    if (chain_status == ChainStatus::none) return SealError::chain_broken;
    if (chain_status == ChainStatus::pass && (chain.structure_error || chain.latest_says_fail)) {
      return SealError::chain_broken;
    }
    cv = chain_status;
  }

  SealHeaders out;
  out.instance = instance;
  const std::string i = std::to_string(instance);
  const std::string_view algorithm = dkim::to_string(options.key.algorithm());
  const std::string timestamp = std::to_string(options.timestamp);
  out.authentication_results = authentication_results(instance, authres_text);

  // The message signature, over the message as received (RFC 8617 section 4.1.2).
  std::vector<std::string> candidates = options.headers;
  if (candidates.empty()) {
    candidates = dkim::default_signed_headers();
    candidates.emplace_back("DKIM-Signature");
  }
  const auto names = dd::names_to_sign(fields, candidates);
  dd::FieldWriter ams("ARC-Message-Signature");
  ams.add("i", i);
  ams.add("a", algorithm);
  ams.add("c", "relaxed/relaxed");
  ams.add("d", options.domain);
  ams.add("s", options.selector);
  ams.add("t", timestamp);
  ams.add_list("h", names);
  ams.add("bh", dkim::base64_encode(dd::sha256(dkim::canonicalize_body(split.body(), dkim::Canon::relaxed))));
  dd::FieldWriter ams_unsigned = ams;
  ams_unsigned.add_last_base64("b", "");
  const std::string ams_input = dd::header_hash_input(fields, names, std::nullopt, dkim::Canon::relaxed, ams_unsigned.text());
  ams.add_last_base64("b", dkim::base64_encode(dd::sign_data(options.key, ams_input)));
  out.message_signature = ams.text() + "\r\n";

  // The seal, over the earlier sets unless the chain failed, then the new set.
  dd::FieldWriter seal("ARC-Seal");
  seal.add("i", i);
  seal.add("a", algorithm);
  seal.add("t", timestamp);
  seal.add("cv", to_string(cv));
  seal.add("d", options.domain);
  seal.add("s", options.selector);
  dd::FieldWriter seal_unsigned = seal;
  seal_unsigned.add_last_base64("b", "");
  std::vector<dkim::HeaderField> covered;
  if (cv == ChainStatus::pass) {
    for (const detail::SetFields& set : chain.sets) {
      covered.push_back(fields[set.aar]);
      covered.push_back(fields[set.ams]);
      covered.push_back(fields[set.seal]);
    }
  }
  // Without the CRLF that ends them: the HeaderField views exclude it, as in a parsed message.
  const std::string_view aar_text = std::string_view(out.authentication_results).substr(0, out.authentication_results.size() - 2);
  const std::string_view ams_text = std::string_view(out.message_signature).substr(0, out.message_signature.size() - 2);
  covered.push_back(dkim::make_header_field(aar_text));
  covered.push_back(dkim::make_header_field(ams_text));
  const std::string seal_input = detail::seal_hash_input(covered, seal_unsigned.text());
  seal.add_last_base64("b", dkim::base64_encode(dd::sign_data(options.key, seal_input)));
  out.seal = seal.text() + "\r\n";
  return out;
}

}  // namespace atrium::mail::auth::arc
