"""vdirsyncer (Debian's package) keeps a calendar and a task list in two-way sync with local
folders: discovery from the server root, a first sync, changes, additions and deletions on both
sides, and a following sync that has nothing to do and changes nothing on either side.

Run with CALDAV_REFERENCE=radicale or =cyrus to point it at a reference server (see caldav_support)."""
import os
import pathlib
import re
import subprocess
import xml.etree.ElementTree as ET

from caldav_support import ALICE, PASSWORDS, path_of
from caldav_support import dav  # noqa: F401 (the fixture)

D = "{DAV:}"
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


def event(uid, summary, day):
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium interop//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
            f"DTSTAMP:20260301T120000Z\r\nDTSTART:202605{day:02d}T090000Z\r\nDTEND:202605{day:02d}T100000Z\r\n"
            f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def todo(uid, summary, status="NEEDS-ACTION"):
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium interop//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n"
            f"DTSTAMP:20260301T120000Z\r\nSUMMARY:{summary}\r\nSTATUS:{status}\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")


def field(text, name):
    m = re.search(rf"^{name}:(.*?)\r?$", text, re.M)
    return m.group(1) if m else None


class Vdirsyncer:
    def __init__(self, dav, tmp: pathlib.Path):
        self.local = tmp / "local"
        self.local.mkdir()
        self.config = tmp / "vdirsyncer.conf"
        # The root of the server: vdirsyncer finds the principal from there (or from
        # /.well-known/caldav when the root does not answer) and the collections in its home.
        self.config.write_text(f"""[general]
status_path = "{tmp / 'status'}/"

[pair dav]
a = "dav_local"
b = "dav_remote"
collections = ["calendar", "tasks"]
conflict_resolution = "b wins"

[storage dav_local]
type = "filesystem"
path = "{self.local}/"
fileext = ".ics"

[storage dav_remote]
type = "caldav"
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

    def files(self, collection):
        """{UID: text} of the local folder's items."""
        out = {}
        for f in (self.local / collection).glob("*.ics"):
            text = f.read_text()
            out[field(text, "UID")] = text
        return out

    def file_of(self, collection, uid):
        matches = [f for f in (self.local / collection).glob("*.ics") if field(f.read_text(), "UID") == uid]
        assert len(matches) == 1, (uid, matches)
        return matches[0]

    def snapshot(self):
        return {str(f.relative_to(self.local)): (f.stat().st_mtime_ns, f.read_bytes())
                for f in sorted(self.local.rglob("*")) if f.is_file()}


def remote(dav, session, collection):
    """{UID: (path, etag, text)} of a server collection, plus its sync-token."""
    url = dav.url(dav.calendar_path(ALICE, collection))
    body = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:sync-token/>'
            "</D:prop></D:propfind>")
    r = session.request("PROPFIND", url, data=body, headers={"Depth": "1", "Content-Type": "application/xml"})
    assert r.status_code == 207, (r.status_code, r.text)
    items, token = {}, None
    for resp in ET.fromstring(r.content).findall(D + "response"):
        path = path_of(resp.findtext(D + "href"))
        if path == path_of(url):
            token = resp.findtext(f"{D}propstat/{D}prop/{D}sync-token")
            continue
        got = session.get(dav.url(path))
        assert got.status_code == 200, (path, got.status_code)
        etag = resp.findtext(f"{D}propstat/{D}prop/{D}getetag")
        assert etag == got.headers["ETag"], (path, etag, got.headers["ETag"])
        items[field(got.text, "UID")] = (path, etag, got.text)
    assert token, r.text
    return items, token


def test_two_way_sync_of_calendar_and_task_list(dav, tmp_path):
    s = dav.session()
    cal, tasks = dav.url(dav.calendar_path(ALICE)), dav.url(dav.tasks_path(ALICE))
    for url, ics in ((cal + "e1.ics", event("e1@example.test", "Kickoff", 4)),
                     (cal + "e3.ics", event("e3@example.test", "Cancelled review", 6)),
                     (tasks + "t1.ics", todo("t1@example.test", "Water plants")),
                     (tasks + "t3.ics", todo("t3@example.test", "Obsolete task"))):
        assert s.put(url, data=ics, headers={**ICS, "If-None-Match": "*"}).status_code == 201

    v = Vdirsyncer(dav, tmp_path)
    v.run("discover", "dav", input="y\n" * 10)
    assert sorted(p.name for p in v.local.iterdir()) == ["calendar", "tasks"]
    out = v.run("sync")
    assert out.count("Copying (uploading)") == 4 and "Deleting" not in out, out
    assert {u: field(t, "SUMMARY") for u, t in v.files("calendar").items()} == {
        "e1@example.test": "Kickoff", "e3@example.test": "Cancelled review"}
    assert {u: field(t, "SUMMARY") for u, t in v.files("tasks").items()} == {
        "t1@example.test": "Water plants", "t3@example.test": "Obsolete task"}

    # Local side: a new event, a changed task, a deleted event.
    (v.local / "calendar" / "e2.ics").write_text(event("e2@example.test", "Offsite", 5))
    t1 = v.file_of("tasks", "t1@example.test")
    t1.write_text(todo("t1@example.test", "Water plants (done)", "COMPLETED"))
    v.file_of("calendar", "e3@example.test").unlink()
    # Server side: a changed event, a new task, a deleted task.
    etag = s.get(cal + "e1.ics").headers["ETag"]
    r = s.put(cal + "e1.ics", data=event("e1@example.test", "Kickoff (moved)", 11), headers={**ICS, "If-Match": etag})
    assert r.status_code in (200, 201, 204), (r.status_code, r.text)
    assert s.put(tasks + "t2.ics", data=todo("t2@example.test", "Book flights"),
                 headers={**ICS, "If-None-Match": "*"}).status_code == 201
    assert s.delete(tasks + "t3.ics").status_code in (200, 204)

    out = v.run("sync")
    for expected in ("Copying (uploading) item e2@example.test", "Copying (updating) item t1@example.test",
                     "Deleting item e3@example.test", "Copying (updating) item e1@example.test",
                     "Copying (uploading) item t2@example.test", "Deleting item t3@example.test"):
        assert out.count(expected) == 1, (expected, out)
    assert len(re.findall(r"^(?:info: )?(?:Copying|Deleting)", out, re.M)) == 6, out

    server_cal, cal_token = remote(dav, s, "calendar")
    server_tasks, tasks_token = remote(dav, s, "tasks")
    assert {u: field(t, "SUMMARY") for u, (_, _, t) in server_cal.items()} == {
        "e1@example.test": "Kickoff (moved)", "e2@example.test": "Offsite"}
    assert {u: (field(t, "SUMMARY"), field(t, "STATUS")) for u, (_, _, t) in server_tasks.items()} == {
        "t1@example.test": ("Water plants (done)", "COMPLETED"), "t2@example.test": ("Book flights", "NEEDS-ACTION")}
    assert {u: field(t, "SUMMARY") for u, t in v.files("calendar").items()} == {
        "e1@example.test": "Kickoff (moved)", "e2@example.test": "Offsite"}
    assert {u: field(t, "SUMMARY") for u, t in v.files("tasks").items()} == {
        "t1@example.test": "Water plants (done)", "t2@example.test": "Book flights"}
    assert field(v.files("calendar")["e1@example.test"], "DTSTART") == "20260511T090000Z"

    # Nothing changed since: the next sync moves nothing, and neither side changes.
    local_before = v.snapshot()
    out = v.run("sync")
    assert not re.search(r"Copying|Deleting|Updating", out), out
    assert "Syncing dav/calendar" in out and "Syncing dav/tasks" in out, out
    assert v.snapshot() == local_before
    assert remote(dav, s, "calendar") == (server_cal, cal_token)
    assert remote(dav, s, "tasks") == (server_tasks, tasks_token)
