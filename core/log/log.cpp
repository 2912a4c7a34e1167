// Structured key=value log lines with an RFC 3339 UTC timestamp.
#include "core/log/log.hpp"

#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>

namespace atrium::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_sink_mutex;
Sink g_sink = nullptr;
void* g_sink_ctx = nullptr;

// The output of lines not taken by a sink. Never destroyed: the background thread and the exit
// handler may use it while static objects are being torn down.
struct Output {
  std::mutex buffer_mutex;  // guards buffer, started, exiting
  std::condition_variable wake;
  std::string buffer;
  bool started = false;
  bool exiting = false;

  std::mutex write_mutex;  // held from taking the buffer to the end of its write: lines stay in order
  std::string taken;       // the buffer being written; its capacity is reused by the next swap
  int fd = 2;

  std::terminate_handler previous_terminate = nullptr;  // set once, with `started`
};
Output& out() {
  static auto* o = new Output;
  return *o;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to log to; dropping the lines is all there is to do
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Writes the buffer, then `line`; the caller holds write_mutex.
void write_buffer_locked(Output& o, std::string_view line) {
  o.taken.clear();
  {
    std::lock_guard lock(o.buffer_mutex);
    o.taken.swap(o.buffer);
  }
  o.taken += line;
  write_all(o.fd, o.taken);
}

void write_now(std::string_view line) {
  Output& o = out();
  std::lock_guard lock(o.write_mutex);
  write_buffer_locked(o, line);
}

[[noreturn]] void flusher_main() {
  ::pthread_setname_np(::pthread_self(), "atrium-log");
  Output& o = out();
  for (;;) {
    {
      std::unique_lock lock(o.buffer_mutex);
      o.wake.wait(lock, [&] { return !o.buffer.empty(); });
    }
    std::this_thread::sleep_for(flush_window);  // let the lines of the window gather
    flush();
  }
}

void flush_at_exit() {
  Output& o = out();
  {
    std::lock_guard lock(o.buffer_mutex);
    o.exiting = true;  // from here on every line is written by its caller
  }
  flush();
}

[[noreturn]] void flush_and_terminate() {
  // The lines before an abort are the ones wanted most. Only if nobody holds the locks: the
  // terminating thread may be the one holding them.
  Output& o = out();
  std::unique_lock write_lock(o.write_mutex, std::try_to_lock);
  if (write_lock.owns_lock()) {
    std::unique_lock buffer_lock(o.buffer_mutex, std::try_to_lock);
    if (buffer_lock.owns_lock()) write_all(o.fd, o.buffer);
  }
  if (o.previous_terminate) o.previous_terminate();
  std::abort();
}

// Adds a line below warn to the buffer; returns false when the caller must write it itself.
bool buffer_line(std::string_view line) {
  Output& o = out();
  std::unique_lock lock(o.buffer_mutex);
  if (o.exiting || o.buffer.size() + line.size() > buffer_limit_bytes) return false;
  if (!o.started) {
    o.started = true;
    std::thread(flusher_main).detach();
    std::atexit(flush_at_exit);
    o.previous_terminate = std::set_terminate(flush_and_terminate);
  }
  bool was_empty = o.buffer.empty();
  o.buffer += line;
  lock.unlock();
  if (was_empty) o.wake.notify_one();  // no system call unless the flusher is waiting
  return true;
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

bool is_bare(std::string_view v) {
  if (v.empty()) return false;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return false;
  }
  return true;
}

}  // namespace

void set_level(Level l) { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

bool parse_level(std::string_view text, Level& out) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == level_name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void append_value(std::string& out, std::string_view v) {
  if (is_bare(v)) {
    out += v;
    return;
  }
  out += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void set_sink(Sink sink, void* ctx) {
  std::lock_guard lock(g_sink_mutex);
  g_sink = sink;
  g_sink_ctx = ctx;
}

void write_line(Level lvl, std::string_view event, std::string_view fields) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string line = fmt::format("ts={:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z level={} event={}{}",
                                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                 tm.tm_sec, ms, level_name(lvl), event, fields);
  {
    std::lock_guard lock(g_sink_mutex);
    if (g_sink) {
      g_sink(line, g_sink_ctx);
      return;
    }
  }
  line += '\n';
  if (lvl >= Level::warn || !buffer_line(line)) write_now(line);
}

void flush() { write_now({}); }

void set_output_fd(int fd) {
  Output& o = out();
  std::lock_guard lock(o.write_mutex);
  write_buffer_locked(o, {});
  o.fd = fd;
}

}  // namespace atrium::log
