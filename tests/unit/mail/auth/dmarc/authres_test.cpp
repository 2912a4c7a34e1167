// Authentication-Results: golden formatting, parsing of real-world fields, forged-field removal.
#include "mail/auth/dmarc/authres.hpp"

#include <gtest/gtest.h>

#include <string>

namespace atrium::mail::auth {
namespace {

AuthenticationResults parsed(std::string_view value) {
  auto r = parse_authentication_results(value);
  if (const auto* e = std::get_if<AuthresErrorCode>(&r)) {
    ADD_FAILURE() << "rejected (" << to_string(*e) << "): " << value;
    return {};
  }
  return std::get<AuthenticationResults>(r);
}

AuthresErrorCode parse_error(std::string_view value) {
  auto r = parse_authentication_results(value);
  if (const auto* e = std::get_if<AuthresErrorCode>(&r)) return *e;
  ADD_FAILURE() << "accepted: " << value;
  return AuthresErrorCode::syntax;
}

// The value part of a formatted field, for re-parsing.
std::string_view value_of(std::string_view field) {
  return field.substr(field.find(':') + 1);
}

TEST(AuthresFormat, GoldenThreeMethods) {
  const std::vector<MethodResult> results = {
      {"spf", "pass", "", {{"smtp", "mailfrom", "example.com"}}},
      {"dkim", "pass", "", {{"header", "d", "example.com"}, {"header", "s", "sel"}, {"header", "b", "abcdefgh"}}},
      {"dmarc", "pass", "", {{"header", "from", "example.com"}, {"policy", "dmarc", "none"}}},
  };
  EXPECT_EQ(format_authentication_results("mx.example.org", results),
            "Authentication-Results: mx.example.org;\r\n"
            "\tspf=pass smtp.mailfrom=example.com;\r\n"
            "\tdkim=pass header.d=example.com header.s=sel header.b=abcdefgh;\r\n"
            "\tdmarc=pass header.from=example.com policy.dmarc=none\r\n");
}

TEST(AuthresFormat, NoResults) {
  EXPECT_EQ(format_authentication_results("mx.example.org", {}), "Authentication-Results: mx.example.org; none\r\n");
  // A result without a usable method is left out.
  EXPECT_EQ(format_authentication_results("mx.example.org", {{"(;)", "pass", "", {}}}),
            "Authentication-Results: mx.example.org; none\r\n");
}

TEST(AuthresFormat, ReasonIsQuoted) {
  EXPECT_EQ(format_authentication_results(
                "mx.example.org", {{"dkim", "fail", "signature \"b\" did not verify", {{"header", "d", "example.com"}}}}),
            "Authentication-Results: mx.example.org;\r\n"
            "\tdkim=fail reason=\"signature \\\"b\\\" did not verify\" header.d=example.com\r\n");
}

TEST(AuthresFormat, ValuesQuotedOnlyWhenNeeded) {
  EXPECT_EQ(format_authentication_results("mx.example.org",
                                          {{"spf", "pass", "", {{"smtp", "mailfrom", "user@example.com"}}},
                                           {"dkim", "pass", "", {{"header", "i", "@example.com"}, {"header", "b", "ab/c+d="}}},
                                           {"iprev", "pass", "", {{"policy", "iprev", "192.0.2.1"}}},
                                           {"auth", "pass", "", {{"smtp", "auth", "two words"}}},
                                           {"x-test", "none", "", {{"header", "x", ""}}}}),
            "Authentication-Results: mx.example.org;\r\n"
            "\tspf=pass smtp.mailfrom=user@example.com;\r\n"
            "\tdkim=pass header.i=@example.com header.b=\"ab/c+d=\";\r\n"
            "\tiprev=pass policy.iprev=192.0.2.1;\r\n"
            "\tauth=pass smtp.auth=\"two words\";\r\n"
            "\tx-test=none header.x=\"\"\r\n");
}

TEST(AuthresFormat, QuotedAuthservId) {
  EXPECT_EQ(format_authentication_results("mx example", {}), "Authentication-Results: \"mx example\"; none\r\n");
}

TEST(AuthresFormat, UntrustedTextCannotBreakTheField) {
  const std::string field = format_authentication_results(
      "mx.example.org\r\nX-Injected: 1",
      {{"spf\r\nX-Evil", "pass\n", "a\r\nX-Evil: 2", {{"smtp", "mailfrom", "example.com\r\nX-Evil: 3"}}}});
  EXPECT_EQ(field,
            "Authentication-Results: \"mx.example.orgX-Injected: 1\";\r\n"
            "\tspfX-Evil=pass reason=\"aX-Evil: 2\" smtp.mailfrom=\"example.comX-Evil: 3\"\r\n");
}

TEST(AuthresFormat, LongResinfoIsFolded) {
  const std::string field = format_authentication_results(
      "mx.example.org",
      {{"dkim", "pass", "", {{"header", "d", "a-rather-long-signing-domain.example.com"},
                             {"header", "i", "@a-rather-long-signing-domain.example.com"},
                             {"header", "s", "selector2024"}, {"header", "b", "AbCdEfGh"}}}});
  EXPECT_EQ(field,
            "Authentication-Results: mx.example.org;\r\n"
            "\tdkim=pass header.d=a-rather-long-signing-domain.example.com\r\n"
            "\theader.i=@a-rather-long-signing-domain.example.com header.s=selector2024\r\n"
            "\theader.b=AbCdEfGh\r\n");
  std::size_t start = 0;
  while (start < field.size()) {
    const std::size_t end = field.find("\r\n", start);
    EXPECT_LE(end - start, 78u);
    start = end + 2;
  }
}

TEST(AuthresFormat, RoundTrip) {
  const std::vector<MethodResult> results = {
      {"spf", "softfail", "", {{"smtp", "mailfrom", "user@example.com"}, {"smtp", "helo", "mail.example.com"}}},
      {"dkim", "fail", "bad \\ signature", {{"header", "d", "example.com"}, {"header", "b", "x/y=z"}}},
      {"arc", "none", "", {}},
  };
  const std::string field = format_authentication_results("mx.example.org", results);
  const AuthenticationResults back = parsed(value_of(field));
  EXPECT_EQ(back.authserv_id, "mx.example.org");
  EXPECT_FALSE(back.version);
  EXPECT_EQ(back.results, results);
}

TEST(AuthresParse, Gmail) {
  const AuthenticationResults ar = parsed(
      " mx.google.com;\r\n"
      "       dkim=pass header.i=@example.com header.s=20230601 header.b=Kx3tRy/+;\r\n"
      "       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass fromdomain=example.com);\r\n"
      "       spf=pass (google.com: domain of alice@example.com designates 2a00:1450:4864:20::12b as permitted sender) "
      "smtp.mailfrom=alice@example.com;\r\n"
      "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com;\r\n"
      "       dara=pass header.i=@gmail.com");
  EXPECT_EQ(ar.authserv_id, "mx.google.com");
  ASSERT_EQ(ar.results.size(), 5u);
  EXPECT_EQ(ar.results[0], (MethodResult{"dkim", "pass", "",
                                         {{"header", "i", "@example.com"},
                                          {"header", "s", "20230601"},
                                          {"header", "b", "Kx3tRy/+"}}}));
  EXPECT_EQ(ar.results[1], (MethodResult{"arc", "pass", "", {}}));
  EXPECT_EQ(ar.results[2], (MethodResult{"spf", "pass", "", {{"smtp", "mailfrom", "alice@example.com"}}}));
  EXPECT_EQ(ar.results[3], (MethodResult{"dmarc", "pass", "", {{"header", "from", "example.com"}}}));
  EXPECT_EQ(ar.results[4].method, "dara");
}

TEST(AuthresParse, OutlookWithoutAuthservId) {
  const AuthenticationResults ar = parsed(
      " spf=pass (sender IP is 209.85.218.45)\r\n"
      " smtp.mailfrom=gmail.com; dkim=pass (signature was verified)\r\n"
      " header.d=gmail.com;dmarc=pass action=none header.from=gmail.com;compauth=pass\r\n"
      " reason=100");
  EXPECT_EQ(ar.authserv_id, "");
  ASSERT_EQ(ar.results.size(), 4u);
  EXPECT_EQ(ar.results[0], (MethodResult{"spf", "pass", "", {{"smtp", "mailfrom", "gmail.com"}}}));
  EXPECT_EQ(ar.results[1], (MethodResult{"dkim", "pass", "", {{"header", "d", "gmail.com"}}}));
  EXPECT_EQ(ar.results[2], (MethodResult{"dmarc", "pass", "", {{"", "action", "none"}, {"header", "from", "gmail.com"}}}));
  EXPECT_EQ(ar.results[3], (MethodResult{"compauth", "pass", "100", {}}));
}

TEST(AuthresParse, OutlookWithVersion) {
  const AuthenticationResults ar = parsed(
      "mx.microsoft.com 1; spf=pass smtp.mailfrom=contoso.com; dmarc=pass (p=none sp=none pct=100)\r\n"
      " action=none header.from=contoso.com; dkim=pass (signature was verified) header.d=contoso.com; arc=none");
  EXPECT_EQ(ar.authserv_id, "mx.microsoft.com");
  EXPECT_EQ(ar.version, 1u);
  ASSERT_EQ(ar.results.size(), 4u);
  EXPECT_EQ(ar.results[3], (MethodResult{"arc", "none", "", {}}));
}

TEST(AuthresParse, Rfc8601CommentHeavyExample) {
  // RFC 8601 Appendix B.7.
  const AuthenticationResults ar = parsed(
      " foo.example.net (foobar) 1 (baz);\r\n"
      "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n"
      "      policy (A dot can go here) . (like that) expired\r\n"
      "      (this surprised me) = (as I wasn't expecting it) 1362471462");
  EXPECT_EQ(ar.authserv_id, "foo.example.net");
  EXPECT_EQ(ar.version, 1u);
  ASSERT_EQ(ar.results.size(), 1u);
  EXPECT_EQ(ar.results[0], (MethodResult{"dkim", "fail", "", {{"policy", "expired", "1362471462"}}}));
}

TEST(AuthresParse, Rfc8601Examples) {
  AuthenticationResults ar = parsed(" example.org 1; none");
  EXPECT_EQ(ar.authserv_id, "example.org");
  EXPECT_TRUE(ar.results.empty());
  ar = parsed("example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
              "          spf=pass smtp.mailfrom=example.net");
  ASSERT_EQ(ar.results.size(), 2u);
  EXPECT_EQ(ar.results[0], (MethodResult{"auth", "pass", "", {{"smtp", "auth", "sender@example.net"}}}));
  ar = parsed("example.com; sender-id=hardfail header.from=example.com;\r\n dkim=pass (good signature) header.i=sender@example.com");
  ASSERT_EQ(ar.results.size(), 2u);
  EXPECT_EQ(ar.results[0].result, "hardfail");
  EXPECT_EQ(ar.results[1].properties[0].value, "sender@example.com");
}

TEST(AuthresParse, QuotedValuesReasonsAndCase) {
  const AuthenticationResults ar = parsed(
      "\"mx (1).example\"; DKIM=Fail reason=\"bad \\\"sig\\\"\" Header.D=Example.COM header.b=\"ab/c;d\" (x);;"
      " Spf=Pass smtp.MailFrom = \"a b\"@example.com");
  EXPECT_EQ(ar.authserv_id, "mx (1).example");
  ASSERT_EQ(ar.results.size(), 2u);
  EXPECT_EQ(ar.results[0], (MethodResult{"dkim", "fail", "bad \"sig\"",
                                         {{"header", "d", "Example.COM"}, {"header", "b", "ab/c;d"}}}));
  // A quoted local part keeps its quotes: they belong to the address.
  EXPECT_EQ(ar.results[1], (MethodResult{"spf", "pass", "", {{"smtp", "mailfrom", "\"a b\"@example.com"}}}));
}

TEST(AuthresParse, IdAlone) {
  const AuthenticationResults ar = parsed("mx.example.org");
  EXPECT_EQ(ar.authserv_id, "mx.example.org");
  EXPECT_TRUE(ar.results.empty());
}

TEST(AuthresParse, Errors) {
  EXPECT_EQ(parse_error(""), AuthresErrorCode::empty);
  EXPECT_EQ(parse_error("  (just a comment) "), AuthresErrorCode::empty);
  EXPECT_EQ(parse_error("mx.example.org (open"), AuthresErrorCode::unterminated);
  EXPECT_EQ(parse_error("\"mx.example.org"), AuthresErrorCode::unterminated);
  EXPECT_EQ(parse_error("mx.example.org; spf=pass reason=\"x"), AuthresErrorCode::unterminated);
  EXPECT_EQ(parse_error("mx.example.org spf=pass"), AuthresErrorCode::syntax);
  EXPECT_EQ(parse_error("mx.example.org; spf pass"), AuthresErrorCode::syntax);
  EXPECT_EQ(parse_error("mx.example.org; spf="), AuthresErrorCode::syntax);
  EXPECT_EQ(parse_error("mx.example.org; =pass"), AuthresErrorCode::syntax);
  EXPECT_EQ(parse_error(std::string(max_authres_bytes + 1, 'a')), AuthresErrorCode::too_long);
  std::string many = "mx.example.org";
  for (std::size_t i = 0; i <= max_authres_results; ++i) many += "; spf=pass";
  EXPECT_EQ(parse_error(many), AuthresErrorCode::too_long);
}

TEST(AuthresParse, AuthservIdOf) {
  EXPECT_EQ(authserv_id_of(" mx.example.org; spf=pass"), "mx.example.org");
  EXPECT_EQ(authserv_id_of("(comment (nested)) MX.Example.Org 1; none"), "MX.Example.Org");
  EXPECT_EQ(authserv_id_of("\r\n\t\"quoted.example\";"), "quoted.example");
  EXPECT_EQ(authserv_id_of("mx.example.org; this is not a valid ( field"), "mx.example.org");
  EXPECT_EQ(authserv_id_of(" spf=pass smtp.mailfrom=x"), std::nullopt);
  EXPECT_EQ(authserv_id_of(""), std::nullopt);
  EXPECT_EQ(authserv_id_of(" ; spf=pass"), std::nullopt);
}

TEST(AuthresRemove, RemovesOnlyOurs) {
  const std::string block =
      "Received: from a by b\r\n"
      "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=forged.example\r\n"
      "Authentication-Results: other.example.net;\r\n"
      "\tdkim=pass header.d=example.net\r\n"
      "authentication-results : (hidden) MX.EXAMPLE.ORG;\r\n"
      "  dkim=pass header.d=forged.example;\r\n"
      "  dmarc=pass header.from=forged.example\r\n"
      "Authentication-Results: \"mx.example.org\" 1; none\r\n"
      "Authentication-Results: mx.example.org.evil; none\r\n"
      "X-Authentication-Results: mx.example.org; none\r\n"
      "ARC-Authentication-Results: i=1; mx.example.org; none\r\n"
      "Authentication-Results: mx.example.org; broken (\r\n"
      "Subject: hello\r\n"
      "\r\n"
      "Authentication-Results: mx.example.org; in the body\r\n";
  const ForgedRemoval r = remove_forged(block, "mx.example.org");
  EXPECT_EQ(r.removed, 4u);
  EXPECT_EQ(r.header_block,
            "Received: from a by b\r\n"
            "Authentication-Results: other.example.net;\r\n"
            "\tdkim=pass header.d=example.net\r\n"
            "Authentication-Results: mx.example.org.evil; none\r\n"
            "X-Authentication-Results: mx.example.org; none\r\n"
            "ARC-Authentication-Results: i=1; mx.example.org; none\r\n"
            "Subject: hello\r\n"
            "\r\n"
            "Authentication-Results: mx.example.org; in the body\r\n");
}

TEST(AuthresRemove, LfLineEndsAndNoBlankLine) {
  const ForgedRemoval r = remove_forged(
      "From: a@example.com\nAuthentication-Results: mx.example.org;\n spf=pass\nTo: b@example.com",
      "MX.example.ORG");
  EXPECT_EQ(r.removed, 1u);
  EXPECT_EQ(r.header_block, "From: a@example.com\nTo: b@example.com");
}

TEST(AuthresRemove, NothingToRemoveKeepsEveryByte) {
  const std::string block = "  stray continuation\r\nbroken line without colon\r\nA: b\r\n\r\nbody";
  const ForgedRemoval r = remove_forged(block, "mx.example.org");
  EXPECT_EQ(r.removed, 0u);
  EXPECT_EQ(r.header_block, block);
  EXPECT_EQ(remove_forged("", "mx.example.org").header_block, "");
  EXPECT_EQ(remove_forged("Authentication-Results: mx.example.org; none\r\n", "").removed, 0u);
}

}  // namespace
}  // namespace atrium::mail::auth
