// BDAT (RFC 3030 CHUNKING): raw chunks of announced size; 250 per chunk, the verdict at LAST.
// Content errors and oversize are reported at LAST, after every chunk has been consumed.
#include "mail/smtp/commands/handlers.hpp"

#include <algorithm>

namespace atrium::smtp::detail {
namespace {

void end_chunk(SessionCore& s) {
  const ReadingChunk chunk = std::get<ReadingChunk>(s.input);
  s.input = ReadingCommands{};
  if (chunk.discard) return;  // refused: the refusal was already sent
  if (!chunk.last) return s.reply(ReplyId::chunk_received, chunk.size);
  s.transaction()->body->finish();
  finish_message(s);
}

}  // namespace

void run_bdat(SessionCore& s, const Command& c) {
  const Bdat& bdat = std::get<Bdat>(c);
  Transaction& t = *s.transaction();
  if (!t.chunked) {
    t.body.emplace(BodyFraming::chunked, s.options.max_message_size);
    t.message.clear();
    t.chunked = true;
  }
  s.input = ReadingChunk{.size = bdat.size, .remaining = bdat.size, .last = bdat.last};
  if (bdat.size == 0) end_chunk(s);
}

std::size_t chunk_input(SessionCore& s, std::string_view in) {
  auto& chunk = std::get<ReadingChunk>(s.input);
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.remaining, in.size()));
  if (!chunk.discard) {
    Transaction& t = *s.transaction();
    t.body->feed(in.substr(0, n), t.message);
  }
  chunk.remaining -= n;
  if (chunk.remaining == 0) end_chunk(s);
  return n;
}

}  // namespace atrium::smtp::detail
