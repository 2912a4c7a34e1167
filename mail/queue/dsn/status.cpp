// Enhanced status codes: validation, mapping from SMTP replies and local failures, descriptions.
#include "mail/queue/dsn/status.hpp"

#include <array>
#include <utility>

namespace atrium::mail::queue {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// 1 to 3 digits from s[i], moving i past them; false when there are none or more than 3.
bool take_digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i > start && i - start <= 3;
}

// The leading word of an SMTP reply text, where RFC 2034 puts the enhanced code.
std::string_view first_word(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  const std::size_t end = text.find_first_of(" \t\r\n");
  return text.substr(0, end);
}

// RFC 3463 §3 titles by "subject.detail", with later registrations (RFC 4954, 6531, 7372, 7505).
constexpr std::pair<std::string_view, std::string_view> detail_titles[] = {
    {"0.0", "Other undefined status"},
    {"1.0", "Other address status"},
    {"1.1", "Bad destination mailbox address"},
    {"1.2", "Bad destination system address"},
    {"1.3", "Bad destination mailbox address syntax"},
    {"1.4", "Destination mailbox address ambiguous"},
    {"1.5", "Destination address valid"},
    {"1.6", "Destination mailbox has moved, no forwarding address"},
    {"1.7", "Bad sender's mailbox address syntax"},
    {"1.8", "Bad sender's system address"},
    {"1.10", "Recipient address has null MX"},
    {"2.0", "Other or undefined mailbox status"},
    {"2.1", "Mailbox disabled, not accepting messages"},
    {"2.2", "Mailbox full"},
    {"2.3", "Message length exceeds administrative limit"},
    {"2.4", "Mailing list expansion problem"},
    {"3.0", "Other or undefined mail system status"},
    {"3.1", "Mail system full"},
    {"3.2", "System not accepting network messages"},
    {"3.3", "System not capable of selected features"},
    {"3.4", "Message too big for system"},
    {"3.5", "System incorrectly configured"},
    {"4.0", "Other or undefined network or routing status"},
    {"4.1", "No answer from host"},
    {"4.2", "Bad connection"},
    {"4.3", "Directory server failure"},
    {"4.4", "Unable to route"},
    {"4.5", "Mail system congestion"},
    {"4.6", "Routing loop detected"},
    {"4.7", "Delivery time expired"},
    {"5.0", "Other or undefined protocol status"},
    {"5.1", "Invalid command"},
    {"5.2", "Syntax error"},
    {"5.3", "Too many recipients"},
    {"5.4", "Invalid command arguments"},
    {"5.5", "Wrong protocol version"},
    {"5.6", "Authentication exchange line is too long"},
    {"6.0", "Other or undefined media error"},
    {"6.1", "Media not supported"},
    {"6.2", "Conversion required and prohibited"},
    {"6.3", "Conversion required but not supported"},
    {"6.4", "Conversion with loss performed"},
    {"6.5", "Conversion failed"},
    {"6.7", "Non-ASCII addresses not permitted"},
    {"7.0", "Other or undefined security status"},
    {"7.1", "Delivery not authorized, message refused"},
    {"7.2", "Mailing list expansion prohibited"},
    {"7.3", "Security conversion required but not possible"},
    {"7.4", "Security features not supported"},
    {"7.5", "Cryptographic failure"},
    {"7.6", "Cryptographic algorithm not supported"},
    {"7.7", "Message integrity failure"},
    {"7.8", "Authentication credentials invalid"},
    {"7.9", "Authentication mechanism is too weak"},
    {"7.10", "Encryption needed"},
    {"7.23", "SPF validation failed"},
    {"7.26", "Multiple authentication checks failed"},
    {"7.27", "Sender address has null MX"},
};

constexpr std::array<std::string_view, 8> subject_titles{
    "Other or undefined status",      "Addressing status",          "Mailbox status",
    "Mail system status",             "Network and routing status", "Mail delivery protocol status",
    "Message content or media status", "Security or policy status"};

}  // namespace

bool is_status_code(std::string_view s) {
  if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
  std::size_t i = 2;
  if (!take_digits(s, i) || i >= s.size() || s[i] != '.') return false;
  ++i;
  return take_digits(s, i) && i == s.size();
}

std::string status_from_reply(int code, std::string_view enhanced, Permanence when_unknown) {
  const std::string_view word = first_word(enhanced);
  const bool have_enhanced = is_status_code(word);
  const int reply_class = code >= 200 && code <= 599 ? code / 100 : 0;
  if (reply_class != 2 && reply_class != 4 && reply_class != 5) {
    if (have_enhanced) return std::string(word);
    return when_unknown == Permanence::permanent ? "5.0.0" : "4.0.0";
  }
  const char cls = static_cast<char>('0' + reply_class);
  if (!have_enhanced) return std::string{cls} + ".0.0";
  std::string out(word);
  out[0] = cls;
  return out;
}

std::string_view local_failure_status(LocalFailure f) {
  switch (f) {
    case LocalFailure::domain_not_found: return "5.1.2";
    case LocalFailure::no_route: return "5.4.4";
    case LocalFailure::null_mx: return "5.1.10";
    case LocalFailure::dns_temporary: return "4.4.3";
    case LocalFailure::no_answer: return "4.4.1";
    case LocalFailure::connection_lost: return "4.4.2";
    case LocalFailure::routing_loop: return "5.4.6";
    case LocalFailure::expired: return "4.4.7";
    case LocalFailure::tls_unavailable: return "4.7.4";
    case LocalFailure::tls_not_authenticated: return "4.7.5";
    case LocalFailure::message_too_big: return "5.3.4";
    case LocalFailure::conversion_needed: return "5.6.3";
    case LocalFailure::smtputf8_unsupported: return "5.6.7";
  }
  return "4.0.0";
}

std::string_view status_description(std::string_view status) {
  if (!is_status_code(status)) return {};
  // Leading zeros are valid digits but not how the registry writes codes: "5.01.1" is 5.1.1.
  const std::size_t dot = status.find('.', 2);
  std::string_view subject = status.substr(2, dot - 2);
  std::string_view detail = status.substr(dot + 1);
  while (subject.size() > 1 && subject.front() == '0') subject.remove_prefix(1);
  while (detail.size() > 1 && detail.front() == '0') detail.remove_prefix(1);
  std::string key;
  key.append(subject).append(".").append(detail);
  for (const auto& [k, title] : detail_titles) {
    if (k == key) return title;
  }
  if (subject.size() == 1 && subject[0] >= '1' && subject[0] <= '7') return subject_titles[subject[0] - '0'];
  switch (status[0]) {
    case '2': return "Success";
    case '4': return "Persistent transient failure";
    default: return "Permanent failure";
  }
}

}  // namespace atrium::mail::queue
