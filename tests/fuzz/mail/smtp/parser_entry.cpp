// Fuzz entry: the command parser, the path grammar and xtext.
#include "tests/fuzz/mail/smtp/fuzz_entries.hpp"

#include "mail/smtp/parser.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::smtp::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "smtp parser fuzz: %s\n", what);
  std::abort();
}

void check_path_round_trip(const Path& p, PathKind kind) {
  if (p.is_null() || p.is_postmaster()) return;
  const std::string canonical = fmt::format("<{}>", p.mailbox());
  auto again = parse_path(canonical, kind);
  // The canonical form may exceed the limits only if quoting grew it; otherwise it must parse.
  if (auto* ok = std::get_if<ParsedPath>(&again)) {
    require(ok->path.mailbox() == p.mailbox(), "canonical mailbox does not re-parse to itself");
    require(ok->length == canonical.size(), "canonical path not consumed whole");
  } else {
    require(std::get<PathError>(again) == PathError::too_long, "canonical mailbox does not parse");
  }
}

}  // namespace

int parser_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  ParseResult r = parse_command(line);
  if (const auto* cmd = std::get_if<Command>(&r)) {
    if (const auto* m = std::get_if<Mail>(cmd)) check_path_round_trip(m->reverse_path, PathKind::reverse);
    if (const auto* rc = std::get_if<Rcpt>(cmd)) check_path_round_trip(rc->forward_path, PathKind::forward);
    require(line.size() + 2 <= max_any_line, "accepted a line over every limit");
  }
  for (PathKind kind : {PathKind::reverse, PathKind::forward}) {
    auto p = parse_path(line, kind);
    if (auto* ok = std::get_if<ParsedPath>(&p)) {
      require(ok->length <= line.size() && ok->length <= max_path, "path length out of range");
      check_path_round_trip(ok->path, kind);
    }
  }
  if (auto decoded = decode_xtext(line)) {
    require(decode_xtext(encode_xtext(*decoded)) == *decoded, "xtext does not round-trip");
  }
  return 0;
}

}  // namespace atrium::smtp::fuzz
