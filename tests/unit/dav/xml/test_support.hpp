// Helpers for the dav/xml tests: unwrap a Result, or report its error as a test failure.
#pragma once

#include "dav/xml/error.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <variant>

namespace atrium::dav::xml::testing {

// The T alternative of `r`, or nullptr after a non-fatal failure naming the error (or the
// alternative that was found instead).
template <class T, class V>
const T* unwrap(const V& r) {
  if (const auto* e = std::get_if<Error>(&r)) {
    ADD_FAILURE() << "error kind " << static_cast<int>(e->kind) << ": " << e->detail;
    return nullptr;
  }
  const T* t = std::get_if<T>(&r);
  if (!t) ADD_FAILURE() << "unexpected alternative " << r.index();
  return t;
}

// The error kind of `r`, or nullopt when it parsed.
template <class V>
std::optional<ErrorKind> error_kind(const V& r) {
  if (const auto* e = std::get_if<Error>(&r)) return e->kind;
  return std::nullopt;
}

}  // namespace atrium::dav::xml::testing
