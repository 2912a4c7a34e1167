// Applies iMIP replies (RFC 6047) that arrive by mail: an outside attendee answers an invitation
// by mail, and the organiser's event takes the answer. It follows the store's change log (a store
// event, not a call from mail delivery): new INBOX messages whose structure holds a text/calendar
// part are read, and a METHOD:REPLY from the attendee it names goes to the scheduling agent.
#pragma once

#include "storage/notify.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

namespace atrium::server {

class ImipWatcher {
 public:
  // `cursor_file` keeps the last change-log row looked at across restarts; without it the watcher
  // starts at the newest row (history is not replayed).
  ImipWatcher(storage::Store& store, std::filesystem::path cursor_file);
  ~ImipWatcher();  // stops and joins
  ImipWatcher(const ImipWatcher&) = delete;
  ImipWatcher& operator=(const ImipWatcher&) = delete;

  void start();
  // Looks at everything logged so far (tests, and the loop itself).
  void run_once();

 private:
  void loop();
  void save_cursor();
  // Saves the cursor when calendar mail was handled (a restart must not apply a reply twice), or
  // when the last save is a minute old: moving past other mail only saves a rescan.
  void maybe_save_cursor(bool handled);

  storage::Store& store_;
  std::filesystem::path cursor_file_;
  std::int64_t cursor_ = 0;
  std::int64_t saved_cursor_ = 0;
  std::chrono::steady_clock::time_point saved_at_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  storage::NotifyHub::Subscription subscription_;
  std::thread thread_;
};

}  // namespace atrium::server
