// Unwraps a parsed REPORT into the expected report type, or fails the test.
#pragma once

#include "dav/xml/report.hpp"

#include "tests/unit/dav/xml/test_support.hpp"

namespace atrium::dav::xml::testing {

template <class T>
const T* report_as(const Result<Report>& r) {
  const Report* rep = unwrap<Report>(r);
  if (!rep) return nullptr;
  const T* t = std::get_if<T>(rep);
  if (!t) ADD_FAILURE() << "report alternative " << rep->index();
  return t;
}

}  // namespace atrium::dav::xml::testing
