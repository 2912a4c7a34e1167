// Wire names of the SMTP/LMTP verbs.
#include "mail/smtp/command.hpp"

#include "core/text/ascii.hpp"

#include <array>

namespace atrium::smtp {
namespace {

constexpr std::array<std::string_view, verb_count> names = {
    "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "HELP", "STARTTLS", "AUTH",
};

}  // namespace

std::string_view verb_name(Verb verb) { return names.at(static_cast<std::size_t>(verb)); }

std::optional<Verb> verb_from_name(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (text::iequals(name, names[i])) return static_cast<Verb>(i);
  }
  return std::nullopt;
}

}  // namespace atrium::smtp
