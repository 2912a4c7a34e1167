// Qualified XML names and the namespaces DAV speaks. Every element of a parsed request and of a
// written response is named by (namespace URI, local name); prefixes never leave this layer.
#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace atrium::dav::xml {

namespace ns {
inline constexpr std::string_view dav = "DAV:";
inline constexpr std::string_view caldav = "urn:ietf:params:xml:ns:caldav";
inline constexpr std::string_view carddav = "urn:ietf:params:xml:ns:carddav";
inline constexpr std::string_view calendarserver = "http://calendarserver.org/ns/";
inline constexpr std::string_view apple_ical = "http://apple.com/ns/ical/";
inline constexpr std::string_view xml = "http://www.w3.org/XML/1998/namespace";
}  // namespace ns

// An expanded name. `ns` is empty for elements in no namespace.
struct QName {
  std::string ns;
  std::string local;

  friend bool operator==(const QName&, const QName&) = default;
  friend std::strong_ordering operator<=>(const QName&, const QName&) = default;
};

inline QName dav_name(std::string_view local) { return {std::string(ns::dav), std::string(local)}; }
inline QName caldav_name(std::string_view local) { return {std::string(ns::caldav), std::string(local)}; }
inline QName carddav_name(std::string_view local) { return {std::string(ns::carddav), std::string(local)}; }

// "{ns}local" (Clark notation), for logs and test messages.
inline std::string clark(const QName& n) { return "{" + n.ns + "}" + n.local; }

}  // namespace atrium::dav::xml
