# atrium group add|del|list and group member add|del
def test_add_with_members_and_list(site):
    site.ok("user", "add", "alice@example.test", "--password", "pw")
    site.ok("group", "add", "team@example.test", "--name", "The Team", "--member", "demo@example.test",
            "--member", "alice@example.test")
    site.ok("group", "add", "all@example.test", "--member", "team@example.test")
    assert site.lines("group", "list") == [
        "all@example.test\t\tteam@example.test",
        "team@example.test\tThe Team\talice@example.test,demo@example.test",
    ]
    out = site.ok("user", "show", "team@example.test")
    assert "kind: group\n" in out and "member: alice@example.test\nmember: demo@example.test\n" in out


def test_member_add_del(site):
    site.ok("group", "add", "team@example.test")
    site.ok("group", "member", "add", "team@example.test", "demo@example.test")
    assert site.lines("group", "list") == ["team@example.test\t\tdemo@example.test"]
    site.ok("group", "member", "del", "team@example.test", "demo@example.test")
    assert site.lines("group", "list") == ["team@example.test\t\t"]


def test_refusals_change_nothing(site):
    site.ok("group", "add", "team@example.test", "--member", "demo@example.test")
    site.ok("group", "add", "outer@example.test", "--member", "team@example.test")
    before = site.ok("group", "list")
    assert site.fails("group", "add", "team@example.test") == "atrium: error: team@example.test already exists"
    assert site.fails("group", "add", "x@unknown.test") == "atrium: error: domain unknown.test is not a local domain"
    assert "invalid address" in site.fails("group", "add", "bad")
    # A refused member rolls the whole group back.
    assert site.fails("group", "add", "new@example.test", "--member", "nobody@example.test") == \
        "atrium: error: nobody@example.test does not exist"
    assert site.fails("group", "add", "self@example.test", "--member", "self@example.test") == \
        "atrium: error: a group cannot contain itself"
    assert site.fails("group", "member", "add", "team@example.test", "team@example.test") == \
        "atrium: error: a group cannot contain itself"
    assert "would be a loop" in site.fails("group", "member", "add", "team@example.test", "outer@example.test")
    assert site.fails("group", "member", "add", "nogroup@example.test", "demo@example.test") == \
        "atrium: error: nogroup@example.test does not exist"
    assert site.fails("group", "member", "add", "team@example.test", "nobody@example.test") == \
        "atrium: error: nobody@example.test does not exist"
    assert site.fails("group", "member", "add", "demo@example.test", "team@example.test") == \
        "atrium: error: demo@example.test is not a group"
    assert site.fails("group", "member", "del", "outer@example.test", "demo@example.test") == \
        "atrium: error: demo@example.test is not a member of outer@example.test"
    assert site.ok("group", "list") == before


def test_del(site):
    site.ok("group", "add", "team@example.test", "--member", "demo@example.test")
    assert site.fails("group", "del", "demo@example.test") == \
        "atrium: error: demo@example.test is a user, not a group; use 'atrium user del'"
    site.ok("group", "del", "team@example.test")
    assert site.ok("group", "list") == ""
    assert "demo@example.test" in site.ok("user", "list")
    assert site.fails("group", "del", "team@example.test") == "atrium: error: team@example.test does not exist"
