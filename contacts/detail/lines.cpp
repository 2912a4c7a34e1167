// Unfolding and content-line syntax (RFC 6350 §3.2-3.3, RFC 2425 §5.8.2, vCard 2.1 §2.1).
#include "contacts/detail/lines.hpp"

#include "contacts/detail/encoding.hpp"
#include "core/text/ascii.hpp"

#include <fmt/format.h>

namespace atrium::contacts::detail {
namespace {

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=';
}

bool all_base64(std::string_view s) {
  for (char c : s) {
    if (!base64_char(c)) return false;
  }
  return true;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// The logical line being built, with what 2.1 continuation needs to know about its head (the part
// before the first ':' outside quotes). The head is scanned once, however many continuations follow.
struct Building {
  std::string text;
  std::size_t scanned = 0;
  bool in_quotes = false;
  bool head_done = false;
  bool quoted_printable = false;
  bool base64 = false;

  // Only the encoding parse() decodes says how the value continues; the same word anywhere else
  // in the head (an X- parameter, a TYPE, a second ENCODING) does not.
  void classify(std::string_view head_with_colon) {
    Property p;
    std::string message;
    if (split_content_line(head_with_colon, head_with_colon.size(), p, message) != LineError::none) return;
    name_bare_params(p);
    const std::string_view encoding = transfer_encoding(p);
    quoted_printable = text::iequals(encoding, "QUOTED-PRINTABLE");
    base64 = text::iequals(encoding, "BASE64");
  }

  void scan() {
    while (!head_done && scanned < text.size()) {
      const char c = text[scanned++];
      if (c == '"') in_quotes = !in_quotes;
      if (c == ':' && !in_quotes) {
        head_done = true;
        classify(std::string_view(text.data(), scanned));
      }
    }
  }
};

// RFC 6868 parameter value escapes: ^n newline, ^^ caret, ^' double quote; others stay. Control
// characters other than tab are dropped here, before anything reads the value, so that every
// reader (the encoding decision included) sees the same value.
std::string decode_param_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) continue;
    if (v[i] == '^' && i + 1 < v.size()) {
      const char n = v[i + 1];
      if (n == 'n' || n == 'N') {
        out.push_back('\n');
        ++i;
        continue;
      }
      if (n == '^') {
        out.push_back('^');
        ++i;
        continue;
      }
      if (n == '\'') {
        out.push_back('"');
        ++i;
        continue;
      }
    }
    out.push_back(v[i]);
  }
  return out;
}

}  // namespace

std::string_view LineReader::peek(std::size_t& after) const {
  std::size_t end = pos_;
  while (end < text_.size() && text_[end] != '\r' && text_[end] != '\n') ++end;
  after = end;
  if (after < text_.size()) {
    if (text_[after] == '\r' && after + 1 < text_.size() && text_[after + 1] == '\n') {
      after += 2;
    } else {
      after += 1;
    }
  }
  return text_.substr(pos_, end - pos_);
}

LineReader::Status LineReader::next(std::string& out, std::size_t max_bytes) {
  std::size_t after = 0;
  std::string_view first;
  // Skip empty lines; a stray continuation with nothing before it starts a line of its own.
  while (true) {
    if (pos_ >= text_.size()) return Status::end;
    first = peek(after);
    pos_ = after;
    while (!first.empty() && (first.front() == ' ' || first.front() == '\t')) first.remove_prefix(1);
    if (!first.empty()) break;
  }
  if (first.size() > max_bytes) return Status::too_long;
  Building b;
  b.text.assign(first);
  while (pos_ < text_.size()) {
    std::string_view next = peek(after);
    std::string_view add;
    if (next.empty()) {
      // A blank line ends a 2.1 base64 body; elsewhere it is noise between folded parts.
      b.scan();
      if (b.base64) break;
      pos_ = after;
      continue;
    }
    if (next.front() == ' ' || next.front() == '\t') {
      add = next.substr(1);
    } else {
      b.scan();
      if (b.quoted_printable && !b.text.empty() && b.text.back() == '=') {
        b.text.pop_back();
        add = next;
      } else if (b.base64 && all_base64(next)) {
        add = next;
      } else {
        break;
      }
    }
    if (b.text.size() + add.size() > max_bytes) return Status::too_long;
    b.text.append(add);
    pos_ = after;
  }
  out = std::move(b.text);
  return Status::line;
}

LineError split_content_line(std::string_view line, std::size_t max_params, Property& out, std::string& message) {
  std::size_t i = 0;
  auto token = [&]() {
    const std::size_t start = i;
    while (i < line.size() && name_char(line[i])) ++i;
    return line.substr(start, i - start);
  };
  std::string_view name = token();
  if (i < line.size() && line[i] == '.' && !name.empty()) {
    out.group.assign(name);
    ++i;
    name = token();
  }
  if (name.empty()) {
    message = fmt::format("content line without a property name: \"{}\"", printable(line, 40));
    return LineError::syntax;
  }
  out.name = upper(name);
  std::size_t values = 0;
  while (i < line.size() && line[i] == ';') {
    ++i;
    const std::string_view pname = token();
    Parameter param;
    if (i < line.size() && line[i] == '=') {
      param.name = upper(pname);
      ++i;
    } else {
      // A bare 2.1 parameter: the token is the value; its parameter name is the caller's guess.
      if (pname.empty()) {
        message = fmt::format("{}: empty parameter", out.name);
        return LineError::syntax;
      }
      param.values.emplace_back(pname);
      if (++values > max_params) {
        message = fmt::format("{}: more than {} parameter values", out.name, max_params);
        return LineError::too_many_params;
      }
      out.params.push_back(std::move(param));
      continue;
    }
    if (param.name.empty()) {
      message = fmt::format("{}: parameter without a name", out.name);
      return LineError::syntax;
    }
    while (true) {
      std::string_view v;
      if (i < line.size() && line[i] == '"') {
        const std::size_t close = line.find('"', i + 1);
        if (close == std::string_view::npos) {
          message = fmt::format("{}: unterminated quoted value of {}", out.name, param.name);
          return LineError::syntax;
        }
        v = line.substr(i + 1, close - i - 1);
        i = close + 1;
      } else {
        const std::size_t start = i;
        while (i < line.size() && line[i] != ',' && line[i] != ';' && line[i] != ':') ++i;
        v = line.substr(start, i - start);
      }
      param.values.push_back(decode_param_value(v));
      if (++values > max_params) {
        message = fmt::format("{}: more than {} parameter values", out.name, max_params);
        return LineError::too_many_params;
      }
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    out.params.push_back(std::move(param));
  }
  if (i >= line.size() || line[i] != ':') {
    message = fmt::format("{}: expected ':' at offset {}", out.name, i);
    return LineError::syntax;
  }
  out.value.assign(line.substr(i + 1));
  return LineError::none;
}

void name_bare_params(Property& p) {
  for (Parameter& param : p.params) {
    if (!param.name.empty() || param.values.empty()) continue;
    std::string v = upper(param.values.front());
    if (v == "QUOTED-PRINTABLE" || v == "BASE64" || v == "8BIT" || v == "7BIT") {
      param.name = "ENCODING";
      param.values.front() = std::move(v);
    } else {
      param.name = "TYPE";
    }
  }
}

std::string_view transfer_encoding(const Property& p) {
  const Parameter* encoding = p.param("ENCODING");
  return (encoding && !encoding->values.empty()) ? std::string_view(encoding->values.front()) : std::string_view();
}

}  // namespace atrium::contacts::detail
