"""CardDAV with real clients: vdirsyncer (Debian's package) keeps the default address book in
two-way sync with a local folder (discovery from the server root through the principal's
addressbook-home-set; changes, additions and deletions on both sides; a following sync with
nothing to do), and tsdav (npm) discovers the address book and creates, reads, updates and
deletes a vCard. Atrium only."""
import json
import os
import pathlib
import re
import subprocess

import pytest
import requests

from caldav_support import ALICE, BOB, PASSWORDS
from caldav_support import dav  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(bool(os.environ.get("CALDAV_REFERENCE")), reason="Atrium's CardDAV")

NODE_DIR = pathlib.Path(__file__).parent / "node"


def card(uid, name, email):
    return (f"BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Atrium interop//EN\r\nUID:{uid}\r\nFN:{name}\r\n"
            f"N:{name.split()[-1]};{name.split()[0]};;;\r\nEMAIL;TYPE=INTERNET:{email}\r\nEND:VCARD\r\n")


def field(text, name):
    m = re.search(rf"^{name}[;:](?:[^:\r\n]*:)?(.*?)\r?$", text, re.M)
    return m.group(1) if m else None


class Vdirsyncer:
    def __init__(self, dav, tmp: pathlib.Path):
        self.local = tmp / "local"
        self.local.mkdir()
        self.config = tmp / "vdirsyncer.conf"
        self.config.write_text(f"""[general]
status_path = "{tmp / 'status'}/"

[pair contacts]
a = "contacts_local"
b = "contacts_remote"
collections = ["contacts"]
conflict_resolution = "b wins"

[storage contacts_local]
type = "filesystem"
path = "{self.local}/"
fileext = ".vcf"

[storage contacts_remote]
type = "carddav"
url = "{dav.base}/"
username = "{ALICE}"
password = "{PASSWORDS[ALICE]}"
""")

    def run(self, *args, input=None):
        env = {**os.environ, "VDIRSYNCER_CONFIG": str(self.config)}
        r = subprocess.run(["vdirsyncer", *args], input=input, capture_output=True, text=True, env=env, timeout=60)
        out = r.stdout + r.stderr
        print(f"$ vdirsyncer {' '.join(args)}\n{out}")
        assert r.returncode == 0, out
        assert "error" not in out.lower(), out
        return out

    def files(self):
        out = {}
        for f in (self.local / "contacts").glob("*.vcf"):
            out[field(f.read_text(), "UID")] = f
        return out


def server_cards(dav, user=ALICE):
    """{UID: (href, etag, text)} of the user's default address book, read with a multiget-free
    PROPFIND + GET so the check does not depend on the reports vdirsyncer itself used."""
    s = requests.Session()
    s.auth = (user, PASSWORDS[user])
    book = dav.url(f"/dav/addressbooks/{user}/contacts/")
    r = s.request("PROPFIND", book, headers={"Depth": "1"},
                  data='<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>')
    assert r.status_code == 207, r.text
    out = {}
    for href in re.findall(r"<D:href>([^<]*\.vcf)</D:href>", r.text):
        g = s.get(dav.url(href))
        assert g.status_code == 200
        out[field(g.text, "UID")] = (href, g.headers["ETag"], g.text)
    return out


def test_vdirsyncer_two_way_contacts(dav, tmp_path):
    s = requests.Session()
    s.auth = (ALICE, PASSWORDS[ALICE])
    book = dav.url(f"/dav/addressbooks/{ALICE}/contacts/")
    for uid, name, email in [("c-keep", "Ada Lovelace", "ada@example.test"),
                             ("c-change", "Alan Turing", "alan@example.test"),
                             ("c-drop", "Grace Hopper", "grace@example.test")]:
        r = s.put(book + uid + ".vcf", data=card(uid, name, email).encode(), headers={"Content-Type": "text/vcard"})
        assert r.status_code == 201, r.text

    v = Vdirsyncer(dav, tmp_path)
    v.run("discover", input="y\n" * 4)
    v.run("sync")
    local = v.files()
    assert set(local) == {"c-keep", "c-change", "c-drop"}

    # Local side: one change, one addition, one deletion.
    text = local["c-keep"].read_text().replace("ada@example.test", "ada@analytical.test")
    local["c-keep"].write_text(text)
    (v.local / "contacts" / "c-local.vcf").write_text(card("c-local", "Katherine Johnson", "kj@example.test"))
    local["c-drop"].unlink()
    # Server side: one change, one addition.
    cards = server_cards(dav)
    href, etag, text = cards["c-change"]
    r = s.put(dav.url(href), data=text.replace("alan@example.test", "turing@example.test").encode(),
              headers={"Content-Type": "text/vcard", "If-Match": etag})
    assert r.status_code in (200, 204), r.text
    r = s.put(book + "c-remote.vcf", data=card("c-remote", "Hedy Lamarr", "hedy@example.test").encode(),
              headers={"Content-Type": "text/vcard"})
    assert r.status_code == 201

    v.run("sync")
    cards = server_cards(dav)
    assert set(cards) == {"c-keep", "c-change", "c-local", "c-remote"}
    assert "ada@analytical.test" in cards["c-keep"][2]
    local = v.files()
    assert set(local) == {"c-keep", "c-change", "c-local", "c-remote"}
    assert "turing@example.test" in local["c-change"].read_text()

    # Nothing left to do: the next sync changes nothing on either side.
    before_local = {uid: (f.read_bytes(), f.stat().st_mtime_ns) for uid, f in local.items()}
    before_server = {uid: etag for uid, (_, etag, _) in cards.items()}
    out = v.run("sync")
    assert "Copying" not in out and "Deleting" not in out, out
    assert {uid: (f.read_bytes(), f.stat().st_mtime_ns) for uid, f in v.files().items()} == before_local
    assert {uid: etag for uid, (_, etag, _) in server_cards(dav).items()} == before_server
    # Bob's address book is his own.
    assert server_cards(dav, BOB) == {}


def test_tsdav_carddav_crud(dav):
    script = NODE_DIR / "tsdav_carddav_check.mjs"
    r = subprocess.run(["node", str(script)], cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "DAV_URL": dav.url("/dav/"), "DAV_USER": ALICE,
                            "DAV_PASSWORD": PASSWORDS[ALICE]})
    print(r.stdout, r.stderr)
    assert r.returncode == 0, r.stdout + r.stderr
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["books"] >= 1
    assert result["created"] == 201
    assert result["fetched"] == 1 and "Mary Somerville" in result["data"]
    assert result["updated"] in (200, 204)
    assert "Mary Somerville (updated)" in result["refetched"]
    assert result["after_delete"] == 0


def gal_query(dav, filter_xml):
    s = requests.Session()
    s.auth = (ALICE, PASSWORDS[ALICE])
    body = ('<?xml version="1.0" encoding="utf-8"?><C:addressbook-query xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>'
            f'<C:filter>{filter_xml}</C:filter></C:addressbook-query>')
    r = s.request("REPORT", dav.url(f"/dav/addressbooks/{ALICE}/directory/"), data=body.encode(),
                  headers={"Depth": "1", "Content-Type": "application/xml"})
    assert r.status_code == 207, r.text
    return r.text


def sync_token(dav):
    s = requests.Session()
    s.auth = (ALICE, PASSWORDS[ALICE])
    body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>')
    r = s.request("PROPFIND", dav.url(f"/dav/addressbooks/{ALICE}/directory/"), data=body,
                  headers={"Depth": "0", "Content-Type": "application/xml"})
    assert r.status_code == 207, r.text
    return re.search(r"<D:sync-token>([^<]*)</D:sync-token>", r.text).group(1)


def test_global_address_list_shows_directory_profiles(dav):
    dav.server.cli("user", "add", "dora@example.test", "--name", "Dora Lane", "--phone", "+49 30 1234-5",
                   "--title", "Head of Finance", "--department", "Finance", "--password-stdin", input="dora-Secret-1\n")
    found = gal_query(dav, '<C:prop-filter name="TITLE"><C:text-match>finance</C:text-match></C:prop-filter>')
    assert "dora@example.test" in found and "TEL;TYPE=WORK,VOICE:+49 30 1234-5" in found, found
    assert "ORG:example.test;Finance" in found, found
    shown = dav.server.cli("user", "show", "dora@example.test").stdout
    assert "title: Head of Finance" in shown and "phone: +49 30 1234-5" in shown
    # A profile change shows at once, and moves the address book's sync token.
    before = sync_token(dav)
    dav.server.cli("user", "set", "dora@example.test", "--mobile", "+49 170 555", "--title", "")
    assert sync_token(dav) != before
    found = gal_query(dav, '<C:prop-filter name="EMAIL"><C:text-match>dora@</C:text-match></C:prop-filter>')
    assert "TEL;TYPE=CELL:+49 170 555" in found and "TITLE" not in found, found
    assert dav.server.cli("user", "set", "nobody@example.test", "--phone", "1", check=False).returncode != 0


def test_global_address_list(dav, tmp_path):
    dav.server.cli("user", "add", "carla.dominguez@example.test", "--name", "Carla Dominguez", "--password-stdin",
                   input="carla-Secret-1\n")
    dav.server.cli("resource", "add", "board@example.test", "--name", "Board room")
    # By name prefix (FN), and by e-mail substring.
    found = gal_query(dav, '<C:prop-filter name="FN"><C:text-match match-type="starts-with">carla</C:text-match>'
                           '</C:prop-filter>')
    assert "carla.dominguez@example.test" in found and BOB not in found, found
    found = gal_query(dav, '<C:prop-filter name="EMAIL"><C:text-match>board@</C:text-match></C:prop-filter>')
    assert "FN:Board room" in found and "carla" not in found, found

    # A real client reads it: vdirsyncer pulls the directory into a local folder (read-only on
    # the server side).
    local = tmp_path / "gal"
    local.mkdir()
    config = tmp_path / "gal.conf"
    config.write_text(f"""[general]
status_path = "{tmp_path / 'gal-status'}/"

[pair gal]
a = "gal_local"
b = "gal_remote"
collections = ["directory"]
conflict_resolution = "b wins"
partial_sync = "ignore"

[storage gal_local]
type = "filesystem"
path = "{local}/"
fileext = ".vcf"

[storage gal_remote]
type = "carddav"
url = "{dav.base}/"
username = "{ALICE}"
password = "{PASSWORDS[ALICE]}"
read_only = true
""")
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}
    for args in (["discover"], ["sync"]):
        r = subprocess.run(["vdirsyncer", *args], input="y\n" * 4, capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
    emails = sorted(field(f.read_text(), "EMAIL") for f in (local / "directory").glob("*.vcf"))
    assert emails == sorted([ALICE, BOB, "carla.dominguez@example.test", "board@example.test"]), emails

    # The directory follows the user list at once.
    dav.server.cli("user", "del", "carla.dominguez@example.test")
    r = subprocess.run(["vdirsyncer", "sync"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    emails = sorted(field(f.read_text(), "EMAIL") for f in (local / "directory").glob("*.vcf"))
    assert "carla.dominguez@example.test" not in emails, emails
