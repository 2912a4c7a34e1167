// Text of attachments for the search index, through document decoders from Debian run as
// filters (pdftotext, docx2txt, odt2txt, catdoc, xls2csv): the attachment is written to a
// private temporary file, the decoder runs with CPU, memory, time and output limits, and its
// standard output is the text. A decoder that is not installed is skipped.
#pragma once

#include "core/process/run.hpp"

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
  AttachmentDecoders(std::vector<Decoder> decoders, std::filesystem::path tmp_dir, process::Limits limits = {});

  // PDF, OOXML and ODF text documents, legacy Word and Excel.
  static std::vector<Decoder> defaults();

  // The decoder for a part of `mime_type` (lower case) named `file_name`: by type, or by file
  // name suffix when the type says nothing (application/octet-stream).
  const Decoder* find(std::string_view mime_type, std::string_view file_name) const;

  // The text of `content` (transfer encoding already removed) as `decoder` gives it; nullopt when
  // it failed, was killed, or is not installed. Blocking.
  std::optional<std::string> run(const Decoder& decoder, std::string_view content) const;

 private:
  std::vector<Decoder> decoders_;
  std::filesystem::path tmp_dir_;
  process::Limits limits_;
};

}  // namespace atrium::mail::index
