// Address lists: display names, comments, quoted strings, groups, routes and broken input.
#include "mail/mime/address.hpp"

#include <gtest/gtest.h>

namespace atrium::mail::mime {
namespace {

// "name|route|mailbox|domain" per entry ('-' for absent), "group:" and ";" for group markers.
std::string render(const std::vector<Address>& list) {
  const auto opt = [](const std::optional<std::string>& s) { return s ? *s : std::string("-"); };
  std::string out;
  for (const auto& a : list) {
    if (!out.empty()) out += " ";
    switch (a.kind) {
      // Appended piece by piece: GCC 12 misreports -Wrestrict on chains of operator+.
      case Address::Kind::group_start:
        out.append(opt(a.mailbox));
        out.append(":");
        break;
      case Address::Kind::group_end: out.append(";"); break;
      case Address::Kind::mailbox:
        for (const auto* field : {&a.name, &a.route, &a.mailbox, &a.domain}) {
          out.append(field == &a.name ? "(" : "|");
          out.append(opt(*field));
        }
        out.append(")");
        break;
    }
  }
  return out;
}

TEST(AddressList, Parses) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"", ""},
      {"   ", ""},
      {"user@example.com", "(-|-|user|example.com)"},
      {"John Doe <john@example.com>", "(John Doe|-|john|example.com)"},
      {"\"Doe, John\" <john@example.com>", "(Doe, John|-|john|example.com)"},
      {"\"Steve \\\"Boss\\\"\" <s@x.example>", "(Steve \"Boss\"|-|s|x.example)"},
      {"John Q. Public <jqp@example.com>", "(John Q. Public|-|jqp|example.com)"},
      {"<bare@example.com>", "(-|-|bare|example.com)"},
      {"user@example.com (Real Name)", "(Real Name|-|user|example.com)"},
      {"(lead) user @ example . com", "(-|-|user|example.com)"},
      {"a@b.example, c@d.example", "(-|-|a|b.example) (-|-|c|d.example)"},
      {"a@b.example,,, c@d.example,", "(-|-|a|b.example) (-|-|c|d.example)"},
      {"<@route1.example,@route2.example:user@example.com>", "(-|@route1.example,@route2.example|user|example.com)"},
      {"\"quoted local\"@example.com", "(-|-|quoted local|example.com)"},
      {"first.last@example.com", "(-|-|first.last|example.com)"},
      {"user@[192.0.2.1]", "(-|-|user|[192.0.2.1])"},
      {"=?utf-8?q?J=C3=BCrgen?= <j@example.de>", "(=?utf-8?q?J=C3=BCrgen?=|-|j|example.de)"},
      {"Team: a@x.example, B <b@x.example>;", "Team: (-|-|a|x.example) (B|-|b|x.example) ;"},
      {"undisclosed-recipients:;", "undisclosed-recipients: ;"},
      {"g1:;, g2: (c) ;, z@x.example", "g1: ; g2: ; (-|-|z|x.example)"},
      {"Unterminated: a@x.example", "Unterminated: (-|-|a|x.example) ;"},
      {"user", "(-|-|user|-)"},
      {"just a name", "(just a name|-|-|-)"},
      {"\"Only Quoted\"", "(Only Quoted|-|-|-)"},
      {"<>", "(-|-|-|-)"},
      {"Name <broken@example.com", "(Name|-|broken|example.com)"},
      {"Name <user>", "(Name|-|user|-)"},
      {"@@@, ok@x.example", "(-|-|ok|x.example)"},
      {"\xE5\xB1\xB1\xE7\x94\xB0 <taro@example.jp>", "(\xE5\xB1\xB1\xE7\x94\xB0|-|taro|example.jp)"},
      {"J\xF6rg <j@example.de>", "(J\xF6rg|-|j|example.de)"},
  };
  for (const auto& c : cases) EXPECT_EQ(render(parse_address_list(c.in)), c.out) << c.in;
}

TEST(AddressList, IsBoundedAndTotal) {
  std::string many;
  for (int i = 0; i < 20000; ++i) many.append("a@b,");
  EXPECT_LE(parse_address_list(many).size(), max_addresses);
  // Junk of every kind terminates and balances its group markers.
  const std::string junk[] = {"(((", "\"", "<<<<", ":::;;;", "a:b:c:d;", "\\", "<@", "<@a,", "x <@a:", "g: <", ",;,:"};
  for (const auto& j : junk) {
    int depth = 0;
    for (const auto& a : parse_address_list(j)) {
      if (a.kind == Address::Kind::group_start) ++depth;
      if (a.kind == Address::Kind::group_end) --depth;
      EXPECT_GE(depth, 0) << j;
    }
    EXPECT_EQ(depth, 0) << j;
  }
}

}  // namespace
}  // namespace atrium::mail::mime
