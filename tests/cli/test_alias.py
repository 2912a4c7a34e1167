# atrium alias add|del|list
def test_add_list_merge_del(site):
    site.ok("alias", "add", "info@example.test", "demo@example.test", "ext@remote.example")
    site.ok("alias", "add", "postmaster@example.test", "demo@example.test")
    assert site.lines("alias", "list") == [
        "info@example.test\tdemo@example.test,ext@remote.example",
        "postmaster@example.test\tdemo@example.test",
    ]
    # Adding to an existing alias adds targets.
    site.ok("alias", "add", "info@example.test", "other@remote.example")
    assert site.lines("alias", "list")[0] == "info@example.test\tdemo@example.test,ext@remote.example,other@remote.example"
    site.ok("alias", "del", "info@example.test")
    assert site.lines("alias", "list") == ["postmaster@example.test\tdemo@example.test"]


def test_refusals_change_nothing(site):
    site.ok("alias", "add", "info@example.test", "demo@example.test")
    before = site.ok("alias", "list")
    assert site.fails("alias", "add", "demo@example.test", "x@remote.example") == \
        "atrium: error: demo@example.test already exists"
    assert site.fails("alias", "add", "a@unknown.test", "demo@example.test") == \
        "atrium: error: domain unknown.test is not a local domain"
    assert "invalid address" in site.fails("alias", "add", "bad", "demo@example.test")
    assert "invalid address" in site.fails("alias", "add", "x@example.test", "demo@example.test", "bad target")
    assert "cannot point at itself" in site.fails("alias", "add", "x@example.test", "x@example.test")
    assert site.fails("alias", "del", "nope@example.test") == "atrium: error: alias nope@example.test does not exist"
    assert site.ok("alias", "list") == before
    # The user's address may not become an alias, nor the alias a user.
    assert "already exists as an alias" in site.fails("user", "add", "info@example.test", "--password", "pw")
