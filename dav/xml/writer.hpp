// A streaming XML writer for DAV responses: well-formed, escaped UTF-8, every namespace declared
// once on the root with fixed prefixes for the DAV family (D, C, CR, CS, ICAL) and generated ones
// (x0, x1, …) for the rest.
#pragma once

#include "dav/xml/names.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace atrium::dav::xml {

// Replaces what cannot appear in XML 1.0 text (invalid UTF-8, C0 controls other than TAB/LF/CR,
// U+FFFE/U+FFFF) with U+FFFD. Responses carry store data (calendar-data, names) that was never
// promised to be XML-clean.
std::string sanitise_xml_text(std::string_view text);

// Not thread-safe; one writer per response. Calls must nest: open/close pairs, attribute() only
// straight after open(), exactly one root element. Violations are programming errors (assert).
class XmlWriter {
 public:
  XmlWriter() = default;

  void open(const QName& name);
  // An attribute in no namespace on the element just opened.
  void attribute(std::string_view local, std::string_view value);
  // Character data, sanitised and escaped.
  void text(std::string_view text);
  // A trusted, well-formed fragment that declares every namespace it uses itself (as
  // serialise_fragment produces); written as is. Not allowed before the root is opened.
  void raw(std::string_view fragment);
  void close();

  // open + text + close; empty text gives <p:name/>.
  void leaf(const QName& name, std::string_view text = {});

  // The document: XML declaration, the root with one xmlns:p declaration per namespace used
  // anywhere (in order of first use), then the rest. All elements must be closed.
  std::string finish() &&;

 private:
  std::string_view prefix(std::string_view ns);
  void end_start_tag();

  struct Prefix {
    std::string ns;
    std::string prefix;
  };
  std::string out_;
  std::size_t root_decl_at_ = 0;  // where the root's declarations go
  std::vector<Prefix> prefixes_;
  std::vector<std::string> stack_;  // qualified names of open elements
  bool start_tag_open_ = false;
  bool root_done_ = false;
  int generated_ = 0;
};

}  // namespace atrium::dav::xml
