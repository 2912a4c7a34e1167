#include "server/imip_watcher.hpp"

#include "calendar/agent/agent.hpp"
#include "core/log/log.hpp"
#include "mail/mime/address.hpp"
#include "mail/mime/header.hpp"
#include "mail/mime/search_text.hpp"
#include "mail/mime/structure.hpp"
#include "storage/messages.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <fstream>

namespace atrium::server {
namespace {

namespace mime = mail::mime;

// The lower-cased address of the message's From, or "" when there is not exactly one.
std::string from_address(std::string_view message) {
  auto headers = mime::read_headers(message);
  auto from = mime::first_value(headers, "From");
  if (!from) return {};
  std::string out;
  for (const auto& a : mime::parse_address_list(*from)) {
    if (a.kind != mime::Address::Kind::mailbox || !a.mailbox || !a.domain) continue;
    if (!out.empty()) return {};
    out = *a.mailbox + "@" + *a.domain;
  }
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The text of each text/calendar part that carries METHOD:REPLY (by parameter or content).
std::vector<std::string> replies_in(std::string_view message) {
  std::vector<std::string> out;
  auto parsed = mime::parse_structure(message);
  for (const auto& part : parsed.parts) {
    if (part.kind != mime::PartKind::leaf || part.type != "text" || part.subtype != "calendar") continue;
    auto text = mime::decoded_part_text(message, part, 1 << 20);
    if (text.find("METHOD:REPLY") == std::string::npos) continue;
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace

ImipWatcher::ImipWatcher(storage::Store& store, std::filesystem::path cursor_file)
    : store_(store), cursor_file_(std::move(cursor_file)) {
  std::ifstream in(cursor_file_);
  if (in >> cursor_) {
    saved_cursor_ = cursor_;
    saved_at_ = std::chrono::steady_clock::now();
  } else {
    cursor_ = store_.read([](storage::ReadTxn& txn) { return storage::messages::last_change_id(txn); });
    save_cursor();
  }
}

ImipWatcher::~ImipWatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  subscription_ = {};
  if (thread_.joinable()) thread_.join();
  if (cursor_ != saved_cursor_) save_cursor();
}

void ImipWatcher::start() {
  subscription_ = store_.notify().subscribe(0, [this](const storage::Notification&) {
    // Only the first notification since the last look wakes the thread: the writer publishes
    // every delivery of a burst, and a wake-up per delivery cost both threads a context switch.
    {
      std::lock_guard lock(mutex_);
      if (pending_) return;
      pending_ = true;
    }
    wake_.notify_one();
  });
  thread_ = std::thread([this] { loop(); });
}

void ImipWatcher::loop() {
  ::pthread_setname_np(::pthread_self(), "imip");  // for top -H, perf and gdb
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(30), [this] { return pending_ || stopping_; });
      if (stopping_) return;
      pending_ = false;
    }
    try {
      run_once();
    } catch (const std::exception& e) {
      log::warn("imip.failed", "reason", e.what());
    }
    // Deliveries come in bursts: one look a moment after the first covers the ones that follow.
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_; });
  }
}

void ImipWatcher::run_once() {
  for (;;) {
    struct Batch {
      std::vector<storage::messages::CalendarMail> mail;
      std::int64_t last = 0;
    };
    auto batch = store_.read([&](storage::ReadTxn& txn) {
      Batch b;
      b.mail = storage::messages::calendar_mail_after(txn, cursor_, 100);
      b.last = storage::messages::last_change_id(txn);
      return b;
    });
    const bool handled = !batch.mail.empty();
    for (const auto& m : batch.mail) {
      auto content = store_.read_blob(m.blob_hash);
      if (!content) continue;
      auto sender = from_address(*content);
      if (sender.empty()) continue;
      for (const auto& reply : replies_in(*content)) {
        bool applied = store_.write([&](storage::WriteTxn& txn) {
          return calendar::agent::reply_received(txn, store_, m.account, sender, reply);
        });
        log::info(applied ? "imip.reply_applied" : "imip.reply_ignored", "account", m.account, "from", sender);
      }
      cursor_ = m.change_id;
    }
    if (batch.mail.size() < 100) {
      cursor_ = std::max(cursor_, batch.last);
      maybe_save_cursor(handled);
      return;
    }
    save_cursor();
  }
}

void ImipWatcher::maybe_save_cursor(bool handled) {
  if (cursor_ == saved_cursor_) return;
  if (handled || std::chrono::steady_clock::now() - saved_at_ >= std::chrono::minutes(1)) save_cursor();
}

void ImipWatcher::save_cursor() {
  auto tmp = cursor_file_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << cursor_ << '\n';
  }
  std::error_code ec;
  std::filesystem::rename(tmp, cursor_file_, ec);
  saved_cursor_ = cursor_;
  saved_at_ = std::chrono::steady_clock::now();
}

}  // namespace atrium::server
