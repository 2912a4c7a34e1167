// Signing and verification without DNS: round trips, tampering, l=, x=, identities, key record
// variants, syntax errors, folding, several signatures.
#include "mail/auth/dkim/base64.hpp"
#include "mail/auth/dkim/dkim.hpp"
#include "tests/unit/mail/auth/dkim/test_support.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace atrium::mail::auth::dkim {
namespace {

constexpr std::int64_t t0 = 1704189600;  // 2024-01-02T10:00:00Z

class SignVerify : public ::testing::Test {
 protected:
  SignVerify()
      : rsa_(test::data_key("test_rsa2048.pem")),
        ed_(test::ed25519_key(test::rfc8463_seed)),
        message_(test::read_data("message.eml")) {
    keys_ = test::data_keys();
  }

  SignOptions rsa_options() const { return SignOptions{.domain = "example.org", .selector = "rsa2048", .key = rsa_, .timestamp = t0}; }
  SignOptions ed_options() const { return SignOptions{.domain = "example.org", .selector = "ed", .key = ed_, .timestamp = t0}; }

  Result check(const std::string& signed_message, std::map<std::string, std::string> keys) const {
    return test::verify_first(signed_message, keys, t0 + 60);
  }
  Result check(const std::string& signed_message) const { return check(signed_message, keys_); }

  // The message with `from` replaced by `to` (once).
  static std::string edit(std::string message, std::string_view from, std::string_view to) {
    const auto at = message.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) message.replace(at, from.size(), to);
    return message;
  }

  PrivateKey rsa_;
  PrivateKey ed_;
  std::string message_;
  std::map<std::string, std::string> keys_;
};

TEST_F(SignVerify, HeaderIsFoldedAndComplete) {
  SignOptions options = rsa_options();
  options.expires = t0 + 86400;
  options.identity = "alice@mail.example.org";
  const std::string header = sign(options, message_);
  ASSERT_GE(header.size(), 2u);
  EXPECT_EQ(header.substr(header.size() - 2), "\r\n");
  EXPECT_EQ(header.rfind("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;", 0), 0u);
  std::size_t start = 0;
  int lines = 0;
  while (start < header.size()) {
    const auto end = header.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << header.substr(start, end - start);
    if (lines > 0) {
      EXPECT_EQ(header[start], '\t');
    }
    start = end + 2;
    ++lines;
  }
  EXPECT_GT(lines, 3);  // a 2048-bit b= alone needs several lines

  const auto sigs = parse_signatures(header + message_);
  ASSERT_EQ(sigs.size(), 1u);
  const Signature& s = sigs[0];
  EXPECT_EQ(s.error, SignatureError::none) << s.error_detail;
  EXPECT_EQ(s.algorithm, Algorithm::rsa_sha256);
  EXPECT_EQ(s.header_canon, Canon::relaxed);
  EXPECT_EQ(s.body_canon, Canon::relaxed);
  EXPECT_EQ(s.d, "example.org");
  EXPECT_EQ(s.s, "rsa2048");
  EXPECT_EQ(s.i, "alice@mail.example.org");
  EXPECT_EQ(s.t, t0);
  EXPECT_EQ(s.x, t0 + 86400);
  EXPECT_FALSE(s.l);  // never emitted
  // Present fields once each, From once more; X-Unsigned and Received are not in the list.
  EXPECT_EQ(s.h, (std::vector<std::string>{"from", "from", "subject", "date", "to", "cc", "message-id",
                                           "mime-version", "content-type"}));
  EXPECT_EQ(s.bh.size(), 32u);
  EXPECT_EQ(s.b.size(), 256u);
}

TEST_F(SignVerify, RoundTripsRsaAndEd25519) {
  for (const Canon header : {Canon::simple, Canon::relaxed}) {
    for (const Canon body : {Canon::simple, Canon::relaxed}) {
      SignOptions r = rsa_options();
      r.header_canon = header;
      r.body_canon = body;
      EXPECT_EQ(check(sign(r, message_) + message_).kind, ResultKind::pass);
      SignOptions e = ed_options();
      e.header_canon = header;
      e.body_canon = body;
      const Result result = check(sign(e, message_) + message_);
      EXPECT_EQ(result.kind, ResultKind::pass) << result.reason;
      EXPECT_EQ(result.algorithm, "ed25519-sha256");
    }
  }
}

TEST_F(SignVerify, SigningIsDeterministic) {
  // Both PKCS#1 v1.5 and Ed25519 are deterministic: same input, same field.
  EXPECT_EQ(sign(ed_options(), message_), sign(ed_options(), message_));
  EXPECT_EQ(sign(rsa_options(), message_), sign(rsa_options(), message_));
}

TEST_F(SignVerify, ResultNamesTheSignature) {
  const std::string signed_message = sign(ed_options(), message_) + message_;
  const Result r = check(signed_message);
  EXPECT_EQ(r.kind, ResultKind::pass);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.domain, "example.org");
  EXPECT_EQ(r.selector, "ed");
  EXPECT_EQ(r.identity, "@example.org");
  ASSERT_EQ(r.b_prefix.size(), 8u);
  EXPECT_EQ(r.b_prefix, parse_signatures(signed_message)[0].b_text.substr(0, 8));
  EXPECT_EQ(to_string(r.kind), "pass");
}

TEST_F(SignVerify, TamperingFails) {
  for (const SignOptions& options : {rsa_options(), ed_options()}) {
    const std::string signed_message = sign(options, message_) + message_;
    Result r = check(edit(signed_message, "Subject: Quarterly", "Subject: Quarterlx"));
    EXPECT_EQ(r.kind, ResultKind::fail);
    EXPECT_EQ(r.reason, "signature did not verify");
    r = check(edit(signed_message, "Regards", "Regardz"));
    EXPECT_EQ(r.kind, ResultKind::fail);
    EXPECT_EQ(r.reason, "body hash did not verify");
    // A second From above the signed one: oversigning makes it count.
    r = check(edit(signed_message, "From: Alice", "From: Mallory <m@example.com>\r\nFrom: Alice"));
    EXPECT_EQ(r.kind, ResultKind::fail);
    // Changing the signature's own tags breaks it too.
    r = check(edit(signed_message, "t=1704189600", "t=1704189601"));
    EXPECT_EQ(r.kind, ResultKind::fail);
  }
}

TEST_F(SignVerify, UnsignedChangesAndRelaxedWhitespacePass) {
  const std::string signed_message = sign(rsa_options(), message_) + message_;
  EXPECT_EQ(check(edit(signed_message, "X-Unsigned: not", "X-Unsigned: now")).kind, ResultKind::pass);
  EXPECT_EQ(check(edit(signed_message, "Date: Tue, 02", "Date:  Tue,\r\n 02")).kind, ResultKind::pass);
  EXPECT_EQ(check(edit(signed_message, "Hello Bob,", "Hello  Bob,\t")).kind, ResultKind::pass);
  EXPECT_EQ(check(signed_message + "\r\n\r\n").kind, ResultKind::pass);  // trailing empty lines
}

TEST_F(SignVerify, SimpleIsStrictAboutWhitespace) {
  SignOptions options = rsa_options();
  options.header_canon = Canon::simple;
  options.body_canon = Canon::simple;
  const std::string signed_message = sign(options, message_) + message_;
  EXPECT_EQ(check(signed_message + "\r\n").kind, ResultKind::pass);  // empty lines at the end still ignored
  EXPECT_EQ(check(edit(signed_message, "Date: Tue, 02", "Date:  Tue, 02")).kind, ResultKind::fail);
  EXPECT_EQ(check(edit(signed_message, "Hello Bob,", "Hello  Bob,")).reason, "body hash did not verify");
}

TEST_F(SignVerify, BareLfMessagesVerify) {
  const std::string signed_message = sign(rsa_options(), message_) + message_;
  std::string lf;
  for (std::size_t i = 0; i < signed_message.size(); ++i) {
    if (signed_message[i] == '\r' && i + 1 < signed_message.size() && signed_message[i + 1] == '\n') continue;
    lf += signed_message[i];
  }
  EXPECT_EQ(check(lf).kind, ResultKind::pass);
  // Signing an LF message gives the signature of its CRLF form.
  EXPECT_EQ(sign(rsa_options(), lf.substr(lf.find("Received:"))), sign(rsa_options(), message_));
}

TEST_F(SignVerify, BodyLengthIsHonoured) {
  const std::string tags = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=rsa2048; h=from:subject; l=";
  const std::size_t length = canonicalize_body(SplitMessage(message_).body(), Canon::relaxed).size();
  const std::string limited = test::craft_signature(tags + std::to_string(length), rsa_, message_);
  EXPECT_EQ(check(limited).kind, ResultKind::pass);
  // Text appended after the signed length does not break it (which is why we never emit l=).
  EXPECT_EQ(check(limited + "appended by a list\r\n").kind, ResultKind::pass);
  EXPECT_EQ(check(edit(limited, "Regards", "Regardz")).reason, "body hash did not verify");
  // A short l= covers only the start of the body.
  const std::string prefix = test::craft_signature(tags + "5", rsa_, message_);
  EXPECT_EQ(check(edit(prefix, "Regards", "Regardz")).kind, ResultKind::pass);
  // l= beyond the body: something was cut off.
  const std::string too_long = test::craft_signature(tags + std::to_string(length), rsa_, message_);
  const Result r = check(edit(too_long, "Alice\r\n\r\n", "\r\n\r\n"));
  EXPECT_EQ(r.kind, ResultKind::fail);
  EXPECT_EQ(r.reason, "body is shorter than l=");
  EXPECT_EQ(parse_signatures(limited)[0].l, length);
}

TEST_F(SignVerify, ExpiryIsCheckedAgainstNow) {
  SignOptions options = rsa_options();
  options.expires = t0 + 3600;
  const std::string signed_message = sign(options, message_) + message_;
  EXPECT_EQ(test::verify_first(signed_message, keys_, t0 + 3600).kind, ResultKind::pass);
  const Result r = test::verify_first(signed_message, keys_, t0 + 3601);
  EXPECT_EQ(r.kind, ResultKind::fail);
  EXPECT_EQ(r.reason, "signature expired");
}

TEST_F(SignVerify, FromMustBeSigned) {
  const std::string m = test::craft_signature("v=1; a=rsa-sha256; d=example.org; s=rsa2048; h=subject:date", rsa_, message_);
  const Result r = check(m);
  EXPECT_EQ(r.kind, ResultKind::permerror);
  EXPECT_EQ(r.reason, "From is not signed");
  EXPECT_EQ(parse_signatures(m)[0].error, SignatureError::from_not_signed);
  // Custom header lists get From added.
  SignOptions options = rsa_options();
  options.headers = {"Subject"};
  const std::string signed_message = sign(options, message_) + message_;
  EXPECT_EQ(parse_signatures(signed_message)[0].h, (std::vector<std::string>{"from", "from", "subject"}));
  EXPECT_EQ(check(signed_message).kind, ResultKind::pass);
}

TEST_F(SignVerify, IdentityMustBeWithinDomain) {
  const std::string base = "v=1; a=rsa-sha256; d=example.org; s=rsa2048; h=from; i=";
  EXPECT_EQ(check(test::craft_signature(base + "alice@example.org", rsa_, message_)).kind, ResultKind::pass);
  EXPECT_EQ(check(test::craft_signature(base + "@lists.EXAMPLE.org", rsa_, message_)).kind, ResultKind::pass);
  Result r = check(test::craft_signature(base + "alice@example.com", rsa_, message_));
  EXPECT_EQ(r.kind, ResultKind::permerror);
  EXPECT_EQ(r.reason, "i= is not within d=");
  r = check(test::craft_signature(base + "@badexample.org", rsa_, message_));
  EXPECT_EQ(r.kind, ResultKind::permerror);
}

TEST_F(SignVerify, StrictKeyRequiresExactIdentityDomain) {
  auto keys = keys_;
  keys["rsa2048._domainkey.example.org"] += "; t=s";
  const std::string base = "v=1; a=rsa-sha256; d=example.org; s=rsa2048; h=from; i=";
  EXPECT_EQ(check(test::craft_signature(base + "a@example.org", rsa_, message_), keys).kind, ResultKind::pass);
  const Result r = check(test::craft_signature(base + "a@sub.example.org", rsa_, message_), keys);
  EXPECT_EQ(r.kind, ResultKind::permerror);
  EXPECT_EQ(r.reason, "key requires the i= domain to equal d= (t=s)");
}

TEST_F(SignVerify, KeyRecordVariants) {
  const std::string signed_message = sign(rsa_options(), message_) + message_;
  const Signature sig = parse_signatures(signed_message)[0];
  const std::string good = keys_.at("rsa2048._domainkey.example.org");
  const std::string p = good.substr(good.find("p="));
  struct Case {
    std::optional<std::string> record;
    ResultKind kind;
    std::string reason;
  };
  const Case cases[] = {
      {good, ResultKind::pass, ""},
      {"k=rsa; " + p, ResultKind::pass, ""},  // v= is optional
      {"v=DKIM1; h=sha1:sha256; s=email:other; " + p, ResultKind::pass, ""},
      {std::nullopt, ResultKind::permerror, "no key record"},
      {"v=DKIM1; k=rsa; p=", ResultKind::permerror, "key revoked"},
      {"v=DKIM1; k=ed25519; " + p, ResultKind::permerror, "key type k=ed25519 does not match a=rsa-sha256"},
      {"v=DKIM1; k=dsa; " + p, ResultKind::permerror, "key type k=dsa does not match a=rsa-sha256"},
      {"v=DKIM1; h=sha1; " + p, ResultKind::permerror, "key record does not allow sha256"},
      {"v=DKIM1; s=tlsrpt; " + p, ResultKind::permerror, "key record is not for email"},
      {"v=DKIM2; " + p, ResultKind::permerror, "key record version is not DKIM1"},
      {"v=DKIM1; p=Zm9vYmFy", ResultKind::permerror, "key data could not be decoded"},
      {"v=DKIM1; p=@@@", ResultKind::permerror, "key record p= is not base64"},
      {"v=DKIM1; k=rsa", ResultKind::permerror, "key record has no p= tag"},
  };
  for (const auto& c : cases) {
    const auto text = c.record ? std::optional<KeyRecordText>(KeyRecordText{*c.record}) : std::nullopt;
    const Result r = verify(signed_message, sig, text, t0);
    EXPECT_EQ(r.kind, c.kind) << c.record.value_or("(none)");
    EXPECT_EQ(r.reason, c.reason) << c.record.value_or("(none)");
  }
  // t=y: still verified as usual, and reported.
  const Result testing = verify(signed_message, sig, KeyRecordText{good + "; t=y"}, t0);
  EXPECT_EQ(testing.kind, ResultKind::pass);
  EXPECT_TRUE(testing.testing);
}

TEST_F(SignVerify, Ed25519KeyRecordIsRawNotSpki) {
  const std::string signed_message = sign(ed_options(), message_) + message_;
  const Signature sig = parse_signatures(signed_message)[0];
  const auto raw = base64_decode(test::rfc8463_public);
  ASSERT_TRUE(raw);
  // RFC 8463 section 4.2: p= is the bare 32-byte key; the SubjectPublicKeyInfo form is refused.
  const std::string spki = std::string("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12) + *raw;
  Result r = verify(signed_message, sig, KeyRecordText{"v=DKIM1; k=ed25519; p=" + base64_encode(spki)}, t0);
  EXPECT_EQ(r.kind, ResultKind::permerror);
  EXPECT_EQ(r.reason, "key data could not be decoded");
  r = verify(signed_message, sig, KeyRecordText{keys_.at("rsa2048._domainkey.example.org")}, t0);
  EXPECT_EQ(r.reason, "key type k=rsa does not match a=ed25519-sha256");
  r = verify(signed_message, sig, KeyRecordText{"v=DKIM1; k=ed25519; p=" + std::string(test::rfc8463_public)}, t0);
  EXPECT_EQ(r.kind, ResultKind::pass);
}

TEST_F(SignVerify, SyntaxErrorsAreNeutral) {
  const std::string ok_tags = "a=rsa-sha256; bh=AAAA; b=AAAA; d=example.org; h=from; s=sel";
  struct Case {
    std::string field;
    SignatureError error;
  };
  const Case cases[] = {
      {"v=1; a=rsa-sha256; b=AAAA; d=example.org; h=from; s=sel", SignatureError::missing_tag},
      {"v=2; " + ok_tags, SignatureError::bad_version},
      {"v=1; " + ok_tags + "; c=fancy/simple", SignatureError::bad_tag_value},
      {"v=1; " + ok_tags + "; x=10; t=20", SignatureError::expiry_before_timestamp},
      {"v=1; " + ok_tags + "; q=http", SignatureError::unsupported_query_method},
      {"v=1; " + ok_tags + "; l=-1", SignatureError::bad_tag_value},
      {"v=1; " + ok_tags + "; t=soon", SignatureError::bad_tag_value},
      {"v=1; a=rsa-sha256; bh=AAAA; b=A; d=example.org; h=from; s=sel", SignatureError::bad_tag_value},
      {"v=1; a=rsa-sha256; bh=AAAA; b=AAAA; d=exa mple.org; h=from; s=sel", SignatureError::bad_tag_value},
      {"v=1; a=rsa-sha256; bh=AAAA; b=AAAA; d=example.org; h=from; s=se;l", SignatureError::tag_syntax},
      {"v=1; a=hmac-sha256; bh=AAAA; b=AAAA; d=example.org; h=from; s=sel", SignatureError::unsupported_algorithm},
      {"v=1; v=1; " + ok_tags, SignatureError::tag_syntax},
      {"v=1; " + ok_tags + "; z=" + std::string(70000, 'a'), SignatureError::too_long},
  };
  for (const auto& c : cases) {
    const std::string m = "DKIM-Signature: " + c.field + "\r\n" + message_;
    const auto sigs = parse_signatures(m);
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_EQ(sigs[0].error, c.error) << c.field.substr(0, 100);
    const Result r = verify(m, sigs[0], KeyRecordText{keys_.at("rsa2048._domainkey.example.org")}, t0);
    EXPECT_EQ(r.kind, ResultKind::neutral) << c.field.substr(0, 100);
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST_F(SignVerify, SignatureMustComeFromTheMessage) {
  const std::string signed_message = sign(rsa_options(), message_) + message_;
  const Signature sig = parse_signatures(signed_message)[0];
  const Result r = verify(message_, sig, KeyRecordText{keys_.at("rsa2048._domainkey.example.org")}, t0);
  EXPECT_EQ(r.kind, ResultKind::permerror);
}

TEST_F(SignVerify, SeveralSignatures) {
  const std::string once = sign(ed_options(), message_) + message_;
  SignOptions other = rsa_options();
  other.headers = {"From", "Subject", "DKIM-Signature"};  // a second signer covering the first
  const std::string twice = sign(other, once) + once;
  const std::string broken = "DKIM-Signature: v=1; a=rsa-sha256\r\n" + twice;
  const auto results = verify_with_keys(broken, test::answers(keys_), t0);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].kind, ResultKind::neutral);
  EXPECT_EQ(results[1].kind, ResultKind::pass);
  EXPECT_EQ(results[1].selector, "rsa2048");
  EXPECT_EQ(results[2].kind, ResultKind::pass);
  EXPECT_EQ(results[2].selector, "ed");
  // Changing the covered DKIM-Signature breaks the outer one; the inner one then fails too.
  const auto tampered = verify_with_keys(edit(twice, "s=ed;", "s=ed; z=1;"), test::answers(keys_), t0);
  ASSERT_EQ(tampered.size(), 2u);
  EXPECT_EQ(tampered[0].kind, ResultKind::fail);
}

TEST_F(SignVerify, AtMostFiftySignatures) {
  std::string m = message_;
  for (int i = 0; i < 60; ++i) m = "DKIM-Signature: v=1; s=s" + std::to_string(i) + "\r\n" + m;
  const auto sigs = parse_signatures(m);
  ASSERT_EQ(sigs.size(), max_signatures);
  EXPECT_EQ(sigs.front().s, "s59");  // top to bottom
  EXPECT_EQ(verify_with_keys(m, {}, t0).size(), max_signatures);
  EXPECT_TRUE(key_names(m).empty());  // none is well-formed: no lookups
}

TEST_F(SignVerify, MissingKeyAnswersAreTemporary) {
  const std::string signed_message = sign(rsa_options(), message_) + message_;
  const auto results = verify_with_keys(signed_message, {}, t0);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, ResultKind::temperror);
}

TEST_F(SignVerify, OptionsAreValidated) {
  SignOptions o = rsa_options();
  EXPECT_EQ(validate(o), std::nullopt);
  o.domain = "exa mple.org";
  EXPECT_EQ(validate(o), SignError::invalid_domain);
  EXPECT_THROW(sign(o, message_), std::invalid_argument);
  o = rsa_options();
  o.selector = "";
  EXPECT_EQ(validate(o), SignError::invalid_selector);
  o = rsa_options();
  o.identity = "alice@example.com";
  EXPECT_EQ(validate(o), SignError::invalid_identity);
  o.identity = "alice;x@example.org";
  EXPECT_EQ(validate(o), SignError::invalid_identity);
  o = rsa_options();
  o.expires = t0;
  EXPECT_EQ(validate(o), SignError::invalid_expiry);
  o = rsa_options();
  o.headers = {"From", "Bad Name"};
  EXPECT_EQ(validate(o), SignError::invalid_header);
  o = rsa_options();
  o.selector = "2024_01.mail";
  EXPECT_EQ(validate(o), std::nullopt);
}

TEST_F(SignVerify, EmptyAndHeaderOnlyMessages) {
  for (const std::string& m : {std::string("From: a@example.org\r\n\r\n"), std::string("From: a@example.org\r\n"),
                              std::string("From: a@example.org")}) {
    EXPECT_EQ(check(sign(rsa_options(), m) + m).kind, ResultKind::pass) << m;
    SignOptions simple = ed_options();
    simple.body_canon = Canon::simple;
    EXPECT_EQ(check(sign(simple, m) + m).kind, ResultKind::pass) << m;
  }
}

}  // namespace
}  // namespace atrium::mail::auth::dkim
