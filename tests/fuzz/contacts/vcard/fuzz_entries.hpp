// Entry point shared by the libFuzzer target (clang) and contacts_vcard_fuzz_replay (every
// compiler): runs one input through contacts/ and aborts if an invariant breaks.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atrium::contacts::fuzz {

// The import path: the input as a PUT body (parse with small limits), then, for a valid card:
// every value and parameter is UTF-8 without line breaks; the written card has lines of at most 75
// octets that never start inside a UTF-8 sequence and re-parses to the same card; conversion to
// 3.0 and 4.0 gives cards that parse and keep UID, e-mail addresses and kind; an addressbook-query
// and partial retrieval run over it. A refused input must carry a message that is printable.
int import_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace atrium::contacts::fuzz
