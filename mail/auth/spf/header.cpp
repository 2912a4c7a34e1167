// SPF results as header text: the spf= resinfo of Authentication-Results (RFC 8601 §2.7.2) and
// the Received-SPF field (RFC 7208 §9.1). Everything from the request or DNS is quoted or escaped
// so that no value can break out of its field.
#include "mail/auth/spf/spf.hpp"

#include <algorithm>
#include <string_view>

namespace atrium::mail::auth::spf {
namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// RFC 5322 atext.
bool is_atext(char c) { return is_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos; }

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// A quoted-string with '"' and '\' escaped; bytes outside printable ASCII become '?'.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c >= 0x20 && c <= 0x7E) ? c : '?';
  }
  return out + "\"";
}

std::string dot_atom_or_quoted(std::string_view s) { return is_dot_atom(s) ? std::string(s) : quoted(s); }

// RFC 2045 token characters, the plain form of an RFC 8601 value.
bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return c > 0x20 && c < 0x7F && std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
  });
}

// Comment text: '(' ')' '\' as quoted-pairs, bytes outside printable ASCII as '?'.
std::string comment_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += (c >= 0x20 && c <= 0x7E) ? c : '?';
  }
  return out;
}

std::string comment_for(const Result& r, const Request& q, std::string_view receiver) {
  const std::string who = r.identity == Identity::helo ? r.domain : r.sender;
  std::string text = std::string(receiver) + ": ";
  switch (r.outcome) {
    case Outcome::pass:
      return text + "domain of " + who + " designates " + q.client_ip + " as permitted sender";
    case Outcome::fail:
      return text + "domain of " + who + " does not designate " + q.client_ip + " as permitted sender";
    case Outcome::softfail:
      return text + "domain of transitioning " + who + " does not designate " + q.client_ip + " as permitted sender";
    case Outcome::neutral:
      return text + q.client_ip + " is neither permitted nor denied by domain of " + who;
    case Outcome::none:
      return text + "domain of " + who + " does not designate permitted sender hosts";
    case Outcome::temperror:
      return text + "temporary error in processing during lookup of " + who;
    case Outcome::permerror:
      return text + "permanent error in processing domain of " + who;
  }
  return text;
}

}  // namespace

std::string authentication_results(const Result& result) {
  std::string out = "spf=" + std::string(to_string(result.outcome));
  out += result.identity == Identity::helo ? " smtp.helo=" : " smtp.mailfrom=";
  out += is_token(result.domain) ? result.domain : quoted(result.domain);
  return out;
}

std::string received_spf_header(const Result& result, const Request& request) {
  const std::string receiver = request.receiver.empty() ? "unknown" : request.receiver;
  std::string out = "Received-SPF: " + std::string(to_string(result.outcome));
  out += " (" + comment_text(comment_for(result, request, receiver)) + ")";
  out += " client-ip=" + dot_atom_or_quoted(request.client_ip) + ";";
  if (result.identity == Identity::mailfrom) out += " envelope-from=" + quoted(result.sender) + ";";
  out += " helo=" + dot_atom_or_quoted(request.helo) + ";";
  out += " receiver=" + dot_atom_or_quoted(receiver) + ";";
  if (!result.mechanism.empty()) out += " mechanism=" + dot_atom_or_quoted(result.mechanism) + ";";
  if (result.outcome == Outcome::temperror || result.outcome == Outcome::permerror) {
    out += " problem=" + quoted(result.reason) + ";";
  }
  out += " identity=";
  out += result.identity == Identity::helo ? "helo" : "mailfrom";
  return out;
}

}  // namespace atrium::mail::auth::spf
