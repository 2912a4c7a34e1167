"""CalDAV against the real server with python-caldav (Debian's python3-caldav), plus raw requests
where the library hides what the server answered: discovery from /.well-known/caldav, calendars
and task lists, create/read/change/delete, time-range queries over a recurring event with an
EXDATE and a moved instance (filtered and expanded), calendar-multiget, sync-collection and
ctag, and conditional writes (If-Match / If-None-Match).

Run with CALDAV_REFERENCE=radicale or =cyrus to point the same tests at a reference server
(see caldav_support)."""
import datetime as dt
import json
import subprocess
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape as xml_escape

import caldav
import pytest
import requests
from caldav.elements import cdav
from caldav.lib import error as caldav_error

from caldav_support import ALICE, BOB, NODE_DIR, PASSWORDS, path_of, reference_deviation
from caldav_support import dav  # noqa: F401 (the fixture)

UTC = dt.timezone.utc
D = "{DAV:}"
CS = "{http://calendarserver.org/ns/}"

VTIMEZONE_BERLIN = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

# Mondays 10:00-11:00 Berlin time from 16 March 2026, six times: 16, 23, 30 March, 6, 13, 20
# April. Summer time starts on 29 March, so the first two are 09:00Z and the rest 08:00Z. 23 March
# is excluded; the 6 April instance is moved to Tuesday 7 April 15:00 (13:00Z).
WEEKLY_UID = "weekly-sync-3d1f@example.test"
WEEKLY = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Atrium interop//EN
{VTIMEZONE_BERLIN}BEGIN:VEVENT
UID:{WEEKLY_UID}
DTSTAMP:20260301T120000Z
DTSTART;TZID=Europe/Berlin:20260316T100000
DTEND;TZID=Europe/Berlin:20260316T110000
SUMMARY:Weekly sync
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Berlin:20260323T100000
END:VEVENT
BEGIN:VEVENT
UID:{WEEKLY_UID}
DTSTAMP:20260301T120000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260406T100000
DTSTART;TZID=Europe/Berlin:20260407T150000
DTEND;TZID=Europe/Berlin:20260407T160000
SUMMARY:Weekly sync (moved)
END:VEVENT
END:VCALENDAR
"""


def utc(y, mo, d, h=0, mi=0):
    return dt.datetime(y, mo, d, h, mi, tzinfo=UTC)


def event(uid, summary, start, end, extra=""):
    stamp = "%Y%m%dT%H%M%SZ"
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium interop//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
            f"DTSTAMP:20260301T120000Z\r\nDTSTART:{start.strftime(stamp)}\r\nDTEND:{end.strftime(stamp)}\r\n"
            f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n")


def todo(uid, summary, extra=""):
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Atrium interop//EN\r\nBEGIN:VTODO\r\nUID:{uid}\r\n"
            f"DTSTAMP:20260301T120000Z\r\nSUMMARY:{summary}\r\n{extra}END:VTODO\r\nEND:VCALENDAR\r\n")


def client(dav, user=ALICE):
    """A python-caldav client on the context path /.well-known/caldav leads to."""
    return caldav.DAVClient(url=dav.url(dav.context_path), username=user, password=PASSWORDS[user])


def calendar_at(principal, path):
    matches = [c for c in principal.calendars() if path_of(c.url) == path]
    assert len(matches) == 1, (path, [str(c.url) for c in principal.calendars()])
    return matches[0]


def as_utc(value):
    """A DTSTART / RECURRENCE-ID value (aware datetime) in UTC."""
    assert isinstance(value, dt.datetime) and value.tzinfo is not None, value
    return value.astimezone(UTC)


def components(obj, name="VEVENT"):
    return [c for c in obj.icalendar_instance.walk() if c.name == name]


def uid_of(obj):
    """The UID of an event resource (python-caldav's icalendar_component wants exactly one
    component, and a series with a moved instance has two)."""
    uids = {str(c["UID"]) for c in components(obj)}
    assert len(uids) == 1, obj.data
    return uids.pop()


# ---- raw WebDAV helpers ----------------------------------------------------------------------------

def propfind(session, url, props, depth="0"):
    """PROPFIND for `props` (Clark names); returns {decoded href path: {prop: element}} of the 200 propstats."""
    body = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
            + "".join(f'<x:{p.split("}")[1]} xmlns:x="{p[1:].split("}")[0]}"/>' for p in props)
            + "</D:prop></D:propfind>")
    r = session.request("PROPFIND", url, data=body, headers={"Depth": depth, "Content-Type": "application/xml"})
    assert r.status_code == 207, (r.status_code, r.text)
    out = {}
    for resp in ET.fromstring(r.content).findall(D + "response"):
        found = {}
        for ps in resp.findall(D + "propstat"):
            if " 200 " in ps.findtext(D + "status", ""):
                for el in ps.find(D + "prop"):
                    found[el.tag] = el
        out[path_of(resp.findtext(D + "href"))] = found
    return out


def sync_report(session, url, token):
    """A sync-collection REPORT (RFC 6578, level 1, asking for getetag); returns the response."""
    body = ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
            f"<D:sync-token>{xml_escape(token or '')}</D:sync-token><D:sync-level>1</D:sync-level>"
            "<D:prop><D:getetag/></D:prop></D:sync-collection>")
    return session.request("REPORT", url, data=body, headers={"Content-Type": "application/xml"})


def parse_sync(r):
    """(token, {path: etag for changed members}, {paths reported gone})."""
    assert r.status_code == 207, (r.status_code, r.text)
    root = ET.fromstring(r.content)
    changed, gone = {}, set()
    for resp in root.findall(D + "response"):
        href = path_of(resp.findtext(D + "href"))
        status = resp.findtext(D + "status")
        if status is not None:
            assert " 404 " in status, (href, status)
            gone.add(href)
            continue
        etag = None
        for ps in resp.findall(D + "propstat"):
            if " 200 " in ps.findtext(D + "status", ""):
                etag = ps.findtext(f"{D}prop/{D}getetag")
        assert etag, ET.tostring(resp)
        changed[href] = etag
    return root.findtext(D + "sync-token"), changed, gone


# ---- discovery -------------------------------------------------------------------------------------

def test_discovery_from_well_known_to_calendars(dav):
    s = dav.session()
    r = s.get(dav.well_known, allow_redirects=False)
    # RFC 6764 §5: a redirect (301, 303 or 307; 308 keeps the body like 307 does).
    assert r.status_code in (301, 303, 307, 308), (r.status_code, r.headers)
    location = path_of(urllib.parse.urljoin(dav.well_known, r.headers["Location"]))
    assert location.rstrip("/") == dav.context_path.rstrip("/"), r.headers["Location"]

    # The context path names the logged-in user's principal; unauthenticated it asks for Basic.
    anon = requests.Session()
    r = anon.request("PROPFIND", dav.url(dav.context_path), headers={"Depth": "0"})
    assert r.status_code == 401 and "basic" in r.headers.get("WWW-Authenticate", "").lower(), r.headers
    wrong = requests.Session()
    wrong.auth = (ALICE, "not the password")
    assert wrong.request("PROPFIND", dav.url(dav.context_path), headers={"Depth": "0"}).status_code == 401

    principal = client(dav).principal()
    assert path_of(principal.url) == dav.principal_path(ALICE)
    assert path_of(principal.calendar_home_set.url) == dav.home_path(ALICE)
    calendars = {path_of(c.url): c for c in principal.calendars()}
    assert set(calendars) == {dav.calendar_path(ALICE), dav.tasks_path(ALICE)}, calendars
    assert calendars[dav.calendar_path(ALICE)].get_supported_components() == ["VEVENT"]
    assert calendars[dav.tasks_path(ALICE)].get_supported_components() == ["VTODO"]

    # Bob gets his own principal and home, and cannot look into Alice's calendar.
    bob = client(dav, BOB).principal()
    assert path_of(bob.url) == dav.principal_path(BOB)
    assert path_of(bob.calendar_home_set.url) == dav.home_path(BOB)
    r = dav.session(BOB).request("PROPFIND", dav.url(dav.calendar_path(ALICE)), headers={"Depth": "1"})
    assert r.status_code in (403, 404), (r.status_code, r.text)
    r = dav.session(BOB).get(dav.url(dav.calendar_path(ALICE) + "anything.ics"))
    assert r.status_code in (403, 404), (r.status_code, r.text)


# ---- objects ---------------------------------------------------------------------------------------

def test_make_calendar_and_event_lifecycle(dav):
    principal = client(dav).principal()
    work = principal.make_calendar(name="Work", cal_id="work", supported_calendar_component_set=["VEVENT"])
    assert path_of(work.url) == dav.calendar_path(ALICE, "work")
    again = calendar_at(principal, dav.calendar_path(ALICE, "work"))
    assert again.get_display_name() == "Work"
    assert again.get_supported_components() == ["VEVENT"]
    assert again.events() == []

    uid = f"{uuid.uuid4()}@example.test"
    created = work.save_event(event(uid, "Planning", utc(2026, 5, 4, 9), utc(2026, 5, 4, 10)))
    assert path_of(created.url).startswith(dav.calendar_path(ALICE, "work"))
    assert path_of(created.url).endswith(".ics")
    other = work.save_event(event(f"{uuid.uuid4()}@example.test", "Retro", utc(2026, 5, 8, 15), utc(2026, 5, 8, 16)))

    # Read back: by URL, by UID, as a listing and with calendar-multiget.
    got = work.event_by_url(created.url)
    assert got.icalendar_component["SUMMARY"] == "Planning"
    assert as_utc(got.icalendar_component["DTSTART"].dt) == utc(2026, 5, 4, 9)
    assert path_of(work.event_by_uid(uid).url) == path_of(created.url)
    assert sorted(e.icalendar_component["SUMMARY"] for e in work.events()) == ["Planning", "Retro"]
    multi = work.calendar_multiget([created.url, other.url])
    assert {path_of(e.url): e.icalendar_component["SUMMARY"] for e in multi} == {
        path_of(created.url): "Planning", path_of(other.url): "Retro"}

    # Change: the new content comes back, under a new ETag.
    s = dav.session()
    etag_before = s.get(str(created.url)).headers["ETag"]
    got.icalendar_component["SUMMARY"] = "Planning (room 2)"
    got.icalendar_component.add("LOCATION", "Room 2")
    got.save()
    r = s.get(str(created.url))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/calendar"), r.headers
    assert r.headers["ETag"] != etag_before
    reread = work.event_by_url(created.url)
    assert reread.icalendar_component["SUMMARY"] == "Planning (room 2)"
    assert reread.icalendar_component["LOCATION"] == "Room 2"
    assert len(work.events()) == 2

    # Delete the event, then the calendar.
    reread.delete()
    assert s.get(str(created.url)).status_code == 404
    with pytest.raises(caldav_error.NotFoundError):
        work.event_by_uid(uid)
    assert [e.icalendar_component["SUMMARY"] for e in work.events()] == ["Retro"]
    work.delete()
    assert s.request("PROPFIND", dav.url(dav.calendar_path(ALICE, "work")), headers={"Depth": "0"}).status_code == 404
    assert {path_of(c.url) for c in principal.calendars()} == {dav.calendar_path(ALICE), dav.tasks_path(ALICE)}


def test_task_list(dav):
    principal = client(dav).principal()
    tasks = calendar_at(principal, dav.tasks_path(ALICE))
    milk = tasks.save_todo(todo("milk@example.test", "Buy milk", "STATUS:NEEDS-ACTION\r\nPRIORITY:5\r\n"))
    tasks.save_todo(todo("taxes@example.test", "File taxes", "DUE;VALUE=DATE:20260531\r\n"))
    tasks.save_todo(todo("chore@example.test", "Old chore",
                         "STATUS:COMPLETED\r\nCOMPLETED:20260220T101500Z\r\nPERCENT-COMPLETE:100\r\n"))

    # Pending tasks: python-caldav asks with three filters (no COMPLETED and STATUS neither
    # COMPLETED nor CANCELLED; no COMPLETED and no STATUS; STATUS is NEEDS-ACTION).
    assert sorted(t.icalendar_component["SUMMARY"] for t in tasks.todos()) == ["Buy milk", "File taxes"]
    everything = tasks.todos(include_completed=True)
    assert sorted(t.icalendar_component["SUMMARY"] for t in everything) == ["Buy milk", "File taxes", "Old chore"]
    assert str(tasks.todo_by_uid("taxes@example.test").icalendar_component["DUE"].dt) == "2026-05-31"

    # todos() merges three queries and filters again on its own; each query alone shows what the
    # server's filter did (RFC 4791 §9.7: a prop-filter with a text-match needs the property).
    def query(**kw):
        xml, _ = tasks.build_search_xml_query(todo=True, **kw)
        return sorted(str(t.icalendar_component["SUMMARY"]) for t in tasks.search(xml=xml, comp_class=caldav.Todo))

    assert query(ignore_completed1=True) == ["Buy milk"], "no COMPLETED, STATUS neither COMPLETED nor CANCELLED"
    assert query(ignore_completed2=True) == ["File taxes"], "no COMPLETED and no STATUS"
    assert query(ignore_completed3=True) == ["Buy milk"], "STATUS is NEEDS-ACTION"
    assert query(summary="taxes") == ["File taxes"], "a substring, i;octet (what python-caldav asks for)"
    assert query(summary="nothing like it") == []
    casemap = cdav.PropFilter("SUMMARY") + cdav.TextMatch("FILE TAX", collation="i;ascii-casemap")
    assert query(filters=[casemap]) == ["File taxes"], "i;ascii-casemap ignores case"

    tasks.todo_by_uid("milk@example.test").complete(completion_timestamp=utc(2026, 3, 2, 8))
    done = tasks.todo_by_uid("milk@example.test")
    assert done.icalendar_component["STATUS"] == "COMPLETED"
    assert as_utc(done.icalendar_component["COMPLETED"].dt) == utc(2026, 3, 2, 8)
    assert path_of(done.url) == path_of(milk.url)
    assert [t.icalendar_component["SUMMARY"] for t in tasks.todos()] == ["File taxes"]


@reference_deviation(radicale="Radicale 3.1 does not enforce supported-calendar-component-set on PUT")
def test_collections_take_only_their_component(dav):
    """The task list takes tasks only and the calendar events only (RFC 4791 §5.3.2.1,
    CALDAV:supported-calendar-component)."""
    s = dav.session()
    r = s.put(dav.url(dav.tasks_path(ALICE) + "an-event.ics"),
              data=event("an-event@example.test", "Not a task", utc(2026, 3, 3, 9), utc(2026, 3, 3, 10)),
              headers={"Content-Type": "text/calendar; charset=utf-8"})
    assert r.status_code in (403, 409), (r.status_code, r.text)
    assert "supported-calendar-component" in r.text, r.text
    r = s.put(dav.url(dav.calendar_path(ALICE) + "a-task.ics"), data=todo("a-task@example.test", "Not an event"),
              headers={"Content-Type": "text/calendar; charset=utf-8"})
    assert r.status_code in (403, 409), (r.status_code, r.text)
    assert "supported-calendar-component" in r.text, r.text
    principal = client(dav).principal()
    assert calendar_at(principal, dav.tasks_path(ALICE)).todos(include_completed=True) == []
    assert calendar_at(principal, dav.calendar_path(ALICE)).events() == []


# ---- time ranges and recurrence --------------------------------------------------------------------

@pytest.fixture
def agenda(dav):
    """The default calendar with the weekly series, a one-off event inside March/April 2026 and
    one a year earlier."""
    cal = calendar_at(client(dav).principal(), dav.calendar_path(ALICE))
    cal.save_event(WEEKLY)
    cal.save_event(event("dentist@example.test", "Dentist", utc(2026, 3, 25, 14), utc(2026, 3, 25, 15)))
    cal.save_event(event("old@example.test", "Last year", utc(2025, 3, 25, 14), utc(2025, 3, 25, 15)))
    return cal


@reference_deviation(cyrus="Cyrus 3.6 still matches the slot a moved instance (RECURRENCE-ID) left")
def test_time_range_filter_over_recurrence(agenda):
    def found(start, end):
        # Without expand python-caldav hands back exactly the resources the server matched.
        return sorted({uid_of(o) for o in agenda.search(start=start, end=end, event=True)})

    assert found(utc(2026, 3, 1), utc(2026, 5, 1)) == ["dentist@example.test", WEEKLY_UID]
    assert found(utc(2025, 1, 1), utc(2025, 12, 31)) == ["old@example.test"]
    assert found(utc(2026, 3, 16, 9, 30), utc(2026, 3, 16, 9, 45)) == [WEEKLY_UID], "inside the first instance"
    assert found(utc(2026, 3, 30, 8, 0), utc(2026, 3, 30, 8, 1)) == [WEEKLY_UID], "after the switch to summer time"
    assert found(utc(2026, 3, 23), utc(2026, 3, 24)) == [], "23 March is excluded (EXDATE)"
    assert found(utc(2026, 4, 6), utc(2026, 4, 7)) == [], "the 6 April instance was moved away"
    assert found(utc(2026, 4, 7), utc(2026, 4, 8)) == [WEEKLY_UID], "to 7 April"
    assert found(utc(2026, 4, 20, 9), utc(2026, 5, 1)) == [], "COUNT=6 ends with 20 April 08:00-09:00Z"
    assert found(utc(2026, 3, 30, 9), utc(2026, 4, 6)) == [], "between two instances"


EXPECTED_INSTANCES = [
    # (SUMMARY, DTSTART in UTC, RECURRENCE-ID in UTC)
    ("Weekly sync", utc(2026, 3, 16, 9), utc(2026, 3, 16, 9)),
    ("Dentist", utc(2026, 3, 25, 14), None),
    ("Weekly sync", utc(2026, 3, 30, 8), utc(2026, 3, 30, 8)),
    ("Weekly sync (moved)", utc(2026, 4, 7, 13), utc(2026, 4, 6, 8)),
    ("Weekly sync", utc(2026, 4, 13, 8), utc(2026, 4, 13, 8)),
]


def test_search_with_expand_gives_the_instances(agenda):
    """What a python-caldav user gets from search(expand=True) (the library expands on its own
    what a server left unexpanded): one object per instance in the range."""
    objs = agenda.search(start=utc(2026, 3, 10), end=utc(2026, 4, 15), event=True, expand=True)
    got = sorted((c["SUMMARY"], as_utc(c["DTSTART"].dt)) for o in objs for c in components(o))
    assert got == sorted((s, start) for s, start, _ in EXPECTED_INSTANCES)
    legacy = agenda.date_search(utc(2026, 3, 10), utc(2026, 4, 15))
    assert {uid_of(o) for o in legacy} == {WEEKLY_UID, "dentist@example.test"}


@reference_deviation(radicale="Radicale 3.1 does not implement CALDAV:expand: it returns the master with its RRULE")
def test_server_expands_recurrence(agenda):
    """calendar-query with CALDAV:expand (RFC 4791 §9.6.5): the server sends the instances in the
    range, each with a RECURRENCE-ID and in UTC, no RRULE/EXDATE and no VTIMEZONE."""
    query, _ = agenda.build_search_xml_query(start=utc(2026, 3, 10), end=utc(2026, 4, 15), event=True, expand=True)
    objs = agenda.search(xml=query, comp_class=caldav.Event)  # a given query: no client-side expansion
    got = []
    for o in objs:
        raw = o.data
        assert "RRULE" not in raw and "EXDATE" not in raw and "BEGIN:VTIMEZONE" not in raw, raw
        for c in components(o):
            start = c["DTSTART"].dt
            assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0), raw
            end = c["DTEND"].dt
            assert end.tzinfo is not None and end.utcoffset() == dt.timedelta(0), raw
            rid = c.get("RECURRENCE-ID")
            if rid is None and str(c["SUMMARY"]) == "Weekly sync" and as_utc(start) == utc(2026, 3, 16, 9):
                # The instance at the master's own DTSTART: Cyrus sends it without RECURRENCE-ID,
                # which RFC 4791 allows (its examples give one to every instance).
                rid = c["DTSTART"]
            got.append((str(c["SUMMARY"]), as_utc(start), as_utc(rid.dt) if rid is not None else None))
    assert sorted(got) == sorted(EXPECTED_INSTANCES)


# ---- sync-collection, ctag, conditional requests --------------------------------------------------

def test_sync_collection_and_ctag(dav):
    principal = client(dav).principal()
    cal = calendar_at(principal, dav.calendar_path(ALICE))
    home = dav.calendar_path(ALICE)
    a = cal.save_event(event("sync-a@example.test", "A", utc(2026, 6, 1, 9), utc(2026, 6, 1, 10)))
    b = cal.save_event(event("sync-b@example.test", "B", utc(2026, 6, 2, 9), utc(2026, 6, 2, 10)))

    snapshot = cal.objects_by_sync_token(load_objects=True)
    assert {path_of(o.url) for o in snapshot} == {path_of(a.url), path_of(b.url)}
    assert snapshot.sync_token
    s = dav.session()
    props = propfind(s, dav.url(home), [CS + "getctag", D + "sync-token"])[home]
    ctag, token = props[CS + "getctag"].text, props[D + "sync-token"].text
    assert ctag and token == snapshot.sync_token

    # Nothing changed: nothing to report, and the ctag stays.
    same_token, changed, gone = parse_sync(sync_report(s, dav.url(home), snapshot.sync_token))
    assert changed == {} and gone == set()
    assert propfind(s, dav.url(home), [CS + "getctag"])[home][CS + "getctag"].text == ctag

    # Change A, delete B, add C.
    a.icalendar_component["SUMMARY"] = "A (changed)"
    a.save()
    b.delete()
    c = cal.save_event(event("sync-c@example.test", "C", utc(2026, 6, 3, 9), utc(2026, 6, 3, 10)))
    new_ctag = propfind(s, dav.url(home), [CS + "getctag"])[home][CS + "getctag"].text
    assert new_ctag != ctag

    token2, changed, gone = parse_sync(sync_report(s, dav.url(home), snapshot.sync_token))
    assert set(changed) == {path_of(a.url), path_of(c.url)} and gone == {path_of(b.url)}
    assert token2 != snapshot.sync_token
    for path, etag in changed.items():
        assert s.get(dav.url(path)).headers["ETag"] == etag

    # python-caldav's own sync: the same answer, by object.
    updated, deleted = snapshot.sync()
    assert {path_of(o.url) for o in updated} == {path_of(a.url), path_of(c.url)}
    assert {path_of(o.url) for o in deleted} == {path_of(b.url)}
    assert snapshot.sync_token == token2
    assert sorted(o.icalendar_component["SUMMARY"] for o in snapshot) == ["A (changed)", "C"]

    # The newest token reports nothing.
    _, changed, gone = parse_sync(sync_report(s, dav.url(home), token2))
    assert changed == {} and gone == set()

    # A token this collection never gave out is refused (DAV:valid-sync-token).
    for bogus in (snapshot.sync_token.rstrip("/") + "0bogus", "http://example.test/sync/1"):
        r = sync_report(s, dav.url(home), bogus)
        assert r.status_code in (403, 409) and "valid-sync-token" in r.text, (bogus, r.status_code, r.text)


@reference_deviation(radicale="Radicale 3.1 lists removed members (404) in an initial sync-collection too")
def test_initial_sync_lists_present_members_only(dav):
    """An initial sync-collection (empty DAV:sync-token) lists every member and no removed one
    (RFC 6578 §3.4)."""
    s = dav.session()
    home = dav.url(dav.calendar_path(ALICE))
    for name in ("keep", "drop"):
        r = s.put(f"{home}{name}.ics", data=event(f"{name}@example.test", name, utc(2026, 6, 1, 9), utc(2026, 6, 1, 10)),
                  headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert r.status_code == 201, (r.status_code, r.text)
    token, changed, gone = parse_sync(sync_report(s, home, None))
    assert set(changed) == {dav.calendar_path(ALICE) + "keep.ics", dav.calendar_path(ALICE) + "drop.ics"}
    assert gone == set()
    assert s.delete(f"{home}drop.ics").status_code in (200, 204)
    _, changed, gone = parse_sync(sync_report(s, home, None))
    assert set(changed) == {dav.calendar_path(ALICE) + "keep.ics"} and gone == set()
    _, changed, gone = parse_sync(sync_report(s, home, token))
    assert changed == {} and gone == {dav.calendar_path(ALICE) + "drop.ics"}


@reference_deviation(cyrus="Cyrus 3.6 names the UID conflict CALDAV:unique-scheduling-object-resource (RFC 6638) "
                           "for an event without ORGANIZER, not CALDAV:no-uid-conflict (RFC 4791)")
def test_conditional_put_and_delete(dav):
    s = dav.session()
    url = dav.url(dav.calendar_path(ALICE) + "conditional.ics")
    ics = event("conditional@example.test", "Version 1", utc(2026, 7, 1, 9), utc(2026, 7, 1, 10))
    headers = {"Content-Type": "text/calendar; charset=utf-8"}

    r = s.put(url, data=ics, headers={**headers, "If-None-Match": "*"})
    assert r.status_code == 201, (r.status_code, r.text)
    r = s.put(url, data=ics.replace("Version 1", "Overwritten"), headers={**headers, "If-None-Match": "*"})
    assert r.status_code == 412, (r.status_code, r.text)
    first = s.get(url)
    assert "Version 1" in first.text
    etag1 = first.headers["ETag"]

    assert s.head(url).headers["ETag"] == etag1

    # RFC 9110 asks for 200 or 204 when a PUT replaces; Radicale says 201, and clients take any 2xx.
    r = s.put(url, data=ics.replace("Version 1", "Version 2"), headers={**headers, "If-Match": etag1})
    assert r.status_code in (200, 201, 204), (r.status_code, r.text)
    second = s.get(url)
    etag2 = second.headers["ETag"]
    assert "Version 2" in second.text and etag2 != etag1

    # A writer holding the old ETag loses, and changes nothing.
    r = s.put(url, data=ics.replace("Version 1", "Stale write"), headers={**headers, "If-Match": etag1})
    assert r.status_code == 412, (r.status_code, r.text)
    r = s.delete(url, headers={"If-Match": etag1})
    assert r.status_code == 412, (r.status_code, r.text)
    now = s.get(url)
    assert "Version 2" in now.text and now.headers["ETag"] == etag2

    # A second resource with the same UID in the same calendar is refused (CALDAV:no-uid-conflict).
    r = s.put(dav.url(dav.calendar_path(ALICE) + "duplicate.ics"), data=ics, headers={**headers, "If-None-Match": "*"})
    assert r.status_code in (403, 409) and "no-uid-conflict" in r.text, (r.status_code, r.text)

    r = s.delete(url, headers={"If-Match": etag2})
    assert r.status_code in (200, 204), (r.status_code, r.text)
    assert s.get(url).status_code == 404
    assert s.put(url, data=ics, headers={**headers, "If-Match": etag2}).status_code == 412


# ---- tsdav (node) ----------------------------------------------------------------------------------

def test_tsdav_discovery_and_object_lifecycle(dav):
    assert (NODE_DIR / "node_modules" / "tsdav").exists(), "scripts/test installs the node clients"
    r = subprocess.run(["node", str(NODE_DIR / "tsdav_check.mjs"), dav.base, ALICE, PASSWORDS[ALICE]],
                       capture_output=True, text=True, timeout=60)
    steps = {}
    for line in r.stdout.splitlines():
        step = json.loads(line)
        steps[step["step"]] = step
    assert r.returncode == 0 and "done" in steps, r.stdout + r.stderr

    calendars = {path_of(c["url"]): c for c in steps["calendars"]["calendars"]}
    assert set(calendars) == {dav.calendar_path(ALICE), dav.tasks_path(ALICE)}, calendars
    assert calendars[dav.calendar_path(ALICE)]["components"] == ["VEVENT"]
    assert calendars[dav.tasks_path(ALICE)]["components"] == ["VTODO"]
    assert calendars[dav.calendar_path(ALICE)]["ctag"] or calendars[dav.calendar_path(ALICE)]["syncToken"]
    assert path_of(steps["account"]["principalUrl"]) == dav.principal_path(ALICE)
    assert path_of(steps["account"]["homeUrl"]) == dav.home_path(ALICE)

    created = steps["created"]
    assert created["status"] == 201 and path_of(created["url"]) == dav.calendar_path(ALICE) + "tsdav-1.ics"
    assert steps["fetched"]["objects"] == [{"url": created["url"], "summary": "From tsdav", "hasEtag": True}]
    assert steps["time-range"] == {"step": "time-range", "inRange": 1, "outOfRange": 0}
    assert steps["updated"]["status"] in (200, 201, 204)
    assert steps["refetched"]["summary"] == "From tsdav (changed)"
    assert steps["refetched"]["etag"] != steps["fetched"]["etag"]
    assert steps["stale"]["status"] == 412, "an update with the old ETag"
    assert steps["deleted"]["status"] in (200, 204)
    assert steps["after-delete"]["count"] == 0
    # And the server agrees: the calendar is empty again.
    cal = calendar_at(client(dav).principal(), dav.calendar_path(ALICE))
    assert cal.events() == []
