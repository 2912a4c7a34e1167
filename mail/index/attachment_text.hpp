// Text of attachments for the search index, through document decoders from Debian run as
// filters (pdftotext, docx2txt, odt2txt, catdoc, xls2csv): the attachment is written to a
// private temporary file, the decoder runs with CPU, memory, time and output limits, and its
// standard output is the text. A decoder that is not installed is skipped.
#pragma once

#include "core/cache/lru.hpp"
#include "core/process/run.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::mail::index {

struct Decoder {
  std::string mime_type;              // lower case, e.g. "application/pdf"
  std::vector<std::string> extensions;  // file name suffixes that stand for this type, e.g. ".pdf"
  std::vector<std::string> command;   // argv; "%f" is replaced by the input file's path
};

class AttachmentDecoders {
 public:
  AttachmentDecoders(std::vector<Decoder> decoders, std::filesystem::path tmp_dir, process::Limits limits = {})
      : AttachmentDecoders(std::move(decoders), std::move(tmp_dir), limits, 16u << 20) {}

  // PDF, OOXML and ODF text documents, legacy Word and Excel.
  static std::vector<Decoder> defaults();

  // The decoder for a part of `mime_type` (lower case) named `file_name`: by type, or by file
  // name suffix when the type says nothing (application/octet-stream).
  const Decoder* find(std::string_view mime_type, std::string_view file_name) const;

  // The text of `content` (transfer encoding already removed) as `decoder` gives it; nullopt when
  // it failed, was killed, or is not installed. Blocking. Answers are kept by the content's
  // SHA-256 (up to `cache_bytes` of text, least recently used out first): the same attachment —
  // one message delivered to a group is indexed once per member's account, a forward carries the
  // original's attachment — is decoded once. A decoder killed for its time limit is not
  // remembered. Any thread.
  std::optional<std::string> run(const Decoder& decoder, std::string_view content) const;

  // Decoder processes started so far (for tests and metrics).
  std::uint64_t runs() const { return runs_.load(); }

  // `cache_bytes`: how much decoded text is kept (16 MiB by default).
  AttachmentDecoders(std::vector<Decoder> decoders, std::filesystem::path tmp_dir, process::Limits limits,
                     std::size_t cache_bytes);

 private:
  std::optional<std::string> decode(const Decoder& decoder, std::string_view content, bool& transient) const;

  std::vector<Decoder> decoders_;
  std::filesystem::path tmp_dir_;
  process::Limits limits_;
  mutable std::atomic<std::uint64_t> runs_{0};
  // Answers by decoder type and the content's SHA-256; nullopt: the decoder failed on it.
  mutable cache::Lru<std::optional<std::string>> answers_;
};

}  // namespace atrium::mail::index
