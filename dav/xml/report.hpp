// REPORT dispatch: the root element of the body picks the report (RFC 3253 §3.6).
#pragma once

#include "dav/xml/addressbook_multiget.hpp"
#include "dav/xml/addressbook_query.hpp"
#include "dav/xml/calendar_multiget.hpp"
#include "dav/xml/calendar_query.hpp"
#include "dav/xml/document.hpp"
#include "dav/xml/error.hpp"
#include "dav/xml/expand_property.hpp"
#include "dav/xml/free_busy_query.hpp"
#include "dav/xml/principal_search.hpp"
#include "dav/xml/sync_collection.hpp"

#include <string_view>
#include <variant>

namespace atrium::dav::xml {

using Report = std::variant<CalendarQuery, CalendarMultiget, FreeBusyQuery, SyncCollection, AddressbookQuery,
                            AddressbookMultiget, ExpandPropertyReport, PrincipalPropertySearch,
                            PrincipalSearchPropertySet, CalendarserverPrincipalSearch>;

// Parses a REPORT body (parse_document limits apply) and dispatches on its root:
// CALDAV:calendar-query, calendar-multiget, free-busy-query; DAV:sync-collection, expand-property,
// principal-property-search, principal-search-property-set; CARDDAV:addressbook-query,
// addressbook-multiget; CS:calendarserver-principal-search. Any other root (or a blank body) is unsupported_report, detail = the root
// in Clark notation. Whether the report applies to the target resource is the executor's call.
Result<Report> parse_report(std::string_view body, const ParseLimits& limits = {});

// Parses an already-parsed root; same dispatch and errors as parse_report.
Result<Report> parse_report(const Element& root);

}  // namespace atrium::dav::xml
