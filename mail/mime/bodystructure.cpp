// BODYSTRUCTURE / BODY writer. The recursion follows the part tree, bounded by the parser's depth.
#include "mail/mime/bodystructure.hpp"

#include "mail/mime/envelope.hpp"

namespace atrium::mail::mime {
namespace {

enum class Extension { without, with };

class Writer {
 public:
  Writer(std::string_view message, const Message& parsed, const BodystructureOptions& options, Extension ext)
      : msg_(message), m_(parsed), opt_(options), ext_(ext) {}

  std::string run() {
    std::string out;
    if (m_.parts.empty() || m_.size != msg_.size()) {
      write_empty(out);
      return out;
    }
    write_part(out, 0);
    return out;
  }

 private:
  void str(std::string& out, std::string_view s) const { append_imap_string(out, s, opt_.charset); }
  void nstr(std::string& out, const std::optional<std::string>& s) const {
    append_imap_nstring(out, s, opt_.charset);
  }

  void write_empty(std::string& out) const {
    out.append("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0");
    if (ext_ == Extension::with) out.append(" NIL NIL NIL NIL");
    out.push_back(')');
  }

  void write_params(std::string& out, const std::vector<MimeParam>& params, bool default_charset) const {
    const bool add_charset = default_charset && find_param(params, "charset") == nullptr;
    if (params.empty() && !add_charset) {
      out.append("NIL");
      return;
    }
    out.push_back('(');
    bool first = true;
    for (const MimeParam& p : params) {
      if (!first) out.push_back(' ');
      first = false;
      str(out, p.name);
      out.push_back(' ');
      str(out, p.value);
    }
    if (add_charset) {
      if (!first) out.push_back(' ');
      out.append("\"charset\" \"us-ascii\"");
    }
    out.push_back(')');
  }

  // disposition, language, location: the extension data every body type shares.
  void write_common_extension(std::string& out, const Part& p) const {
    out.push_back(' ');
    if (!p.disposition) {
      out.append("NIL");
    } else {
      out.push_back('(');
      str(out, p.disposition->value);
      out.push_back(' ');
      write_params(out, p.disposition->params, false);
      out.push_back(')');
    }
    out.push_back(' ');
    if (p.language.empty()) {
      out.append("NIL");
    } else {
      out.push_back('(');
      for (std::size_t i = 0; i < p.language.size(); ++i) {
        if (i > 0) out.push_back(' ');
        str(out, p.language[i]);
      }
      out.push_back(')');
    }
    out.push_back(' ');
    nstr(out, p.location);
  }

  void write_part(std::string& out, std::size_t index) const {
    const Part& p = m_.parts[index];
    out.push_back('(');
    if (p.kind == PartKind::multipart) {
      write_multipart(out, p);
    } else {
      write_single(out, p);
    }
    out.push_back(')');
  }

  void write_multipart(std::string& out, const Part& p) const {
    if (p.children.empty()) {
      write_empty(out);
    } else {
      for (std::size_t child : p.children) write_part(out, child);
    }
    out.push_back(' ');
    str(out, p.subtype_as_written.empty() ? p.subtype : p.subtype_as_written);
    if (ext_ == Extension::without) return;
    out.push_back(' ');
    write_params(out, p.params, false);
    write_common_extension(out, p);
  }

  void write_single(std::string& out, const Part& p) const {
    const bool encapsulated =
        p.kind == PartKind::message && (p.subtype == "rfc822" || opt_.message_global_as_message);
    bool text = false;
    if (p.opaque) {
      out.append("\"application\" \"octet-stream\"");
    } else if (encapsulated && p.subtype == "rfc822") {
      out.append("\"message\" \"rfc822\"");
    } else if (p.type_as_written.empty()) {
      str(out, p.type);
      out.push_back(' ');
      str(out, p.subtype);
      text = p.type == "text";
    } else {
      str(out, p.type_as_written);
      out.push_back(' ');
      str(out, p.subtype_as_written);
      text = p.type == "text";
    }
    out.push_back(' ');
    write_params(out, p.params, text);
    out.push_back(' ');
    nstr(out, p.content_id);
    out.push_back(' ');
    nstr(out, p.description);
    out.push_back(' ');
    if (p.transfer_encoding) {
      str(out, *p.transfer_encoding);
    } else {
      out.append("\"7bit\"");
    }
    out.push_back(' ');
    out.append(std::to_string(p.body_octets));
    if (text) {
      out.push_back(' ');
      out.append(std::to_string(p.body_lines));
    } else if (encapsulated && !p.opaque && !p.children.empty()) {
      const std::size_t child = p.children.front();
      out.push_back(' ');
      out.append(imap_envelope(msg_, m_, child, EnvelopeOptions{.charset = opt_.charset}));
      out.push_back(' ');
      write_part(out, child);
      out.push_back(' ');
      out.append(std::to_string(p.body_lines));
    }
    if (ext_ == Extension::without) return;
    out.push_back(' ');
    nstr(out, p.md5);
    write_common_extension(out, p);
  }

  std::string_view msg_;
  const Message& m_;
  const BodystructureOptions& opt_;
  Extension ext_;
};

}  // namespace

std::string imap_bodystructure(std::string_view message, const Message& parsed, const BodystructureOptions& options) {
  return Writer(message, parsed, options, Extension::with).run();
}

std::string imap_body(std::string_view message, const Message& parsed, const BodystructureOptions& options) {
  return Writer(message, parsed, options, Extension::without).run();
}

}  // namespace atrium::mail::mime
