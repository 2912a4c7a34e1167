# atrium domain add|del|list
def test_add_list_del(atrium):
    assert atrium.ok("domain", "list") == ""
    assert atrium.ok("domain", "add", "Example.TEST") == ""
    atrium.ok("domain", "add", "another.test")
    assert atrium.lines("domain", "list") == ["another.test", "example.test"]
    atrium.ok("domain", "del", "another.test")
    assert atrium.lines("domain", "list") == ["example.test"]


def test_refusals(atrium):
    atrium.ok("domain", "add", "example.test")
    assert atrium.fails("domain", "add", "example.test") == "atrium: error: domain example.test already exists"
    assert "invalid domain" in atrium.fails("domain", "add", "not a domain")
    assert "invalid domain" in atrium.fails("domain", "add", "localhost")
    assert atrium.fails("domain", "del", "missing.test") == "atrium: error: domain missing.test does not exist"
    assert atrium.lines("domain", "list") == ["example.test"]


def test_domain_in_use_cannot_be_deleted(site):
    line = site.fails("domain", "del", "example.test")
    assert "example.test still has" in line and "delete them first" in line
    assert site.lines("domain", "list") == ["example.test"]
    site.ok("user", "del", "demo@example.test")
    site.ok("alias", "add", "info@example.test", "someone@remote.example")
    assert "still has" in site.fails("domain", "del", "example.test")
    site.ok("alias", "del", "info@example.test")
    site.ok("domain", "del", "example.test")
    assert site.ok("domain", "list") == ""
