#include "mail/index/search_document.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/header.hpp"
#include "mail/mime/params.hpp"
#include "mail/mime/rfc2047.hpp"
#include "mail/mime/search_text.hpp"
#include "mail/mime/structure.hpp"
#include "mail/mime/transfer.hpp"

namespace atrium::mail::index {
namespace {

namespace mime = mail::mime;
using storage::search::Field;

constexpr std::size_t k_max_attachment_text = 256 * 1024;  // per attachment
constexpr std::size_t k_max_header_text = 256 * 1024;
constexpr std::size_t k_max_decoded_attachments = 16;
constexpr std::size_t k_max_decoder_input = 32u << 20;

bool is_attachment(const mime::Part& p) {
  return p.disposition && text::iequals(p.disposition->value, "attachment");
}

std::string file_name(const mime::Part& p) {
  const mime::MimeParam* name = nullptr;
  if (p.disposition) name = mime::find_param(p.disposition->params, "filename");
  if (!name) name = mime::find_param(p.params, "name");
  return name ? mime::decode_header_text(name->value) : std::string();
}

}  // namespace

storage::search::Document search_document(std::string_view message, const AttachmentDecoders* decoders) {
  storage::search::Document doc;
  auto parsed = mime::parse_structure(message);
  auto text = mime::extract_search_text(message, parsed);

  // SearchText::headers: one "Name: value" line per address or subject header.
  std::string_view lines = text.headers;
  while (!lines.empty()) {
    auto end = lines.find('\n');
    auto line = lines.substr(0, end);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = line.substr(0, colon);
    auto value = std::string(line.substr(colon + 1));
    if (text::iequals(name, "From")) doc.texts.emplace_back(Field::from, std::move(value));
    else if (text::iequals(name, "To")) doc.texts.emplace_back(Field::to, std::move(value));
    else if (text::iequals(name, "Cc")) doc.texts.emplace_back(Field::cc, std::move(value));
    else if (text::iequals(name, "Bcc")) doc.texts.emplace_back(Field::bcc, std::move(value));
    else if (text::iequals(name, "Subject")) doc.texts.emplace_back(Field::subject, std::move(value));
  }

  // The rest of the header, names included, decoded: TEXT searches the whole header. The values
  // of the fields above are indexed once, under their own field.
  std::string all;
  for (const auto& f : mime::read_headers(message).fields) {
    if (all.size() >= k_max_header_text) break;
    all += f.name;
    all += ": ";
    bool own_field = text::iequals(f.name, "From") || text::iequals(f.name, "To") || text::iequals(f.name, "Cc") ||
                     text::iequals(f.name, "Bcc") || text::iequals(f.name, "Subject");
    if (!own_field) all += mime::decode_header_text(f.value);
    all += '\n';
  }
  doc.texts.emplace_back(Field::header, std::move(all));
  doc.texts.emplace_back(Field::body, std::move(text.body));

  std::size_t decoded = 0;
  for (const auto& p : parsed.parts) {
    if (p.kind != mime::PartKind::leaf) continue;
    auto name = file_name(p);
    // Text attachments (extract_search_text keeps inline text parts only); documents through a
    // decoder when one is configured for their type or file name.
    if (is_attachment(p) && p.type == "text" && p.subtype != "html") {
      doc.texts.emplace_back(Field::attachment, mime::decoded_part_text(message, p, k_max_attachment_text));
    } else if (!decoders && p.type != "text" && p.body_end > p.body_start) {
      doc.partial = true;  // a decoder might have found text in it
    } else if (decoders && p.type != "text" && decoded < k_max_decoded_attachments &&
               p.body_end - p.body_start <= k_max_decoder_input) {
      if (const auto* decoder = decoders->find(p.type + "/" + p.subtype, name)) {
        ++decoded;
        auto bytes = mime::decode_transfer(p.body_in(message), mime::classify_transfer_encoding(p.transfer_encoding));
        if (auto text = decoders->run(*decoder, bytes)) doc.texts.emplace_back(Field::attachment, std::move(*text));
      }
    }
    if (!name.empty()) doc.texts.emplace_back(Field::attachment, std::move(name));
  }
  return doc;
}

std::optional<storage::search::Document> extract_for_search(storage::ItemKind kind, std::string_view content) {
  if (kind != storage::ItemKind::message) return std::nullopt;
  return search_document(content);
}

storage::search::Extractor message_extractor(std::shared_ptr<const AttachmentDecoders> decoders) {
  return [decoders = std::move(decoders)](storage::ItemKind kind,
                                          std::string_view content) -> std::optional<storage::search::Document> {
    if (kind != storage::ItemKind::message) return std::nullopt;
    return search_document(content, decoders.get());
  };
}

}  // namespace atrium::mail::index
