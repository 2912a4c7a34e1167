// calendar-data output (RFC 4791 §9.6): an object as a report returns it, whole or shaped by
// CALDAV:expand, CALDAV:limit-recurrence-set and partial comp/prop selection.
#pragma once

#include "calendar/filter.hpp"
#include "calendar/object.hpp"
#include "calendar/recurrence.hpp"

#include <string>

namespace atrium::calendar {

// The object as iCalendar text (CRLF, folded), shaped by `request`, in this order:
//  1. expand (both ends needed; an open end is read as infinity, bounded by `limits`): every
//     instance overlapping the range becomes its own component with RECURRENCE-ID (UTC; only for
//     recurring objects), DTSTART/DTEND/DUE in UTC and no RRULE, RDATE or EXDATE; VTIMEZONEs are
//     dropped;
//  2. else limit-recurrence-set: the master plus the overrides whose instance or RECURRENCE-ID
//     falls in the range;
//  3. comp/prop selection: only the named components and properties are kept (VCALENDAR's
//     allprop/allcomp keep everything below).
// limit-freebusy-set is ignored (VFREEBUSY is refused in stored resources).
std::string calendar_data(const Object& object, const CalendarDataRequest& request,
                          const ExpandLimits& limits = {});

}  // namespace atrium::calendar
