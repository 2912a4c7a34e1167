// calendar-query evaluation (RFC 4791 §9.7): does an object match a typed filter.
#pragma once

#include "calendar/filter.hpp"
#include "calendar/object.hpp"
#include "calendar/recurrence.hpp"
#include "calendar/zone.hpp"

namespace atrium::calendar {

// Whether `object` matches `filter` (RFC 4791 §9.7.1-9.7.5, time ranges per §9.9):
//  - comp-filter: a component of that name exists (or, with is-not-defined, none does), and one
//    such component passes its time-range, prop-filters and nested comp-filters;
//  - time-range on VEVENT/VTODO/VJOURNAL: some instance of that component (recurrences expanded,
//    overrides standing for their instances) overlaps the range;
//  - time-range on VALARM: some trigger (each REPEAT too) of some instance of the enclosing
//    component lies in the range;
//  - prop-filter: a property of that name exists (is-not-defined: none does) and one such
//    property passes its time-range (DATE/DATE-TIME values), text-match and param-filters;
//  - param-filter: likewise on the property's parameters.
// Floating times and DATE values are read in `floating` (the calendar's calendar-timezone).
// Work is bounded by `limits` per expansion; a truncated expansion counts only the instances
// found. A filter nested deeper than 16 levels does not match.
bool matches(const Object& object, const Filter& filter, const Zone& floating, const ExpandLimits& limits = {});

}  // namespace atrium::calendar
