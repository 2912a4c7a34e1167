// The structure parser: one pass over the message with a stack of active boundaries. Recursion
// follows the part tree, whose depth is bounded by StructureLimits::max_depth.
#include "mail/mime/structure.hpp"

#include "core/text/ascii.hpp"
#include "mail/mime/transfer.hpp"

#include <algorithm>
#include <cstring>

namespace atrium::mail::mime {
namespace {

constexpr std::size_t npos = std::string_view::npos;

std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out.push_back(text::ascii_lower(c));
  return out;
}

// Where a boundary line was found; line_start == npos means the end of the message.
struct Hit {
  std::size_t line_start = npos;
  std::size_t next_line = npos;
  std::size_t level = 0;  // index into the boundary stack
  bool closing = false;   // "--boundary--"

  bool at_eof() const { return line_start == npos; }
};

struct ActiveBoundary {
  std::string text;
  std::size_t owner = 0;  // the multipart part
};

class Parser {
 public:
  Parser(std::string_view message, const StructureLimits& limits)
      : msg_(message), limits_(limits), header_budget_(limits.max_total_header_bytes) {}

  Message run() {
    out_.size = msg_.size();
    out_.parts.emplace_back();
    out_.parts[0].message_root = true;
    parse_part(0, 0);
    return std::move(out_);
  }

 private:
  std::size_t line_end(std::size_t pos) const {
    const void* nl = std::memchr(msg_.data() + pos, '\n', msg_.size() - pos);
    return nl == nullptr ? msg_.size() : static_cast<std::size_t>(static_cast<const char*>(nl) - msg_.data());
  }

  std::size_t next_line(std::size_t pos) const {
    const std::size_t e = line_end(pos);
    return e < msg_.size() ? e + 1 : msg_.size();
  }

  bool boundaries_live() const { return !stack_.empty() && out_.parts.size() < limits_.max_parts; }

  // Is the line at `pos` a boundary line of an active multipart?
  std::optional<Hit> match_line(std::size_t pos) const {
    if (!boundaries_live() || pos + 2 > msg_.size() || msg_[pos] != '-' || msg_[pos + 1] != '-') {
      return std::nullopt;
    }
    const std::size_t e = line_end(pos);
    std::string_view line = msg_.substr(pos + 2, e - (pos + 2));
    if (e < msg_.size() && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool trailing_dashes = line.size() > 2 && line.substr(line.size() - 2) == "--";
    std::optional<std::size_t> best;
    for (std::size_t i = stack_.size(); i-- > 0;) {
      const std::string& b = stack_[i].text;
      if (b.size() > line.size() || line.compare(0, b.size(), b) != 0) continue;
      if (best && stack_[*best].text.size() >= b.size()) continue;
      best = i;
      // "--b--" might be b's closing line or a longer boundary "b--": an exact fit ends the search.
      if (b.size() == line.size() || (trailing_dashes && b.size() + 2 == line.size())) break;
    }
    if (!best) return std::nullopt;
    const std::size_t len = stack_[*best].text.size();
    Hit h;
    h.line_start = pos;
    h.next_line = e < msg_.size() ? e + 1 : msg_.size();
    h.level = *best;
    h.closing = line.size() >= len + 2 && line.substr(len, 2) == "--";
    return h;
  }

  Hit find_boundary(std::size_t pos) const {
    if (!boundaries_live()) return {};
    while (pos < msg_.size()) {
      if (auto h = match_line(pos)) return *h;
      pos = next_line(pos);
    }
    return {};
  }

  // Where content that runs from `from` up to `hit` ends: the line end before a boundary line
  // belongs to the boundary.
  std::size_t end_before(const Hit& hit, std::size_t from) const {
    if (hit.at_eof()) return msg_.size();
    std::size_t end = hit.line_start;
    if (end > from && msg_[end - 1] == '\n') --end;
    if (end > from && msg_[end - 1] == '\r') --end;
    return std::max(end, from);
  }

  void pop_to(std::size_t level) {
    if (stack_.size() > level) stack_.resize(level);
  }

  std::size_t add_part(std::size_t parent, std::size_t start, bool message_root) {
    const std::size_t index = out_.parts.size();
    out_.parts.emplace_back();
    Part& p = out_.parts.back();
    p.parent = parent;
    p.depth = out_.parts[parent].depth + 1;
    p.header_start = start;
    p.message_root = message_root;
    out_.parts[parent].children.push_back(index);
    return index;
  }

  bool may_open_container(std::size_t index) {
    const bool ok = out_.parts[index].depth < limits_.max_depth && out_.parts.size() < limits_.max_parts;
    if (!ok) {
      out_.parts[index].opaque = true;
      out_.truncated = true;
    }
    return ok;
  }

  void read_fields(std::size_t index, bool parent_is_multipart, bool parent_is_digest);
  Hit parse_part(std::size_t index, std::size_t start);

  std::string_view msg_;
  const StructureLimits& limits_;
  std::size_t header_budget_;
  Message out_;
  std::vector<ActiveBoundary> stack_;
};

void Parser::read_fields(std::size_t index, bool parent_is_multipart, bool parent_is_digest) {
  Part& p = out_.parts[index];
  const std::string_view header = p.header_in(msg_);
  HeaderLimits hl = limits_.header;
  hl.max_block_bytes = std::min(hl.max_block_bytes, header_budget_);
  const HeaderBlock block = read_headers(header, hl);
  header_budget_ -= std::min(header_budget_, header.size());
  p.header_truncated = block.truncated;
  if (block.truncated) out_.truncated = true;

  const auto content_type_value = first_value(block, "Content-Type");
  const bool is_mime = parent_is_multipart || content_type_value || first_value(block, "MIME-Version");
  std::optional<ContentType> ct;
  if (is_mime) {
    if (content_type_value) ct = parse_content_type(*content_type_value);
    if (auto v = first_value(block, "Content-Transfer-Encoding")) p.transfer_encoding = parse_transfer_encoding(*v);
    if (auto v = first_value(block, "Content-ID")) p.content_id = std::string(*v);
    if (auto v = first_value(block, "Content-Description")) p.description = std::string(*v);
    if (auto v = first_value(block, "Content-MD5")) p.md5 = std::string(*v);
    if (auto v = first_value(block, "Content-Location")) p.location = std::string(*v);
    if (auto v = first_value(block, "Content-Disposition")) p.disposition = parse_content_disposition(*v);
    if (auto v = first_value(block, "Content-Language")) p.language = parse_content_language(*v);
  }
  if (ct) {
    p.type = lower(ct->type);
    p.subtype = lower(ct->subtype);
    p.type_as_written = std::move(ct->type);
    p.subtype_as_written = std::move(ct->subtype);
    p.params = std::move(ct->params);
  } else if (parent_is_digest) {
    p.type = "message";
    p.subtype = "rfc822";
  }
  if (p.type == "multipart") {
    const MimeParam* b = find_param(p.params, "boundary");
    if (b == nullptr || b->value.empty()) {
      // Without a boundary nothing can be split: the body is shown as text.
      p.type = "text";
      p.subtype = "plain";
      p.type_as_written.clear();
      p.subtype_as_written.clear();
      p.params.clear();
    }
  }
}

Hit Parser::parse_part(std::size_t index, std::size_t start) {
  // The header runs to the empty line, or is cut by a boundary line of an enclosing multipart
  // (its own boundary is not active yet) or by the end of the message.
  std::size_t pos = start;
  bool header_complete = false;
  Hit hit;
  std::size_t header_end = msg_.size();
  while (pos < msg_.size()) {
    const std::size_t e = line_end(pos);
    const bool blank = e == pos || (e == pos + 1 && msg_[pos] == '\r' && e < msg_.size());
    if (blank && e < msg_.size()) {
      header_end = e + 1;
      header_complete = true;
      break;
    }
    if (auto h = match_line(pos)) {
      hit = *h;
      header_end = end_before(hit, start);
      break;
    }
    pos = next_line(pos);
  }
  {
    Part& p = out_.parts[index];
    p.header_end = header_end;
    p.body_start = header_end;
    p.body_end = header_end;
  }

  const std::optional<std::size_t> parent = out_.parts[index].parent;
  const bool parent_is_multipart = parent && out_.parts[*parent].kind == PartKind::multipart;
  const bool parent_is_digest = parent_is_multipart && out_.parts[*parent].subtype == "digest";
  read_fields(index, parent_is_multipart, parent_is_digest);

  const bool wants_multipart = out_.parts[index].type == "multipart";
  const bool wants_message = out_.parts[index].type == "message" &&
                             (out_.parts[index].subtype == "rfc822" || out_.parts[index].subtype == "global");
  const bool open_message = wants_message && may_open_container(index);
  const bool open_multipart = !open_message && wants_multipart && may_open_container(index);
  if (open_message) out_.parts[index].kind = PartKind::message;
  if (open_multipart) out_.parts[index].kind = PartKind::multipart;

  std::optional<std::size_t> own_level;
  if (open_multipart && header_complete) {
    // Active from the empty line on, so that "--b" right after it is not taken for an enclosing
    // boundary of which b is only a prefix.
    const MimeParam* b = find_param(out_.parts[index].params, "boundary");
    own_level = stack_.size();
    stack_.push_back({b->value.substr(0, max_boundary_length), index});
  }
  if (header_complete) {
    // An enclosing boundary right after the empty line: that line's line end belongs to the
    // boundary (as everywhere else), so the header ends before it and there is no body.
    if (auto h = match_line(header_end); h && h->level != own_level) {
      if (own_level) pop_to(*own_level);
      own_level.reset();
      hit = *h;
      header_end = end_before(hit, start);
      header_complete = false;
      Part& p = out_.parts[index];
      p.header_end = p.body_start = p.body_end = header_end;
    }
  }

  if (open_message) {
    const std::size_t body_start = out_.parts[index].body_start;
    const std::size_t child = add_part(index, body_start, true);
    if (header_complete) {
      hit = parse_part(child, body_start);
    } else {
      // No body at all: the encapsulated message is empty.
      Part& c = out_.parts[child];
      c.header_end = c.body_start = c.body_end = body_start;
    }
    Part& p = out_.parts[index];
    p.body_end = out_.parts[child].body_end;
  } else if (open_multipart) {
    if (own_level) {
      const std::size_t level = *own_level;
      const std::size_t body_start = out_.parts[index].body_start;
      // Where the last stretch of content began (preamble, a part, the epilogue): a line end
      // that already ended a boundary line cannot also belong to the next one.
      std::size_t segment = body_start;
      hit = find_boundary(body_start);
      for (;;) {
        if (hit.at_eof() || hit.level < level) {
          pop_to(level);
          break;
        }
        if (hit.closing) {
          // The epilogue runs to a boundary of an enclosing multipart or to the end.
          pop_to(level);
          segment = hit.next_line;
          hit = find_boundary(hit.next_line);
          break;
        }
        if (out_.parts.size() >= limits_.max_parts) {
          out_.truncated = true;
          pop_to(level);
          hit = Hit{};
          break;
        }
        segment = hit.next_line;
        const std::size_t child = add_part(index, hit.next_line, false);
        hit = parse_part(child, hit.next_line);
      }
      out_.parts[index].body_end = end_before(hit, segment);
    }
  } else if (header_complete) {
    const std::size_t body_start = out_.parts[index].body_start;
    hit = find_boundary(body_start);
    out_.parts[index].body_end = end_before(hit, body_start);
  }

  Part& p = out_.parts[index];
  const std::string_view body = p.body_in(msg_);
  p.body_octets = crlf_size(body);
  p.body_lines = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
  return hit;
}

}  // namespace

Message parse_structure(std::string_view message, const StructureLimits& limits) {
  return Parser(message, limits).run();
}

Message locate_header(std::string_view message) {
  Message m;
  m.size = message.size();
  Part root;
  root.message_root = true;
  std::size_t header_end = message.size();
  std::size_t pos = 0;
  while (pos < message.size()) {
    const void* nl = std::memchr(message.data() + pos, '\n', message.size() - pos);
    std::size_t e = nl == nullptr ? message.size() : static_cast<std::size_t>(static_cast<const char*>(nl) - message.data());
    const bool blank = e == pos || (e == pos + 1 && message[pos] == '\r' && e < message.size());
    if (blank && e < message.size()) {
      header_end = e + 1;
      break;
    }
    pos = e + 1;
  }
  root.header_end = header_end;
  root.body_start = header_end;
  root.body_end = message.size();
  m.parts.push_back(std::move(root));
  return m;
}

std::optional<std::size_t> find_part(const Message& m, const std::vector<std::uint32_t>& path) {
  if (m.parts.empty()) return std::nullopt;
  std::size_t cur = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::uint32_t n = path[i];
    if (n == 0) return std::nullopt;
    const Part& p = m.parts[cur];
    if (p.kind == PartKind::multipart) {
      if (n > p.children.size()) return std::nullopt;
      cur = p.children[n - 1];
    } else if (n != 1) {
      return std::nullopt;
    } else if (i + 1 < path.size() && p.kind != PartKind::message) {
      return std::nullopt;  // a leaf has no parts below "1"
    }
    // Going on below a message/rfc822 part means going into the encapsulated message.
    if (i + 1 < path.size() && m.parts[cur].kind == PartKind::message) cur = m.parts[cur].children.front();
  }
  return cur;
}

}  // namespace atrium::mail::mime
