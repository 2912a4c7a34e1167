// Transaction planning: envelope checks against the server's capabilities, and command lines.
#include "mail/smtp/client/transaction.hpp"

#include "mail/smtp/client/message_encoder.hpp"
#include "mail/smtp/parser.hpp"
#include "mail/smtp/path.hpp"

#include <fmt/format.h>

namespace atrium::smtp::client {

namespace {

// RFC 3461 sections 4.2 and 4.4: the longest xtext values a server has to accept.
constexpr std::size_t max_envid_xtext = 100;
constexpr std::size_t max_orcpt_xtext = 500;

enum class AddressCheck { ok_ascii, ok_utf8, invalid };

// The address must be exactly one RFC 5321 path once bracketed: this also keeps CR, LF, spaces
// and '>' (command injection) out of the command line.
AddressCheck check_address(std::string_view address, PathKind kind) {
  const std::string bracketed = fmt::format("<{}>", address);
  const auto parsed = parse_path(bracketed, kind);
  const auto* ok = std::get_if<ParsedPath>(&parsed);
  if (!ok || ok->length != bracketed.size()) return AddressCheck::invalid;
  return ok->path.has_utf8() ? AddressCheck::ok_utf8 : AddressCheck::ok_ascii;
}

// RFC 3461 section 4.2: addr-type is an atom.
bool is_atom(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_atext(c)) return false;
  }
  return true;
}

std::string notify_value(const DsnNotify& n) {
  if (n.never) return "NEVER";
  std::string out;
  auto add = [&](DsnNotify::Bits bit, std::string_view word) {
    if (!n.has(bit)) return;
    if (!out.empty()) out += ',';
    out += word;
  };
  add(DsnNotify::success, "SUCCESS");
  add(DsnNotify::failure, "FAILURE");
  add(DsnNotify::delay, "DELAY");
  return out;
}

LocalRefusal refuse(LocalReason reason, std::string text, std::optional<std::size_t> recipient = std::nullopt) {
  return LocalRefusal{.reason = reason, .text = std::move(text), .recipient = recipient};
}

}  // namespace

std::string_view to_string(LocalReason r) noexcept {
  switch (r) {
    case LocalReason::no_recipients: return "no_recipients";
    case LocalReason::invalid_sender: return "invalid_sender";
    case LocalReason::invalid_recipient: return "invalid_recipient";
    case LocalReason::smtputf8_unsupported: return "smtputf8_unsupported";
    case LocalReason::eight_bit_unsupported: return "eight_bit_unsupported";
    case LocalReason::binary_unsupported: return "binary_unsupported";
    case LocalReason::too_big: return "too_big";
  }
  return "unknown";
}

std::variant<TransactionPlan, LocalRefusal> plan_transaction(const Envelope& envelope, std::string_view message,
                                                             const Capabilities& caps, const PlanOptions& options) {
  if (envelope.recipients.empty()) return refuse(LocalReason::no_recipients, "no recipients");

  bool utf8 = envelope.smtputf8;
  if (!envelope.reverse_path.empty()) {
    const auto check = check_address(envelope.reverse_path, PathKind::reverse);
    if (check == AddressCheck::invalid) return refuse(LocalReason::invalid_sender, "invalid sender address");
    utf8 = utf8 || check == AddressCheck::ok_utf8;
  }
  for (std::size_t i = 0; i < envelope.recipients.size(); ++i) {
    const auto check = check_address(envelope.recipients[i].address, PathKind::forward);
    if (check == AddressCheck::invalid) return refuse(LocalReason::invalid_recipient, "invalid recipient address", i);
    utf8 = utf8 || check == AddressCheck::ok_utf8;
  }
  if (utf8 && !caps.smtputf8)
    return refuse(LocalReason::smtputf8_unsupported, "the message needs SMTPUTF8, which the server does not offer");

  TransactionPlan plan;
  bool eight_bit = false;
  if (envelope.body == BodyType::binary_mime) {
    if (!caps.binarymime || !caps.chunking)
      return refuse(LocalReason::binary_unsupported,
                    "the message needs BINARYMIME and CHUNKING, which the server does not offer");
    plan.binary = true;
    plan.bdat = true;
    plan.size = message.size();
  } else {
    const MessageScan scan = scan_message(message);
    plan.size = scan.size;
    if (envelope.body == BodyType::eight_bit_mime && !caps.eight_bit_mime)
      return refuse(LocalReason::eight_bit_unsupported, "the message needs 8BITMIME, which the server does not offer");
    eight_bit = caps.eight_bit_mime && (envelope.body == BodyType::eight_bit_mime || scan.eight_bit);
    plan.bdat = caps.chunking && options.use_chunking;
  }
  if (caps.size && *caps.size > 0 && plan.size > *caps.size)
    return refuse(LocalReason::too_big,
                  fmt::format("the message ({} octets) exceeds the server's limit of {} octets", plan.size, *caps.size));

  plan.mail = fmt::format("MAIL FROM:<{}>", envelope.reverse_path);
  if (caps.size) plan.mail += fmt::format(" SIZE={}", plan.size);
  if (plan.binary) {
    plan.mail += " BODY=BINARYMIME";
  } else if (eight_bit) {
    plan.mail += " BODY=8BITMIME";
  }
  if (utf8) plan.mail += " SMTPUTF8";
  if (caps.dsn) {
    if (envelope.ret) plan.mail += *envelope.ret == DsnRet::full ? " RET=FULL" : " RET=HDRS";
    if (envelope.envid) {
      const std::string xtext = encode_xtext(*envelope.envid);
      if (!xtext.empty() && xtext.size() <= max_envid_xtext) plan.mail += " ENVID=" + xtext;
    }
  }
  plan.mail += "\r\n";

  plan.rcpts.reserve(envelope.recipients.size());
  for (const Recipient& r : envelope.recipients) {
    std::string line = fmt::format("RCPT TO:<{}>", r.address);
    if (caps.dsn) {
      if (r.notify && (r.notify->never || r.notify->bits != 0)) line += " NOTIFY=" + notify_value(*r.notify);
      if (r.orcpt && is_atom(r.orcpt->addr_type) && !r.orcpt->address.empty()) {
        const std::string value = r.orcpt->addr_type + ";" + encode_xtext(r.orcpt->address);
        if (value.size() <= max_orcpt_xtext) line += " ORCPT=" + value;
      }
    }
    line += "\r\n";
    plan.rcpts.push_back(std::move(line));
  }
  return plan;
}

}  // namespace atrium::smtp::client
