// Structured logging: one line per event, `key=value` pairs, written whole to stderr.
// Secrets must never be passed as values; there is no place for them here.
//
// Lines below warn are collected in a buffer and written by a background thread, at most
// `flush_window` after the first of them, in one write for all of them: a busy server logs several
// lines per message and would otherwise pay a system call for each on its I/O threads. A line at
// warn or error is written before write_line returns, together with everything before it, and
// so is everything at process exit. A process killed outright loses at most the last window.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace atrium::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

// Sets the lowest level written. Thread-safe; takes effect for the next line.
void set_level(Level level);
Level level();
// Parses "debug", "info", "warn", "error"; returns false and leaves `out` alone otherwise.
bool parse_level(std::string_view text, Level& out);

// Appends `value` to `out` as a log value: bare when it is a plain token, otherwise double-quoted
// with `"` `\` and control characters escaped, so each line splits unambiguously into pairs.
void append_value(std::string& out, std::string_view value);

// How long a buffered line may wait before the background thread writes it.
inline constexpr std::chrono::milliseconds flush_window{10};
// The buffer's size at which a line is written by its caller instead (the output is not keeping
// up, e.g. a blocked pipe): memory stays bounded and the loggers feel the back-pressure.
inline constexpr std::size_t buffer_limit_bytes = 1 << 20;

// Writes one finished line (no newline) to the sink. Exposed for tests that capture output.
void write_line(Level level, std::string_view event, std::string_view fields);

// Writes every buffered line now. Called at exit; tests call it before reading the output.
void flush();

// Replaces the output file descriptor (default 2, stderr). Intended for tests; flushes first.
void set_output_fd(int fd);

// Replaces the sink (default: stderr). The callback must be thread-safe. Passing an empty
// function restores stderr. Intended for tests.
using Sink = void (*)(std::string_view line, void* ctx);
void set_sink(Sink sink, void* ctx);

namespace detail {
inline void append_fields(std::string&) {}
template <class V, class... Rest>
void append_fields(std::string& out, std::string_view key, const V& value, const Rest&... rest) {
  out += ' ';
  out += key;
  out += '=';
  if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    append_value(out, std::string_view(value));
  } else {
    append_value(out, fmt::format("{}", value));
  }
  append_fields(out, rest...);
}
}  // namespace detail

// log::info("listener.start", "proto", "imap", "addr", "127.0.0.1:143");
// Keys and values alternate; keys are string literals in snake_case.
template <class... KV>
void emit(Level lvl, std::string_view event, const KV&... kv) {
  static_assert(sizeof...(KV) % 2 == 0, "log fields come in key/value pairs");
  if (lvl < level()) return;
  std::string fields;
  detail::append_fields(fields, kv...);
  write_line(lvl, event, fields);
}
template <class... KV> void debug(std::string_view e, const KV&... kv) { emit(Level::debug, e, kv...); }
template <class... KV> void info(std::string_view e, const KV&... kv) { emit(Level::info, e, kv...); }
template <class... KV> void warn(std::string_view e, const KV&... kv) { emit(Level::warn, e, kv...); }
template <class... KV> void error(std::string_view e, const KV&... kv) { emit(Level::error, e, kv...); }

}  // namespace atrium::log
