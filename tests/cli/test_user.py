# atrium user add|del|show|list|passwd and user app-password add|del
import re

import pytest

from conftest import password_matches, stored_password_hash


def show(atrium, email):
    out = atrium.ok("user", "show", email)
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(": ")
        fields.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}


def test_add_and_show(site):
    s = show(site, "demo@example.test")
    assert s["email"] == "demo@example.test"
    assert s["kind"] == "user"
    assert s["name"] == "Demo User"
    assert s["password"] == "set"
    assert s["quota"] == "unlimited"
    assert s["used"] == "0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["created"])
    assert "app_password" not in s
    assert password_matches(stored_password_hash(site.data_dir, "demo@example.test"), "correct horse")


def test_address_is_case_insensitive(site):
    assert show(site, "DEMO@Example.Test")["email"] == "demo@example.test"


@pytest.mark.parametrize("quota, shown", [("0", "unlimited"), ("1500", "1500"), ("512K", "512K"), ("2G", "2G"),
                                          ("1t", "1T"), ("3GiB", "3G")])
def test_quota_sizes(site, quota, shown):
    site.ok("user", "add", "q@example.test", "--password", "pw", "--quota", quota)
    assert show(site, "q@example.test")["quota"] == shown


def test_list(site):
    site.ok("user", "add", "alice@example.test", "--password", "pw", "--quota", "1G")
    site.ok("group", "add", "team@example.test")
    assert site.lines("user", "list") == [
        "alice@example.test\t\t1G\t0",
        "demo@example.test\tDemo User\tunlimited\t0",
    ]


def test_password_from_stdin_strips_the_line_end(site):
    site.ok("user", "add", "s@example.test", "--password-stdin", input="from stdin\r\nsecond line\n")
    phc = stored_password_hash(site.data_dir, "s@example.test")
    assert password_matches(phc, "from stdin")
    assert not password_matches(phc, "from stdin\r")


@pytest.mark.parametrize("args, message", [
    (["demo@example.test", "--password", "pw"], "atrium: error: demo@example.test already exists"),
    (["DEMO@example.test", "--password", "pw"], "atrium: error: demo@example.test already exists"),
    (["not-an-address", "--password", "pw"], "atrium: error: invalid address \"not-an-address\": missing '@'"),
    (["a@b@example.test", "--password", "pw"], "invalid address"),
    (["x@unknown.test", "--password", "pw"], "atrium: error: domain unknown.test is not a local domain"),
    (["x@example.test", "--password", ""], "atrium: error: the password is empty"),
    (["x@example.test", "--password", "a\tb"], "control character"),
    (["x@example.test", "--password", "pw", "--quota", "10X"], "invalid quota \"10X\": unknown size suffix"),
    (["x@example.test", "--password", "pw", "--quota", "1.5G"], "invalid quota \"1.5G\""),
    (["x@example.test", "--password", "pw", "--quota", "-1"], "invalid quota \"-1\""),
    (["x@example.test", "--password", "pw", "--quota", "50MB"], "invalid quota \"50MB\""),
    (["x@example.test", "--password", "pw", "--quota", "99999999T"], "too large"),
])
def test_add_refusals_change_nothing(site, args, message):
    before = site.ok("user", "list")
    assert message in site.fails("user", "add", *args)
    assert site.ok("user", "list") == before


def test_empty_password_on_stdin(site):
    assert site.fails("user", "add", "x@example.test", "--password-stdin", input="") == \
        "atrium: error: the password is empty"
    assert site.fails("user", "add", "x@example.test", "--password-stdin", input="\n") == \
        "atrium: error: the password is empty"
    assert "x@example.test" not in site.ok("user", "list")


def test_del(site):
    site.ok("user", "add", "bob@example.test", "--password", "pw")
    site.ok("user", "del", "bob@example.test")
    assert [l.split("\t")[0] for l in site.lines("user", "list")] == ["demo@example.test"]
    assert site.fails("user", "del", "bob@example.test") == "atrium: error: bob@example.test does not exist"
    # The address is free again.
    site.ok("user", "add", "bob@example.test", "--password", "pw")


def test_del_refuses_other_kinds(site):
    site.ok("group", "add", "team@example.test")
    line = site.fails("user", "del", "team@example.test")
    assert line == "atrium: error: team@example.test is a group, not a user; use 'atrium group del'"
    assert site.lines("group", "list") == ["team@example.test\t\t"]


def test_show_refusals(site):
    assert site.fails("user", "show", "nobody@example.test") == "atrium: error: nobody@example.test does not exist"
    assert "invalid address" in site.fails("user", "show", "nobody")


def test_passwd(site):
    site.ok("user", "passwd", "demo@example.test", "--password", "new secret")
    assert password_matches(stored_password_hash(site.data_dir, "demo@example.test"), "new secret")
    site.ok("user", "passwd", "demo@example.test", "--password-stdin", input="third one\n")
    phc = stored_password_hash(site.data_dir, "demo@example.test")
    assert password_matches(phc, "third one")
    assert not password_matches(phc, "new secret")


def test_passwd_refusals(site):
    before = stored_password_hash(site.data_dir, "demo@example.test")
    assert site.fails("user", "passwd", "nobody@example.test", "--password", "pw") == \
        "atrium: error: nobody@example.test does not exist"
    assert site.fails("user", "passwd", "demo@example.test", "--password", "") == \
        "atrium: error: the password is empty"
    site.ok("group", "add", "team@example.test")
    assert "team@example.test is not a user" in site.fails("user", "passwd", "team@example.test", "--password", "pw")
    assert stored_password_hash(site.data_dir, "demo@example.test") == before


def test_app_password(site):
    token = site.ok("user", "app-password", "add", "demo@example.test", "--label", "phone")
    assert re.fullmatch(r"([a-z2-9]{4}-){5}[a-z2-9]{4}\n", token), token
    other = site.ok("user", "app-password", "add", "demo@example.test", "--label", "laptop")
    assert other != token
    s = show(site, "demo@example.test")
    assert len(s["app_password"]) == 2
    assert s["app_password"][0].startswith("laptop (created ")
    assert s["app_password"][1].startswith("phone (created ") and s["app_password"][1].endswith("last used never)")
    site.ok("user", "app-password", "del", "demo@example.test", "--label", "laptop")
    assert show(site, "demo@example.test")["app_password"].startswith("phone ")


def test_app_password_refusals(site):
    site.ok("user", "app-password", "add", "demo@example.test", "--label", "phone")
    assert site.fails("user", "app-password", "add", "demo@example.test", "--label", "phone") == \
        "atrium: error: demo@example.test already has an app password labelled \"phone\""
    assert "does not exist" in site.fails("user", "app-password", "add", "nobody@example.test", "--label", "x")
    assert "label must be" in site.fails("user", "app-password", "add", "demo@example.test", "--label", "")
    assert "has no app password labelled" in site.fails("user", "app-password", "del", "demo@example.test",
                                                       "--label", "tablet")


def test_secrets_never_printed(site):
    site.ok("user", "app-password", "add", "demo@example.test", "--label", "phone")
    outputs = [site.run(*cmd) for cmd in (["user", "show", "demo@example.test"], ["user", "list"],
                                          ["group", "list"], ["alias", "list"])]
    for r in outputs:
        text = r.stdout + r.stderr
        assert "argon2" not in text and "sha256$" not in text and "correct horse" not in text
