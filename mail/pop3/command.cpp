// Wire names of the POP3 verbs.
#include "mail/pop3/command.hpp"

#include "core/text/ascii.hpp"

#include <array>

namespace atrium::pop3 {
namespace {

constexpr std::array<std::string_view, verb_count> names = {
    "USER", "PASS", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS", "AUTH",
};

}  // namespace

std::string_view verb_name(Verb verb) { return names.at(static_cast<std::size_t>(verb)); }

std::optional<Verb> verb_from_name(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (text::iequals(name, names[i])) return static_cast<Verb>(i);
  }
  return std::nullopt;
}

}  // namespace atrium::pop3
