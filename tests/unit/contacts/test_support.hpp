// Helpers for the contacts/ tests: inline vCards, corpus files, parsing that must succeed.
#pragma once

#include "contacts/parse.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

namespace atrium::contacts::testing {

// A vCard of the given version around the given content lines, CRLF-terminated.
inline std::string vcard(std::string_view version, std::initializer_list<std::string_view> lines) {
  std::string out = "BEGIN:VCARD\r\nVERSION:";
  out += version;
  out += "\r\n";
  for (std::string_view l : lines) {
    out += l;
    out += "\r\n";
  }
  out += "END:VCARD\r\n";
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string read_corpus(std::string_view name) {
  return read_file(std::string(ATRIUM_CONTACTS_CORPUS_DIR) + "/" + std::string(name));
}

// Parses text that must be valid; the test fails (and the call throws) otherwise.
inline Card parse_ok(std::string_view text, const ParseLimits& limits = {}) {
  ParseResult r = parse(text, limits);
  if (const auto* e = std::get_if<ParseError>(&r)) ADD_FAILURE() << to_string(e->code) << ": " << e->message;
  return std::get<Card>(std::move(r));
}

// The error code of text that must be refused.
inline ParseErrorCode parse_error(std::string_view text, const ParseLimits& limits = {}) {
  ParseResult r = parse(text, limits);
  const auto* e = std::get_if<ParseError>(&r);
  if (!e) {
    ADD_FAILURE() << "accepted: " << text.substr(0, 200);
    return ParseErrorCode::invalid;
  }
  EXPECT_FALSE(e->message.empty());
  return e->code;
}

}  // namespace atrium::contacts::testing
