// Response bodies: the 207 multistatus (RFC 4918 §13, §14.16; RFC 6578 sync-token) and DAV:error
// precondition bodies (RFC 4918 §16, RFC 4791 §1.3, RFC 6352 §6.3.2.1).
#pragma once

#include "dav/xml/names.hpp"
#include "dav/xml/writer.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace atrium::dav::xml {

// A small element tree for structured property values (resourcetype, supported-report-set,
// current-user-principal's href, …).
struct Node {
  QName name;
  std::string text;              // written before the children
  std::vector<Node> children;
  std::vector<std::pair<std::string, std::string>> attributes;  // in no namespace

  friend bool operator==(const Node&, const Node&) = default;
};

// DAV:href holding `path` percent-encoded (see dav/xml/href.hpp encode_path). Pass decoded paths.
Node href_node(std::string_view decoded_path);

// A whole property element as serialised by serialise_fragment (PropertyValue::xml), e.g. a dead
// property stored at PROPPATCH time.
struct RawElement {
  std::string xml;

  friend bool operator==(const RawElement&, const RawElement&) = default;
};

struct Prop {
  QName name;
  // monostate: <name/>; string: text (calendar-data, getetag, displayname …); vector<Node>:
  // children; RawElement: written instead of the element (its own name wins).
  std::variant<std::monostate, std::string, std::vector<Node>, RawElement> value;

  static Prop empty(QName name) { return {std::move(name), std::monostate{}}; }
  static Prop text(QName name, std::string text) { return {std::move(name), std::move(text)}; }
  static Prop nodes(QName name, std::vector<Node> children) { return {std::move(name), std::move(children)}; }
  static Prop raw(QName name, std::string xml) { return {std::move(name), RawElement{std::move(xml)}}; }
};

struct PropStat {
  int status = 200;
  std::vector<Prop> props;
  std::optional<QName> error;      // DAV:error precondition for this group (e.g. 403 cannot-modify-protected-property)
  std::string description;         // DAV:responsedescription, omitted when empty
};

struct Response {
  std::string path;  // decoded absolute path; written percent-encoded
  // Whole-resource status (no propstat): sync-collection removals (404), multiget misses (404),
  // failed members of a COPY/DELETE. When set, propstats are ignored.
  std::optional<int> status;
  std::vector<PropStat> propstats;  // in order; one per status
  std::optional<QName> error;       // DAV:error on the whole response

  // Appends `p` to the propstat with `status`, creating it at the end if there is none.
  void add(int status, Prop p);
};

// Streams a multistatus: construct, add() each response, finish().
class MultistatusWriter {
 public:
  MultistatusWriter();
  void add(const Response& r);
  // The body. A sync_token (RFC 6578 §6.2) goes after the responses.
  std::string finish(std::optional<std::string_view> sync_token = std::nullopt) &&;

 private:
  XmlWriter w_;
};

// "HTTP/1.1 207 Multi-Status" etc. for the statuses DAV uses; unknown codes get an empty reason
// phrase ("HTTP/1.1 599 ").
std::string status_line(int status);

// Preconditions and postconditions the DAV modules report (DAV:error children).
namespace condition {
inline QName propfind_finite_depth() { return dav_name("propfind-finite-depth"); }
inline QName valid_sync_token() { return dav_name("valid-sync-token"); }
inline QName number_of_matches_within_limits() { return dav_name("number-of-matches-within-limits"); }
inline QName supported_report() { return dav_name("supported-report"); }
inline QName cannot_modify_protected_property() { return dav_name("cannot-modify-protected-property"); }
inline QName resource_must_be_null() { return dav_name("resource-must-be-null"); }
inline QName valid_resourcetype() { return dav_name("valid-resourcetype"); }
inline QName no_uid_conflict() { return caldav_name("no-uid-conflict"); }
inline QName supported_collation() { return caldav_name("supported-collation"); }
inline QName valid_filter() { return caldav_name("valid-filter"); }
inline QName supported_calendar_data() { return caldav_name("supported-calendar-data"); }
inline QName valid_calendar_data() { return caldav_name("valid-calendar-data"); }
inline QName calendar_collection_location_ok() { return caldav_name("calendar-collection-location-ok"); }
inline QName card_no_uid_conflict() { return carddav_name("no-uid-conflict"); }
inline QName card_supported_collation() { return carddav_name("supported-collation"); }
inline QName card_supported_filter() { return carddav_name("supported-filter"); }
inline QName supported_address_data() { return carddav_name("supported-address-data"); }
}  // namespace condition

// A DAV:error body naming `condition`, with a DAV:href child per path (decoded paths, written
// percent-encoded), e.g. C:no-uid-conflict with the href of the resource already holding the UID.
std::string write_error(const QName& condition, const std::vector<std::string>& paths = {});

// A DAV:error body holding `condition` as given (for conditions with structured content).
std::string write_error(const Node& condition);

// Writes `n` and its subtree to `w` (exposed for callers building other bodies).
void write_node(XmlWriter& w, const Node& n);

}  // namespace atrium::dav::xml
