// Wire names of the SMTP/LMTP verbs.
#include "mail/smtp/command.hpp"

#include <array>

namespace atrium::smtp {
namespace {

constexpr std::array<std::string_view, verb_count> names = {
    "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "HELP", "STARTTLS", "AUTH",
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view verb_name(Verb verb) { return names.at(static_cast<std::size_t>(verb)); }

std::optional<Verb> verb_from_name(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (iequals(name, names[i])) return static_cast<Verb>(i);
  }
  return std::nullopt;
}

}  // namespace atrium::smtp
