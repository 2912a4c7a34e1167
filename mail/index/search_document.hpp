// What the full-text index keeps of a message (storage/search): the address and subject headers
// as fields of their own, every header field for whole-text search, the text of the body parts,
// and of attachments their file names and, for text attachments, their text.
#pragma once

#include "mail/index/attachment_text.hpp"
#include "storage/search/index.hpp"

#include <memory>
#include <optional>
#include <string_view>

namespace atrium::mail::index {

// Never throws for any input; bounded by the MIME parser's limits and 1 MiB of text, plus what
// `decoders` (optional) return for up to 16 attachments of at most 32 MiB each.
storage::search::Document search_document(std::string_view message, const AttachmentDecoders* decoders = nullptr);

// The extractor the server gives the index: messages through search_document, other kinds not
// indexed (yet).
std::optional<storage::search::Document> extract_for_search(storage::ItemKind kind, std::string_view content);
storage::search::Extractor message_extractor(std::shared_ptr<const AttachmentDecoders> decoders);

}  // namespace atrium::mail::index
