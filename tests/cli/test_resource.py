# atrium resource add|del|list
def test_add_list_show_del(site):
    site.ok("resource", "add", "board@example.test", "--name", "Board room")
    site.ok("resource", "add", "beamer@example.test", "--name", "Beamer", "--kind", "equipment")
    site.ok("resource", "add", "hall@example.test", "--name", "Hall", "--kind", "room")
    assert site.lines("resource", "list") == [
        "beamer@example.test\tequipment\tBeamer",
        "board@example.test\troom\tBoard room",
        "hall@example.test\troom\tHall",
    ]
    out = site.ok("user", "show", "beamer@example.test")
    assert "kind: resource\n" in out and "resource_kind: equipment\n" in out
    assert "resource" not in site.ok("user", "list")
    assert "is a resource, not a user" in site.fails("user", "del", "beamer@example.test")
    site.ok("resource", "del", "beamer@example.test")
    assert len(site.lines("resource", "list")) == 2


def test_refusals_change_nothing(site):
    site.ok("resource", "add", "board@example.test", "--name", "Board room")
    before = site.ok("resource", "list")
    assert site.fails("resource", "add", "board@example.test", "--name", "Again") == \
        "atrium: error: board@example.test already exists"
    assert site.fails("resource", "add", "x@unknown.test", "--name", "X") == \
        "atrium: error: domain unknown.test is not a local domain"
    assert site.fails("resource", "add", "x@example.test", "--name", "") == "atrium: error: a resource needs a name"
    assert "car not in {room,equipment}" in site.fails("resource", "add", "x@example.test", "--name", "X",
                                                       "--kind", "car", code=2)
    assert site.fails("resource", "del", "demo@example.test") == \
        "atrium: error: demo@example.test is a user, not a resource; use 'atrium user del'"
    assert site.ok("resource", "list") == before
