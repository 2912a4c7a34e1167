// Fuzz entry: one POP3 command line through the parser.
#include "tests/fuzz/mail/pop3/fuzz_entries.hpp"

#include "mail/pop3/parser.hpp"

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace atrium::pop3::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "pop3 parser fuzz: %s\n", what);
  std::abort();
}

}  // namespace

int parser_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  ParseResult r = parse_command(line);
  if (const auto* c = std::get_if<Command>(&r)) {
    const Verb v = verb_of(*c);
    require(verb_from_name(verb_name(v)) == v, "verb name does not round-trip");
    require(line.size() + 2 <= max_credentials_line, "accepted a line over every limit");
    if (const auto* p = std::get_if<Pass>(c)) require(!p->password.empty(), "empty password accepted");
    if (const auto* u = std::get_if<User>(c)) {
      require(!u->name.empty() && u->name.front() != ' ' && u->name.back() != ' ', "USER name not trimmed");
    }
  } else {
    const auto& e = std::get<SyntaxError>(r);
    require(e.kind != SyntaxErrorKind::unknown_command || !e.verb, "unknown command with a verb");
  }
  return 0;
}

}  // namespace atrium::pop3::fuzz
