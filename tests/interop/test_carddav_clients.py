"""CardDAV with more real clients, beyond test_carddav's vdirsyncer and tsdav checks:

- khard (Debian's package) lists, adds and removes contacts in a folder that vdirsyncer keeps in
  sync with the default address book, so what the server serves must be readable by khard and
  what khard writes must arrive on the server;
- python3-vobject builds vCard 3.0 cards with what real address books put in them and parses what
  the server hands back, by GET and by addressbook-multiget (RFC 6352 §8.7), property by property
  and parameter by parameter;
- the same parser checks the 3.0 <-> 4.0 conversion of CARDDAV:address-data version="4.0"
  (RFC 6352 §10.4, RFC 6350 Appendix A): a 3.0 card served as 4.0, that 4.0 text stored as a new
  card and served as 3.0 again, nothing lost on the way; Apple's group cards
  (X-ADDRESSBOOKSERVER-KIND / -MEMBER) served as KIND / MEMBER and back.
Atrium only."""
import base64
import io
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests
import vobject
import vobject.base

from caldav_support import ALICE, BOB, PASSWORDS, path_of
from caldav_support import dav  # noqa: F401 (the fixture)
from test_carddav import Vdirsyncer, server_cards

pytestmark = pytest.mark.skipif(bool(os.environ.get("CALDAV_REFERENCE")), reason="Atrium's CardDAV")

CARDDAV_NS = "urn:ietf:params:xml:ns:carddav"

# A JPEG's start-of-image marker, a JFIF header, a quantisation table and the end-of-image
# marker: what anything that sniffs a type from the bytes sees as a JPEG.
TINY_JPEG = (bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\xff\xdb\x00\x43\x00"
             + bytes(range(1, 65)) + b"\xff\xd9")

NAME_FIELDS = ("family", "given", "additional", "prefix", "suffix")
ADDRESS_FIELDS = ("box", "extended", "street", "city", "region", "code", "country")
# Parameters whose values are case-insensitive (RFC 2426 §4, RFC 6350 §5).
CASELESS_PARAMS = {"TYPE", "ENCODING", "VALUE"}


def book_path(user=ALICE):
    return f"/dav/addressbooks/{user}/contacts/"


def session(user=ALICE):
    s = requests.Session()
    s.auth = (user, PASSWORDS[user])
    return s


def put(s, dav, name, text, status=201):
    r = s.put(dav.url(book_path() + name), data=text.encode(), headers={"Content-Type": "text/vcard; charset=utf-8"})
    assert r.status_code == status, (r.status_code, r.text)
    return r


def get(s, dav, name):
    r = s.get(dav.url(book_path() + name))
    assert r.status_code == 200, (r.status_code, r.text)
    r.content.decode("utf-8")  # strictly: a fold inside a character would not decode
    assert r.headers["Content-Type"].split(";")[0].strip().lower() == "text/vcard", r.headers
    return r


def multiget(s, dav, names, version=None):
    """{name: (etag, address-data text)} from one addressbook-multiget; `version` None leaves the
    attribute out (RFC 6352 §10.4: then 3.0 is asked for)."""
    attr = f' version="{version}"' if version else ""
    hrefs = "".join(f"<D:href>{book_path()}{n}</D:href>" for n in names)
    body = (f'<?xml version="1.0" encoding="utf-8"?><C:addressbook-multiget xmlns:D="DAV:" xmlns:C="{CARDDAV_NS}">'
            f'<D:prop><D:getetag/><C:address-data content-type="text/vcard"{attr}/></D:prop>{hrefs}'
            "</C:addressbook-multiget>")
    r = s.request("REPORT", dav.url(book_path()), data=body.encode(),
                  headers={"Content-Type": "application/xml; charset=utf-8", "Depth": "0"})
    assert r.status_code == 207, (r.status_code, r.text)
    r.content.decode("utf-8")  # strictly: a fold inside a character would not decode
    out = {}
    for response in ET.fromstring(r.content).findall("{DAV:}response"):
        href = path_of(response.findtext("{DAV:}href"))
        ok = [p for p in response.findall("{DAV:}propstat") if " 200 " in p.findtext("{DAV:}status") + " "]
        assert len(ok) == 1, r.text
        data = ok[0].find(f"{{DAV:}}prop/{{{CARDDAV_NS}}}address-data")
        assert data is not None and data.text, r.text
        out[href.rsplit("/", 1)[-1]] = (ok[0].findtext("{DAV:}prop/{DAV:}getetag"), data.text)
    assert set(out) == set(names), r.text
    return out


def native(value):
    """vobject's parsed value as something comparable: N and ADR as tuples of their fields (a
    field with several values a tuple of them), lists as tuples, the rest as it is (PHOTO bytes)."""
    def field(v):
        return tuple(v) if isinstance(v, list) else v
    if isinstance(value, vobject.vcard.Name):
        return tuple(field(getattr(value, f)) for f in NAME_FIELDS)
    if isinstance(value, vobject.vcard.Address):
        return tuple(field(getattr(value, f)) for f in ADDRESS_FIELDS)
    return field(value)


def props(text, skip=("VERSION", "PRODID", "REV"), caseless=False, dates=False):
    """The card's properties as vobject parses them: a sorted list of (group, NAME, params, value).
    `caseless` compares the values of TYPE, ENCODING and VALUE without case and TYPE as a set;
    `dates` compares BDAY / ANNIVERSARY without the hyphens ISO 8601 allows either way."""
    card = vobject.readOne(text)
    assert card.name == "VCARD"
    out = []
    for line in card.getChildren():
        if line.name in skip:
            continue
        params = {}
        for name, values in line.params.items():
            if caseless and name in CASELESS_PARAMS:
                values = sorted({v.lower() for v in values})
            params[name.upper()] = tuple(values)
        value = native(line.value)
        if dates and line.name in ("BDAY", "ANNIVERSARY"):
            value = value.replace("-", "")
        out.append(((line.group or "").lower(), line.name, tuple(sorted(params.items())), value))
    return sorted(out, key=repr)


def raw_lines(text):
    """The card's content lines unfolded but not decoded: (group, NAME, params, raw value), with
    vobject's lexer only, for 4.0 cards (vobject reads the 3.0 value types into every card, and a
    data: URI is not 3.0 text)."""
    return [(line.group, line.name, line.params, line.value)
            for line in (vobject.base.textLineToContentLine(logical, n)
                         for logical, n in vobject.base.getLogicalLines(io.StringIO(text)))]


def components(raw):
    """A structured value's components, split at the semicolons no backslash escapes."""
    out, current, chars = [], "", iter(raw)
    for c in chars:
        if c == "\\":
            current += c + next(chars, "")
        elif c == ";":
            out.append(current)
            current = ""
        else:
            current += c
    return out + [current]


def values_of(lines, name):
    return [value for _, n, _, value in lines if n == name]


def with_uid(text, old, new):
    assert text.count(f"UID:{old}") == 1, text
    return text.replace(f"UID:{old}", f"UID:{new}")


# ---------------------------------------------------------------------------------------------
# khard through vdirsyncer


def khard_config(tmp_path, folder):
    config = tmp_path / "khard.conf"
    config.write_text(f"""[addressbooks]
[[contacts]]
path = {folder}

[general]
default_action = list
editor = /bin/false
merge_editor = /bin/false

[contact table]
display = formatted_name
sort = last_name
preferred_version = 3.0

[vcard]
skip_unparsable = no
""")
    return config


def khard(config, *args, input=None):
    r = subprocess.run(["khard", "-c", str(config), *args], input=input, capture_output=True, text=True, timeout=60)
    print(f"$ khard {' '.join(args)}\n{r.stdout}{r.stderr}")
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def parsable(out):
    """The tab-separated rows of khard's --parsable output (not its 'searching for' line)."""
    return {tuple(line.split("\t")) for line in out.splitlines() if "\t" in line}


def test_khard_through_vdirsyncer(dav, tmp_path):
    s = session()
    put(s, dav, "c-ada.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c-ada\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n"
        "EMAIL;TYPE=INTERNET,HOME:ada@example.test\r\nTEL;TYPE=CELL:+44 20 7946 0001\r\nEND:VCARD\r\n")
    put(s, dav, "c-juergen.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c-juergen\r\nFN:Jürgen Müller\r\nN:Müller;Jürgen;;;\r\n"
        "EMAIL;TYPE=INTERNET,WORK:jm@firma.example.test\r\nEMAIL;TYPE=INTERNET,HOME:juergen@example.test\r\n"
        "ADR;TYPE=HOME:;;Straße des 17. Juni 135;Berlin;;10623;Deutschland\r\n"
        "NOTE:Bürozeiten: Mo\\, Di\\; sonst nach Absprache\r\nEND:VCARD\r\n")
    put(s, dav, "c-grace.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c-grace\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n"
        "EMAIL;TYPE=INTERNET:grace@example.test\r\nEND:VCARD\r\n")
    # Stored as 4.0: vdirsyncer's multiget names no version, so it is served as 3.0.
    put(s, dav, "c-mary.vcf",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c-mary\r\nFN:Mary Somerville\r\nN:Somerville;Mary;;;\r\n"
        "EMAIL;TYPE=work;PREF=1:mary@example.test\r\nTEL;VALUE=uri;TYPE=cell:tel:+44-20-7946-0002\r\n"
        "END:VCARD\r\n")

    v = Vdirsyncer(dav, tmp_path)
    v.run("discover", input="y\n" * 4)
    v.run("sync")
    local = v.files()
    assert set(local) == {"c-ada", "c-juergen", "c-grace", "c-mary"}
    mary = local["c-mary"].read_text()
    assert re.search(r"^VERSION:3\.0\r?$", mary, re.M), mary
    assert re.search(r"^TEL;[^:]*:\+44-20-7946-0002\r?$", mary, re.M), mary

    config = khard_config(tmp_path, v.local / "contacts")
    assert parsable(khard(config, "list", "--parsable")) == {
        ("c-ada", "Ada Lovelace", "contacts"), ("c-juergen", "Jürgen Müller", "contacts"),
        ("c-grace", "Grace Hopper", "contacts"), ("c-mary", "Mary Somerville", "contacts")}
    emails = {(row[0], row[1]) for row in parsable(khard(config, "email", "--parsable"))}
    assert emails == {("ada@example.test", "Ada Lovelace"), ("jm@firma.example.test", "Jürgen Müller"),
                      ("juergen@example.test", "Jürgen Müller"), ("grace@example.test", "Grace Hopper"),
                      ("mary@example.test", "Mary Somerville")}
    phones = {(row[0], row[1]) for row in parsable(khard(config, "phone", "--parsable"))}
    assert phones == {("+44 20 7946 0001", "Ada Lovelace"), ("+44-20-7946-0002", "Mary Somerville")}
    shown = khard(config, "show", "uid:c-juergen")
    assert "Straße des 17. Juni 135" in shown and "Bürozeiten: Mo, Di; sonst nach Absprache" in shown, shown

    # A contact made with khard reaches the server.
    template = tmp_path / "new.yaml"
    template.write_text("First name : Katherine\nLast name : Johnson\nOrganisation : NASA\n"
                        "Email :\n    work : kj@nasa.example.test\nPhone :\n    cell : \"+1 555 0100\"\n"
                        "Note : \"Orbital mechanics; trajectories, too\"\n")
    khard(config, "new", "-a", "contacts", "-i", str(template))
    new = set(v.files()) - set(local)
    assert len(new) == 1, v.files()
    uid = new.pop()
    v.run("sync")
    cards = server_cards(dav)
    assert set(cards) == {"c-ada", "c-juergen", "c-grace", "c-mary", uid}
    card = vobject.readOne(cards[uid][2])
    assert card.fn.value == "Katherine Johnson"
    assert (card.n.value.family, card.n.value.given) == ("Johnson", "Katherine")
    assert [(e.value, [t.lower() for t in e.params.get("TYPE", [])]) for e in card.email_list] == \
        [("kj@nasa.example.test", ["work"])]
    assert [t.value for t in card.tel_list] == ["+1 555 0100"]
    assert card.org.value == ["NASA"]
    assert card.note.value == "Orbital mechanics; trajectories, too"

    # A change on the server and a removal with khard: both sides agree after one sync.
    href, etag, text = cards["c-ada"]
    r = s.put(dav.url(href), data=text.replace("ada@example.test", "ada@analytical.example.test").encode(),
              headers={"Content-Type": "text/vcard", "If-Match": etag})
    assert r.status_code in (200, 204), r.text
    khard(config, "remove", "--force", "uid:c-grace")
    v.run("sync")
    assert set(server_cards(dav)) == {"c-ada", "c-juergen", "c-mary", uid}
    assert s.get(dav.url(book_path() + "c-grace.vcf")).status_code == 404
    emails = {(row[0], row[1]) for row in parsable(khard(config, "email", "--parsable"))}
    assert ("ada@analytical.example.test", "Ada Lovelace") in emails
    assert ("ada@example.test", "Ada Lovelace") not in emails
    assert ("grace@example.test", "Grace Hopper") not in emails
    assert server_cards(dav, BOB) == {}


# ---------------------------------------------------------------------------------------------
# python3-vobject


def rich_card(uid):
    """A 3.0 card with what address books write: structured and non-ASCII names and addresses,
    several EMAIL / TEL with TYPEs, an inline JPEG, CATEGORIES, a NOTE with every character 3.0
    escapes, X- properties (one with a parameter) and Apple's labelled groups."""
    c = vobject.vCard()
    c.add("uid").value = uid
    c.add("prodid").value = "-//Atrium interop//vobject//EN"
    c.add("n").value = vobject.vcard.Name(family="Müller-Lüdenscheidt", given="Jürgen", additional="Q.",
                                          prefix="Dr.", suffix="PhD")
    c.add("fn").value = "Dr. Jürgen Q. Müller-Lüdenscheidt PhD"
    c.add("nickname").value = "Jü"
    c.add("org").value = ["Ærø Æbleskiver A/S", "Sales; Export"]
    c.add("title").value = "Head of Sales, EMEA"
    c.add("bday").value = "1970-01-31"
    for value, types in (("jm@aeroe.example.test", ["INTERNET", "WORK", "pref"]),
                         ("juergen@home.example.test", ["INTERNET", "HOME"])):
        e = c.add("email")
        e.value, e.type_param = value, types
    for value, types in (("+49 30 1234567", ["WORK", "VOICE"]), ("+49 171 7654321", ["CELL"]),
                         ("+49 30 1234568", ["HOME", "FAX"])):
        t = c.add("tel")
        t.value, t.type_param = value, types
    a = c.add("adr")
    a.value = vobject.vcard.Address(street="Straße des 17. Juni 135", city="Berlin", region="Berlin", code="10623",
                                    country="Deutschland")
    a.type_param = ["WORK"]
    a = c.add("adr")
    a.value = vobject.vcard.Address(extended="Étage 3; porte B", street=["12 rue de l'Église", "Bâtiment C"],
                                    city="Besançon", code="25000", country="France")
    a.type_param = ["HOME"]
    p = c.add("photo")
    p.value, p.encoding_param, p.type_param = TINY_JPEG, "b", "JPEG"
    c.add("categories").value = ["Friends", "Work, Colleagues", "VIP; Gold"]
    c.add("note").value = ("Line one, with a comma; and a semicolon\nLine two: C:\\Users\\jm\n"
                           "Zeile drei – Grüße aus Köln, wo der Dom steht; ein langer Satz, der gefaltet wird.\n"
                           # Folded lines (75 octets) must not split a UTF-8 sequence (RFC 6350 §3.2).
                           + "Preise: " + "€ü" * 60)
    c.add("url").value = "https://aeroe.example.test/team/juergen"
    c.add("x-custom").value = "custom; value, here"
    x = c.add("x-socialprofile")
    x.value, x.type_param = "https://social.example.test/@jm", "mastodon"
    g = c.add("email")
    g.group, g.value, g.type_param = "item1", "alias@example.test", "INTERNET"
    g = c.add("x-ablabel")
    g.group, g.value = "item1", "_$!<Other>!$_"
    g = c.add("tel")
    g.group, g.value = "item2", "+49 30 1234569"
    g = c.add("x-ablabel")
    g.group, g.value = "item2", "Reception, ground floor"
    return c.serialize()


def company_card(uid):
    """An organisation as Apple writes one: empty N, X-ABShowAs, ORG with units."""
    c = vobject.vCard()
    c.add("uid").value = uid
    c.add("n").value = vobject.vcard.Name()
    c.add("fn").value = "Ærø Æbleskiver A/S"
    c.add("org").value = ["Ærø Æbleskiver A/S", "Export"]
    c.add("x-abshowas").value = "COMPANY"
    t = c.add("tel")
    t.value, t.type_param = "+45 62 52 00 00", ["WORK", "FAX"]
    e = c.add("email")
    e.value, e.type_param = "info@aeroe.example.test", ["INTERNET", "WORK"]
    return c.serialize()


def listed_names_card(uid):
    """Several values in one N component, the way 3.0 lists them."""
    c = vobject.vCard()
    c.add("uid").value = uid
    c.add("n").value = vobject.vcard.Name(family="de la Cruz", given="María", additional=["José", "Luisa"])
    c.add("fn").value = "María José Luisa de la Cruz"
    c.add("nickname").value = "Majo"
    e = c.add("email")
    e.value, e.type_param = "majo@example.test", ["INTERNET", "HOME", "pref"]
    return c.serialize()


def test_vobject_cards_round_trip(dav):
    s = session()
    cards = {"rt-rich.vcf": rich_card("rt-rich"), "rt-company.vcf": company_card("rt-company"),
             "rt-names.vcf": listed_names_card("rt-names")}
    for name, text in cards.items():
        # The builders themselves round-trip through vobject: what the server returns is compared
        # with exactly what was meant.
        assert props(text, skip=()) == props(vobject.readOne(text).serialize(), skip=())
        put(s, dav, name, text)

    fetched = multiget(s, dav, list(cards))
    explicit = multiget(s, dav, list(cards), version="3.0")
    for name, text in cards.items():
        expected = props(text, skip=())
        r = get(s, dav, name)
        assert props(r.text, skip=()) == expected, name
        etag, data = fetched[name]
        assert etag == r.headers["ETag"]
        assert props(data, skip=()) == expected, name
        assert explicit[name][1] == data, name

    rich = vobject.readOne(get(s, dav, "rt-rich.vcf").text)
    assert rich.photo.value == TINY_JPEG
    assert rich.note.value.splitlines()[1] == "Line two: C:\\Users\\jm"
    assert rich.categories.value == ["Friends", "Work, Colleagues", "VIP; Gold"]
    assert rich.adr_list[1].value.street == ["12 rue de l'Église", "Bâtiment C"]
    labels = {line.group.lower(): line.value for line in rich.getChildren() if line.name == "X-ABLABEL"}
    assert labels == {"item1": "_$!<Other>!$_", "item2": "Reception, ground floor"}
    names = vobject.readOne(fetched["rt-names.vcf"][1])
    assert names.n.value.additional == ["José", "Luisa"]


# ---------------------------------------------------------------------------------------------
# 3.0 <-> 4.0


def assert_valid_4(text):
    """What RFC 6350 asks of every 4.0 card that a 3.0 card could get wrong."""
    lines = raw_lines(text)
    assert [n for _, n, _, _ in lines[:2]] == ["BEGIN", "VERSION"] and lines[1][3] == "4.0", text  # §6.7.9
    assert lines[-1][1] == "END" and values_of(lines, "VERSION") == ["4.0"], text
    assert len(values_of(lines, "FN")) >= 1, text  # §6.2.1: FN is mandatory
    for _, name, params, value in lines:
        assert "ENCODING" not in params and "CHARSET" not in params, (name, params)  # gone in 4.0
        assert all(t.lower() != "pref" for v in params.get("TYPE", []) for t in v.split(",")), (name, params)
        for pref in params.get("PREF", []):
            assert pref.isdigit() and 1 <= int(pref) <= 100, (name, params)  # §5.3
        # §6.2.2: N-value = list-component 4(";" list-component); §6.3.1: ADR has seven.
        if name in ("N", "ADR"):
            assert len(components(value)) == {"N": 5, "ADR": 7}[name], (name, value)
    return lines


def test_vcard3_as_4_and_back(dav):
    s = session()
    original = rich_card("conv-3")
    put(s, dav, "conv-3.vcf", original)
    v4 = multiget(s, dav, ["conv-3.vcf"], version="4.0")["conv-3.vcf"][1]
    lines = assert_valid_4(v4)

    # PHOTO: a data: URI with the media type, no ENCODING, no TYPE=JPEG (RFC 6350 §6.2.4).
    (photo,) = [(params, value) for _, name, params, value in lines if name == "PHOTO"]
    assert "TYPE" not in photo[0], photo
    assert photo[1].startswith("data:image/jpeg;base64,"), photo
    assert base64.b64decode(photo[1].split(",", 1)[1]) == TINY_JPEG
    # The preferred address is PREF=1, the others have no PREF; the TYPEs, of any case, stay.
    emails = {value: params for _, name, params, value in lines if name == "EMAIL"}
    assert emails["jm@aeroe.example.test"].get("PREF") == ["1"], emails
    assert "PREF" not in emails["juergen@home.example.test"], emails
    types = {value: sorted(t.lower() for v in params.get("TYPE", []) for t in v.split(","))
             for _, name, params, value in lines if name in ("EMAIL", "TEL", "ADR")}
    assert types["jm@aeroe.example.test"] == ["internet", "work"]
    assert types["+49 30 1234567"] == ["voice", "work"]
    assert types["+49 30 1234568"] == ["fax", "home"]
    # 4.0 dates are ISO 8601's basic form (§4.3.1).
    assert values_of(lines, "BDAY") == ["19700131"], v4
    # Unchanged text, non-ASCII included, and Apple's groups.
    assert values_of(lines, "N") == ["Müller-Lüdenscheidt;Jürgen;Q.;Dr.;PhD"]
    assert ";Étage 3\\; porte B;12 rue de l'Église,Bâtiment C;Besançon;;25000;France" in values_of(lines, "ADR")
    assert values_of(lines, "X-CUSTOM") == ["custom\\; value\\, here"]
    assert [(g, v) for g, n, _, v in lines if n == "X-ABLABEL"] == [("item1", "_$!<Other>!$_"),
                                                                    ("item2", "Reception\\, ground floor")]

    # GET still returns the card as it was stored.
    assert props(get(s, dav, "conv-3.vcf").text, skip=()) == props(original, skip=())

    # That 4.0 text, stored as a card of its own, comes back as 3.0 with nothing lost.
    put(s, dav, "conv-4.vcf", with_uid(v4, "conv-3", "conv-4"))
    stored = get(s, dav, "conv-4.vcf").text
    assert raw_lines(stored)[1][1:] == ("VERSION", {}, "4.0"), stored
    back = multiget(s, dav, ["conv-4.vcf"], version="3.0")["conv-4.vcf"][1]
    default = multiget(s, dav, ["conv-4.vcf"])["conv-4.vcf"][1]
    assert default == back  # RFC 6352 §10.4: version defaults to "3.0"
    assert raw_lines(back)[1][1:] == ("VERSION", {}, "3.0"), back
    skip = ("VERSION", "PRODID", "REV", "UID")
    assert props(back, skip=skip, caseless=True, dates=True) == props(original, skip=skip, caseless=True, dates=True)
    card = vobject.readOne(back)
    assert card.uid.value == "conv-4"
    assert card.photo.value == TINY_JPEG
    assert [t.lower() for t in card.photo.params["TYPE"]] == ["jpeg"]
    pref = [e.value for e in card.email_list if "pref" in [t.lower() for t in e.params.get("TYPE", [])]]
    assert pref == ["jm@aeroe.example.test"]


def test_vcard3_short_structured_values_as_4(dav):
    """3.0 lets N and ADR leave out trailing components (RFC 2426 §4: n-value =
    0*4(text-value ";") text-value, adr-value = 0*6(text-value ";") text-value); 4.0 has them
    all (RFC 6350 §6.2.2, §6.3.1), so the converted card fills them in, empty."""
    s = session()
    put(s, dav, "short.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:short\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada\r\n"
                             "ADR;TYPE=HOME:;;12 St James's Square;London\r\nADR;TYPE=WORK:PO Box 7\r\nEND:VCARD\r\n")
    v4 = multiget(s, dav, ["short.vcf"], version="4.0")["short.vcf"][1]
    lines = raw_lines(v4)
    assert [components(v) for v in values_of(lines, "N")] == [["Lovelace", "Ada", "", "", ""]], v4
    assert sorted(components(v) for v in values_of(lines, "ADR")) == \
        [["", "", "12 St James's Square", "London", "", "", ""], ["PO Box 7", "", "", "", "", "", ""]], v4
    assert_valid_4(v4)


def test_apple_group_as_kind_and_member(dav):
    s = session()
    members = ["0e8f2c1a-6f4b-4bd8-9a51-1c2d3e4f5a61", "7b3d9e20-2c5a-4f1e-8d6c-9a8b7c6d5e4f"]
    for uid, name in zip(members, ("Ada Lovelace", "Grace Hopper")):
        put(s, dav, f"{uid}.vcf", f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\n"
                                  f"N:{name.split()[1]};{name.split()[0]};;;\r\nEND:VCARD\r\n")
    group = ("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17.4//EN\r\nN:Book Club\r\nFN:Book Club\r\n"
             "X-ADDRESSBOOKSERVER-KIND:group\r\n"
             + "".join(f"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:{m}\r\n" for m in members)
             + "REV:2026-01-02T03:04:05Z\r\nUID:4d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d\r\nEND:VCARD\r\n")
    put(s, dav, "group-3.vcf", group)
    urns = sorted(f"urn:uuid:{m}" for m in members)

    # As 4.0: KIND and MEMBER (RFC 6350 §6.1.4, §6.6.5), Apple's X- lines replaced by them.
    v4 = multiget(s, dav, ["group-3.vcf"], version="4.0")["group-3.vcf"][1]
    lines = raw_lines(v4)
    assert [k.lower() for k in values_of(lines, "KIND")] == ["group"], v4
    assert sorted(values_of(lines, "MEMBER")) == urns, v4
    assert values_of(lines, "FN") == ["Book Club"]
    assert not [n for _, n, _, _ in lines if n.startswith("X-ADDRESSBOOKSERVER-")], v4
    # Stored as it came.
    stored = vobject.readOne(get(s, dav, "group-3.vcf").text)
    assert stored.x_addressbookserver_kind.value == "group"
    assert sorted(m.value for m in stored.x_addressbookserver_member_list) == urns

    # The 4.0 text stored as a card of its own, and a group written by a 4.0 client (no N): as
    # 3.0 both are Apple groups again, with the N 3.0 requires, and without KIND / MEMBER,
    # which would otherwise stand beside the X- lines a 3.0 client edits.
    put(s, dav, "group-4.vcf", with_uid(v4, "4d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d", "group-4"))
    put(s, dav, "group-native.vcf",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:5f6e7d8c-1a2b-4c3d-9e8f-0a1b2c3d4e5f\r\nKIND:group\r\n"
        "FN:Book Club\r\n" + "".join(f"MEMBER:{u}\r\n" for u in urns) + "END:VCARD\r\n")
    back = multiget(s, dav, ["group-4.vcf", "group-native.vcf"], version="3.0")
    for name, (_, text) in back.items():
        card = vobject.readOne(text)
        assert card.version.value == "3.0", text
        assert card.fn.value == "Book Club"
        assert card.x_addressbookserver_kind.value.lower() == "group", text
        assert sorted(m.value for m in card.x_addressbookserver_member_list) == urns, text
        assert "n" in card.contents, text
        assert not [line for line in card.getChildren() if line.name in ("KIND", "MEMBER")], text
    assert props(back["group-4.vcf"][1], skip=("VERSION", "PRODID", "UID", "REV")) == \
        props(group, skip=("VERSION", "PRODID", "UID", "REV"))

    # Last, the 4.0 card's syntax: the group's N has one component ("N:Book Club", as some
    # servers and clients write groups, which 3.0's n-value allows); 4.0 wants all five.
    assert_valid_4(v4)
