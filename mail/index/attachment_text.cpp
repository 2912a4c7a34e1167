#include "mail/index/attachment_text.hpp"

#include "core/text/ascii.hpp"
#include "storage/blobs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <random>

namespace atrium::mail::index {

AttachmentDecoders::AttachmentDecoders(std::vector<Decoder> decoders, std::filesystem::path tmp_dir,
                                       process::Limits limits, std::size_t cache_bytes)
    : decoders_(std::move(decoders)),
      tmp_dir_(std::move(tmp_dir)),
      limits_(limits),
      answers_(cache_bytes, [](const std::optional<std::string>& text) { return (text ? text->size() : 0) + 64; }) {}

std::vector<Decoder> AttachmentDecoders::defaults() {
  return {
      {"application/pdf", {".pdf"}, {"pdftotext", "-q", "-nopgbrk", "-enc", "UTF-8", "%f", "-"}},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}, {"docx2txt", "%f", "-"}},
      {"application/vnd.oasis.opendocument.text", {".odt"}, {"odt2txt", "--encoding=UTF-8", "%f"}},
      {"application/msword", {".doc"}, {"catdoc", "-d", "utf-8", "%f"}},
      {"application/vnd.ms-excel", {".xls"}, {"xls2csv", "-d", "utf-8", "%f"}},
  };
}

const Decoder* AttachmentDecoders::find(std::string_view mime_type, std::string_view file_name) const {
  for (const auto& d : decoders_) {
    if (d.mime_type == mime_type) return &d;
  }
  if (mime_type != "application/octet-stream" && !mime_type.empty()) return nullptr;
  for (const auto& d : decoders_) {
    for (const auto& ext : d.extensions) {
      if (file_name.size() > ext.size() && text::iequals(file_name.substr(file_name.size() - ext.size()), ext)) return &d;
    }
  }
  return nullptr;
}

std::optional<std::string> AttachmentDecoders::run(const Decoder& decoder, std::string_view content) const {
  const std::string key = decoder.mime_type + '\n' + storage::sha256_hex(content);
  if (auto known = answers_.get(key)) return *known;
  bool transient = false;
  auto text = decode(decoder, content, transient);
  if (!transient) answers_.put(key, std::make_shared<const std::optional<std::string>>(text));
  return text;
}

std::optional<std::string> AttachmentDecoders::decode(const Decoder& decoder, std::string_view content,
                                                      bool& transient) const {
  // A private file (0600, O_EXCL) under the store's tmp folder, removed whatever happens.
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  auto path = tmp_dir_ / ("decode-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                          std::to_string(rd()));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::nullopt;
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  std::optional<process::Result> result;
  if (done == content.size()) {
    std::vector<std::string> argv = decoder.command;
    for (auto& a : argv) {
      if (a == "%f") a = path.string();
    }
    ++runs_;
    result = process::run(argv, limits_);
  }
  ::unlink(path.c_str());
  transient = !result || result->timed_out;  // !result: not started (resources): not the content's fault
  if (!result || result->timed_out || result->exit_code != 0) return std::nullopt;
  return std::move(result->output);
}

}  // namespace atrium::mail::index
