// Search text extraction. Decoding work is bounded by the output limit: a part is cut to what can
// still be kept before it is decoded.
#include "mail/mime/search_text.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/address.hpp"
#include "mail/mime/charset.hpp"
#include "mail/mime/html.hpp"
#include "mail/mime/rfc2047.hpp"
#include "mail/mime/transfer.hpp"

namespace atrium::mail::mime {
namespace {

// Cuts `s` to at most `max` bytes without splitting a UTF-8 character.
void cut_utf8(std::string& s, std::size_t max) {
  if (s.size() <= max) return;
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
}

std::string format_addresses(std::string_view value) {
  std::string out;
  for (const Address& a : parse_address_list(value)) {
    std::string item;
    if (a.kind == Address::Kind::group_end) continue;
    // Built with append: GCC 12 misreports -Wrestrict on chained operator+ of temporaries.
    if (a.kind == Address::Kind::group_start) {
      item = collapse_white_space(decode_header_text(a.mailbox.value_or("")));
      item.push_back(':');
    } else {
      if (a.name) item = collapse_white_space(decode_header_text(*a.name));
      if (a.mailbox) {
        std::string addr = repair_utf8(*a.mailbox);
        if (a.domain) {
          addr.push_back('@');
          addr.append(repair_utf8(*a.domain));
        }
        if (item.empty()) {
          item = std::move(addr);
        } else {
          item.append(" <");
          item.append(addr);
          item.push_back('>');
        }
      }
    }
    if (item.empty()) continue;
    if (!out.empty()) out.append(", ");
    out.append(item);
  }
  return out;
}

class Extractor {
 public:
  Extractor(std::string_view message, const Message& parsed, const SearchTextLimits& limits)
      : msg_(message), m_(parsed), limit_(limits.max_bytes) {}

  SearchText run() {
    if (m_.parts.empty() || m_.size != msg_.size()) return {};
    headers();
    walk(0);
    return std::move(out_);
  }

 private:
  std::size_t room() const {
    const std::size_t used = out_.headers.size() + out_.body.size();
    return used >= limit_ ? 0 : limit_ - used;
  }

  void add(std::string& to, std::string text) {
    if (text.empty()) return;
    const std::size_t sep = to.empty() ? 0 : (&to == &out_.body ? 2 : 1);
    if (room() <= sep) {
      out_.truncated = true;
      return;
    }
    if (text.size() > room() - sep) {
      cut_utf8(text, room() - sep);
      out_.truncated = true;
    }
    if (sep == 2) to.append("\n\n");
    if (sep == 1) to.push_back('\n');
    to.append(text);
  }

  void headers() {
    const HeaderBlock block = read_headers(m_.root().header_in(msg_));
    static constexpr std::string_view address_fields[] = {"From", "To", "Cc", "Bcc"};
    for (auto name : address_fields) {
      std::string joined;
      for (const HeaderField& f : block.fields) {
        if (!text::iequals(f.name, name)) continue;
        std::string one = format_addresses(f.value);
        if (one.empty()) continue;
        if (!joined.empty()) joined.append(", ");
        joined.append(one);
      }
      if (!joined.empty()) {
        std::string line(name);
        line.append(": ");
        line.append(joined);
        add(out_.headers, std::move(line));
      }
    }
    if (auto subject = first_value(block, "Subject")) {
      std::string line = "Subject: ";
      line.append(collapse_white_space(decode_header_text(*subject)));
      add(out_.headers, std::move(line));
    }
  }

  static bool is_attachment(const Part& p) {
    return p.disposition && text::iequals(p.disposition->value, "attachment");
  }

  static bool is_plain(const Part& p) { return p.kind == PartKind::leaf && p.type == "text" && p.subtype == "plain"; }
  static bool is_html(const Part& p) { return p.kind == PartKind::leaf && p.type == "text" && p.subtype == "html"; }

  void walk(std::size_t index) {
    if (room() == 0) return;
    const Part& p = m_.parts[index];
    if (p.kind == PartKind::leaf) {
      if (!p.opaque && !is_attachment(p) && (is_plain(p) || is_html(p))) leaf_text(p);
      return;
    }
    if (p.kind == PartKind::multipart && p.subtype == "alternative") {
      // One alternative is enough: the first plain text, else the first HTML, else the first.
      std::optional<std::size_t> pick;
      for (std::size_t c : p.children) {
        if (is_plain(m_.parts[c])) {
          pick = c;
          break;
        }
      }
      for (std::size_t c : p.children) {
        if (!pick && is_html(m_.parts[c])) pick = c;
      }
      if (!pick && !p.children.empty()) pick = p.children.front();
      if (pick) walk(*pick);
      return;
    }
    for (std::size_t c : p.children) walk(c);
  }

  void leaf_text(const Part& p) {
    // Undecoded input more than a few times the room left cannot be kept anyway.
    std::string utf8 = decoded_part_text(msg_, p, room() * 4 + 16);
    if (is_html(p)) utf8 = html_to_text(utf8, room());
    add(out_.body, std::move(utf8));
  }

  std::string_view msg_;
  const Message& m_;
  std::size_t limit_;
  SearchText out_;
};

}  // namespace

std::string decoded_part_text(std::string_view message, const Part& part, std::size_t max_input) {
  if (part.body_end > message.size()) return {};
  const std::string_view raw = part.body_in(message).substr(0, max_input);
  const std::string decoded = decode_transfer(raw, classify_transfer_encoding(part.transfer_encoding));
  const MimeParam* charset = find_param(part.params, "charset");
  return to_utf8(decoded, charset ? std::string_view(charset->value) : std::string_view("us-ascii"));
}

SearchText extract_search_text(std::string_view message, const Message& parsed, const SearchTextLimits& limits) {
  return Extractor(message, parsed, limits).run();
}

}  // namespace atrium::mail::mime
