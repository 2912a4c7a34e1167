// Fuzz entry: the command parser in both charsets, with structural checks and re-encoding.
#include "tests/fuzz/mail/imap/fuzz_entries.hpp"

#include "mail/imap/parser.hpp"
#include "mail/imap/response.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace atrium::imap::fuzz {
namespace {

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "imap parser fuzz: %s\n", what);
  std::abort();
}

void check_set(const SequenceSet& s) { require(s.saved != !s.ranges.empty(), "sequence set neither $ nor ranges"); }

void check_name(const std::string& name) { require(is_valid_mailbox_name(name), "invalid mailbox name accepted"); }

// The mailbox written as a reply would write it must parse back to the same name.
void check_mailbox_round_trip(const std::string& name, WireCharset charset, const ParserOptions& options) {
  std::string line = "t SELECT ";
  append_mailbox(line, name, charset);
  const ParseResult r = parse_command(line, options);
  const auto* c = std::get_if<Command>(&r);
  require(c != nullptr, "encoded mailbox does not parse");
  require(std::get<Select>(c->body).mailbox == name, "encoded mailbox parses to another name");
}

void check_login_round_trip(const Login& l, WireCharset charset, const ParserOptions& options) {
  std::string line = "t LOGIN ";
  append_astring(line, l.user, charset);
  line += ' ';
  append_astring(line, l.password, charset);
  const ParseResult r = parse_command(line, options);
  const auto* c = std::get_if<Command>(&r);
  require(c != nullptr, "encoded astrings do not parse");
  require(std::get<Login>(c->body) == l, "encoded astrings parse to other strings");
}

void check_command(const Command& c, std::string_view input, const ParserOptions& options) {
  require(!c.tag.empty() && c.tag.find('+') == std::string::npos, "bad tag accepted");
  const WireCharset cs = options.charset;
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (requires { b.set; }) check_set(b.set);
        if constexpr (requires { b.mailbox; }) {
          check_name(b.mailbox);
          require(b.mailbox != "inbox" && b.mailbox != "Inbox", "INBOX not normalised");
        }
        if constexpr (std::is_same_v<T, Select>) check_mailbox_round_trip(b.mailbox, cs, options);
        if constexpr (std::is_same_v<T, Login>) check_login_round_trip(b, cs, options);
        if constexpr (std::is_same_v<T, Rename>) {
          check_name(b.from);
          check_name(b.to);
        }
        if constexpr (std::is_same_v<T, Search> || std::is_same_v<T, Sort> || std::is_same_v<T, Thread>) {
          require(search_depth(b.key) <= options.max_search_depth + 1, "search deeper than allowed");
        }
        if constexpr (std::is_same_v<T, Fetch>) {
          require(!b.attrs.empty(), "FETCH without attributes");
          require(!b.vanished || (b.uid && b.changed_since), "VANISHED without UID FETCH CHANGEDSINCE");
        }
        if constexpr (std::is_same_v<T, Status>) require(!b.items.empty(), "STATUS without items");
        if constexpr (std::is_same_v<T, List>) {
          require(!b.patterns.empty(), "LIST without patterns");
          for (const auto& p : b.patterns) check_name(p);
          check_name(b.reference);
        }
        if constexpr (std::is_same_v<T, Append>) {
          require(!b.messages.empty(), "APPEND without a message");
          for (const AppendMessage& m : b.messages) {
            const bool inside = m.content.empty() ||
                                (m.content.data() >= input.data() &&
                                 m.content.data() + m.content.size() <= input.data() + input.size());
            require(inside, "APPEND content outside the input");
          }
        }
        if constexpr (std::is_same_v<T, Expunge>) {
          if (b.uids) check_set(*b.uids);
        }
      },
      c.body);
}

void run(std::string_view input, const ParserOptions& options) {
  const ParseResult first = parse_command(input, options);
  const ParseResult again = parse_command(input, options);
  require(first == again, "parse is not deterministic");
  if (const auto* e = std::get_if<ParseError>(&first)) {
    require(e->offset <= input.size(), "error offset outside the input");
    require(!parse_error_text(e->kind).empty(), "error kind without text");
    require(e->tag.empty() || input.substr(0, e->tag.size()) == e->tag, "error tag is not the input's");
    return;
  }
  check_command(std::get<Command>(first), input, options);
}

}  // namespace

int parser_one_input(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  run(input, ParserOptions{.charset = WireCharset::modified_utf7});
  run(input, ParserOptions{.charset = WireCharset::utf8, .max_search_depth = 4});
  return 0;
}

}  // namespace atrium::imap::fuzz
