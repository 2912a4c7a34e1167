// Message metadata for the store, from the message's header (and later its MIME structure).
#include "mail/index/message_meta.hpp"

#include "mail/mime/bodystructure.hpp"
#include "mail/mime/envelope.hpp"
#include "mail/mime/header.hpp"
#include "mail/mime/structure.hpp"
#include "mail/mime/thread.hpp"

#include <algorithm>

namespace atrium::mail::index {

std::string metadata_text(std::string_view in, std::size_t max) {
  std::string out;
  std::size_t i = 0;
  while (i < in.size() && out.size() < max) {
    auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
    bool ok = len > 0 && c < 0xf5 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xc0) == 0x80;
    // Overlong three/four-octet forms and surrogates.
    if (ok && len == 3) {
      auto c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
    }
    if (ok && len == 4) {
      auto c1 = static_cast<unsigned char>(in[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok && out.size() + len <= max) {
      out.append(in.substr(i, len));
      i += len;
    } else if (ok) {
      break;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD for a byte that starts no valid sequence
      ++i;
    }
  }
  return out;
}

namespace {

std::vector<std::string> thread_keys(const mime::HeaderBlock& headers) {
  // A References chain of a long mailing-list thread can hold hundreds of ids; its first (the
  // thread's root) and its last ones (the closest ancestors) are what joins a thread.
  constexpr std::size_t k_max_references = 30;
  constexpr std::size_t k_max_id = 250;
  std::vector<std::string> keys;
  auto add = [&](std::string id) {
    if (id.empty() || id.size() > k_max_id || metadata_text(id, id.size()) != id) return;
    if (std::find(keys.begin(), keys.end(), id) == keys.end()) keys.push_back(std::move(id));
  };
  if (auto v = mime::first_value(headers, "Message-ID")) add(mime::parse_message_id(*v).value_or(""));
  if (auto v = mime::first_value(headers, "In-Reply-To")) add(mime::parse_message_id(*v).value_or(""));
  if (auto v = mime::first_value(headers, "References")) {
    auto refs = mime::parse_message_ids(*v);
    if (!refs.empty()) add(refs.front());
    std::size_t from = refs.size() > k_max_references ? refs.size() - k_max_references : 1;
    for (std::size_t i = refs.size(); i-- > from;) add(std::move(refs[i]));  // nearest ancestor first
  }
  return keys;
}

}  // namespace

storage::MessageMeta message_meta(std::string_view message) {
  auto headers = mime::read_headers(message);
  storage::MessageMeta meta;
  if (auto id = mime::first_value(headers, "Message-ID")) meta.message_id = metadata_text(*id, 998);
  if (auto subject = mime::first_value(headers, "Subject")) meta.subject = metadata_text(*subject, 998);
  meta.thread_keys = thread_keys(headers);
  // ENVELOPE and BODYSTRUCTURE in their 7-bit form (8-bit text as literals), what IMAP4rev1
  // clients get; sessions with UTF8=ACCEPT build theirs from the message. Cached only when the
  // result is safe for a text column: valid UTF-8 (it is 7-bit with literals carrying the rest).
  auto parsed = mime::parse_structure(message);
  std::string envelope = mime::imap_envelope(message, parsed);
  std::string structure = mime::imap_bodystructure(message, parsed);
  if (metadata_text(envelope, envelope.size()) == envelope) meta.envelope = std::move(envelope);
  if (metadata_text(structure, structure.size()) == structure) meta.bodystructure = std::move(structure);
  return meta;
}

}  // namespace atrium::mail::index
