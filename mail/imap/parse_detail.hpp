// Per-concern parsers behind parse_command (internal to mail/imap). Each reads the arguments of
// one command from the Reader, which stands right after the command name; each leaves the Reader
// at the end of the input or failed. parse_command wraps the results and checks the end.
#pragma once

#include "mail/imap/command.hpp"
#include "mail/imap/reader.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace atrium::imap::detail {

// parse_search.cpp
Search parse_search(Reader& r, bool uid);
Sort parse_sort(Reader& r, bool uid);
Thread parse_thread(Reader& r, bool uid);

// parse_fetch.cpp
Fetch parse_fetch(Reader& r, bool uid);
Store parse_store(Reader& r, bool uid);

// parse_mailbox.cpp
SelectParams parse_select_params(Reader& r);  // after the mailbox: [SP "(" ... ")"]
Create parse_create(Reader& r);
List parse_list(Reader& r);
Lsub parse_lsub(Reader& r);
Status parse_status(Reader& r);
std::vector<StatusItem> parse_status_items(Reader& r);  // "(" status-att *(SP status-att) ")"

// parse_append.cpp
Append parse_append(Reader& r);

// Shared helper: ASCII upper case.
std::string ascii_upper(std::string_view s);

}  // namespace atrium::imap::detail
