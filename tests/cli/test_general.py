# The command line as a whole: help, usage errors, version, config file selection, config check.
import os
import re

import pytest

COMMANDS = [
    [], ["serve"], ["domain"], ["domain", "add"], ["domain", "del"], ["domain", "list"],
    ["user"], ["user", "add"], ["user", "del"], ["user", "show"], ["user", "list"], ["user", "passwd"],
    ["user", "app-password"], ["user", "app-password", "add"], ["user", "app-password", "del"],
    ["alias"], ["alias", "add"], ["alias", "del"], ["alias", "list"],
    ["group"], ["group", "add"], ["group", "del"], ["group", "list"],
    ["group", "member"], ["group", "member", "add"], ["group", "member", "del"],
    ["resource"], ["resource", "add"], ["resource", "del"], ["resource", "list"],
    ["config"], ["config", "check"], ["version"],
]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: " ".join(c) or "atrium")
def test_help_on_every_command(atrium, cmd):
    r = atrium.run(*cmd, "--help")
    assert r.returncode == 0, r.stderr
    assert "Usage: atrium" in r.stdout
    assert r.stderr == ""
    assert not atrium.data_dir.exists(), "--help must not create the store"


@pytest.mark.parametrize("args", [
    [],
    ["bogus"],
    ["--nope"],
    ["domain"],
    ["domain", "add"],
    ["domain", "add", "a.test", "b.test"],
    ["user", "frobnicate"],
    ["user", "add", "x@example.test"],
    ["user", "add", "x@example.test", "--password", "a", "--password-stdin"],
    ["user", "add", "--password", "a"],
    ["user", "list", "--nope"],
    ["user", "app-password", "add", "demo@example.test"],
    ["alias", "add", "info@example.test"],
    ["group", "member", "add", "team@example.test"],
    ["resource", "add", "room@example.test"],
    ["resource", "add", "room@example.test", "--name", "Room", "--kind", "car"],
    ["config"],
    ["-c"],
], ids=lambda a: " ".join(a) or "nothing")
def test_usage_errors_exit_2_with_one_line(atrium, args):
    line = atrium.fails(*args, code=2, config=False)
    assert "--help" in line
    assert not atrium.data_dir.exists()


def test_usage_error_names_the_unknown_word(atrium):
    assert "unknown command bogus" in atrium.fails("user", "bogus", code=2)
    assert "unknown option --nope" in atrium.fails("--nope", code=2, config=False)
    assert "(see 'atrium user add --help')" in atrium.fails("user", "add", code=2)


def test_version(atrium):
    out = atrium.ok("version", config=False)
    assert re.fullmatch(r"atrium \d+\.\d+\.\d+\n", out)
    assert atrium.ok("--version", config=False) == out


def test_config_option_may_follow_the_subcommand(atrium):
    atrium.ok("domain", "add", "example.test")
    assert atrium.run("domain", "list", "-c", atrium.config, config=False).stdout == "example.test\n"


def test_config_from_environment(atrium, tmp_path):
    env = dict(atrium.env, ATRIUM_CONFIG=str(atrium.config))
    other = tmp_path / "elsewhere"
    other.mkdir()
    r = atrium.run("domain", "add", "example.test", config=False, env=env, cwd=other)
    assert r.returncode == 0, r.stderr
    assert atrium.lines("domain", "list") == ["example.test"]
    assert not (other / "data").exists()


def test_config_from_working_directory(atrium):
    # atrium.toml sits in the test's home, which is also the working directory.
    atrium.ok("domain", "add", "example.test", config=False)
    assert atrium.lines("domain", "list") == ["example.test"]


def test_dev_defaults_without_a_file(atrium, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    r = atrium.run("domain", "add", "example.test", config=False, cwd=bare)
    assert r.returncode == 0, r.stderr
    assert (bare / "data" / "atrium.db").exists()


def test_named_config_must_exist(atrium, tmp_path):
    line = atrium.fails("domain", "list", config=tmp_path / "missing.toml")
    assert line == f"atrium: error: {tmp_path / 'missing.toml'}: cannot read: No such file or directory"
    env = dict(atrium.env, ATRIUM_CONFIG=str(tmp_path / "missing.toml"))
    assert "cannot read" in atrium.fails("domain", "list", config=False, env=env)


def test_store_created_in_a_missing_nested_data_dir(atrium):
    atrium.config.write_text('[server]\ndata_dir = "deep/er/data"\n')
    atrium.ok("domain", "list")
    assert (atrium.home / "deep" / "er" / "data" / "atrium.db").exists()


def test_config_check_ok(atrium):
    assert atrium.ok("config", "check") == f"ok: {atrium.config}\n"


def test_config_check_accepts_the_packaged_example(atrium):
    from conftest import REPO
    assert atrium.ok("config", "check", config=REPO / "packaging" / "atrium.toml").startswith("ok: ")


def test_config_check_without_a_file(atrium, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    assert "no configuration file" in atrium.fails("config", "check", config=False, cwd=bare)


@pytest.mark.parametrize("text, key, reason", [
    ('[server]\nhostnme = "x.test"\n', "server.hostnme", "unknown key"),
    ('[mail]\nx = 1\n', "mail", "unknown key"),
    ('[listen]\nimap4 = "127.0.0.1:143"\n', "listen.imap4", "unknown key"),
    ('[server]\nhostname = "bad_name"\n', "server.hostname", "not allowed in host name"),
    ('[server]\nlog_level = "loud"\n', "server.log_level", "expected one of debug, info, warn, error"),
    ('[listen]\nimap = "127.0.0.1:99999"\n', "listen.imap", "port out of range"),
    ('[listen]\nsmtp = "*:25"\n', "listen.smtp", "use 0.0.0.0"),
    ('[limits]\nmax_message_size = "50MB"\n', "limits.max_message_size", "unknown size suffix"),
    ('[limits]\nmax_connections = "many"\n', "limits.max_connections", "expected an integer, got a string"),
    ('[tls]\ncert = "c.pem"\n', "tls", "cert and key must be given together"),
    ('[auth]\nexempt = ["10.0.0.0/40"]\n', "auth.exempt", "prefix length"),
])
def test_bad_config_names_file_key_and_reason(atrium, text, key, reason):
    atrium.config.write_text(text)
    for cmd in (["config", "check"], ["domain", "list"]):
        line = atrium.fails(*cmd)
        assert line.startswith(f"atrium: error: {atrium.config}: {key}: "), line
        assert reason in line
    assert not atrium.data_dir.exists()


def test_toml_syntax_error_names_the_line(atrium):
    atrium.config.write_text('[server]\nhostname = \n')
    assert atrium.fails("config", "check").startswith(f"atrium: error: {atrium.config}:2:")


def test_config_check_looks_at_tls_files(atrium):
    atrium.config.write_text('[tls]\ncert = "cert.pem"\nkey = "key.pem"\n')
    line = atrium.fails("config", "check")
    assert line == f"atrium: error: {atrium.config}: tls.cert: \"{atrium.home / 'cert.pem'}\": file not found"
    (atrium.home / "cert.pem").write_text("x")
    (atrium.home / "key.pem").write_text("y")
    atrium.ok("config", "check")


def test_serve_needs_a_config_file_or_dev(atrium, tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    line = atrium.fails("serve", config=False, cwd=bare)
    assert "-c FILE" in line and "--dev" in line
    assert not (bare / "data").exists()


def test_serve_refuses_a_bad_config_before_starting(atrium):
    atrium.config.write_text('[listen]\nimap = "127.0.0.1:0"\n')
    assert "listen.imap" in atrium.fails("serve")
