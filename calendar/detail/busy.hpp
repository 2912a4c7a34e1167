// calendar/ internals: how one VEVENT instance occupies time, shared by free/busy (busy_periods())
// and scheduling (booked_periods()) so a conflict test and a free/busy answer never disagree.
#pragma once

#include "calendar/freebusy.hpp"

#include <libical/ical.h>

#include <optional>

namespace atrium::calendar::detail {

// The FBTYPE an instance of `event` counts as, or nullopt when it leaves the time free
// (TRANSP:TRANSPARENT, STATUS:CANCELLED, X-MICROSOFT-CDO-BUSYSTATUS:FREE). Defined in freebusy.cpp.
std::optional<BusyType> busy_type(icalcomponent* event);

}  // namespace atrium::calendar::detail
