"""The CalDAV client of bench/caldav/run: the calendar, its loading, the timed REPORTs and the
summary. Standard library only (Debian's /usr/bin/python3).

  caldav_load.py files      --events N --out DIR          every object as a file (Radicale's storage)
  caldav_load.py warm       --server SPEC                 first read of every object (PROPFIND Depth 1)
  caldav_load.py cyrus-user --port P --admin A --password W --user U
  caldav_load.py load       --server SPEC ... --events N [--conns 4] --json OUT
  caldav_load.py bench      --server SPEC ... --events N [--load-json F] [--reps 30] [--min-reps 7]
                            [--budget 20] --json OUT
  caldav_load.py report     --json OUT

SPEC is name=N,port=P,user=U,password=W,path=COLLECTION[,pid=PID]. files, load and bench generate the same
calendar from --events and --seed: N events in one calendar, 20 % of them recurring (weekly, weekly
on two days or daily, with COUNT or UNTIL; some with EXDATEs, some with an overridden instance),
55 % in Europe/Berlin with its VTIMEZONE, the others in UTC, a few all-day.

`load` checks each server (PROPFIND on the collection, MKCALENDAR where it does not exist yet;
it must be empty) and PUTs every event into it; a server that fails the check is skipped with the
reason. `bench` drives every server over one keep-alive HTTP/1.1 connection with Basic auth, checks
that each holds the N objects, warms each up with one untimed query and multiget, then runs the
timed operations with the servers interleaved -- each repetition asks every server in turn, so a
machine that slows down slows all of them alike:

  query     calendar-query REPORT: VEVENTs overlapping one month (time-range), getetag and
            calendar-data; the months rotate over six, and the hrefs each server returns are
            checked against the generator's own expansion of every event (RRULE, EXDATE and
            overridden instances; RFC 4791 9.9) and against each other;
  multiget  calendar-multiget REPORT of 100 random hrefs, getetag and calendar-data;
  sync      10 events changed by PUT (not timed), then sync-collection REPORT from the previous
            sync-token (timed), which must report exactly those 10.

Each operation is asked of each server --reps times at most, --min-reps at least, and no more once
--budget seconds went into it (the sync's PUTs included). Only the request is timed: from sending
it until the last byte of the response is read; the response is parsed and checked afterwards. The
server's CPU (its process and children, from /proc) is read around each timed request.
"""
import argparse
import base64
import datetime as dt
import http.client
import json
import os
import pathlib
import random
import statistics
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zoneinfo

UTC = dt.timezone.utc
BERLIN = "Europe/Berlin"
TZ_BERLIN = zoneinfo.ZoneInfo(BERLIN)
SPAN_START = dt.date(2026, 1, 5)  # events start within two years from here
SPAN_DAYS = 728
# The months the time-range query rotates over (March and October hold a DST change in Berlin).
MONTHS = [(2026, 3), (2026, 6), (2026, 10), (2026, 12), (2027, 2), (2027, 5)]
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}

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
END:VTIMEZONE""".split("\n")

WORDS = """budget review planning sync standup retro design product roadmap launch customer partner
interview onboarding training workshop offsite quarterly board finance legal hiring demo release
sprint backlog support incident postmortem architecture security audit compliance marketing
sales pipeline forecast vendor contract renewal lunch dinner coffee dentist doctor school
parents football tennis yoga piano birthday anniversary flight train hotel conference webinar
migration database network storage kubernetes frontend backend mobile analytics research""".split()
PLACES = ["Room 1.12", "Room 2.04", "Main hall", "Cafeteria", "Video call", "Client office, Berlin",
          "Hauptstraße 12, 10115 Berlin", "Online", "Library", "Building C, 3rd floor"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


# ---------------------------------------------------------------------------------------------
# The calendar: events as dicts, rendered to iCalendar; every instance computed here as well.


def fold(line):
    """RFC 5545 line folding at 75 octets (never inside a UTF-8 sequence)."""
    b = line.encode()
    if len(b) <= 75:
        return [line]
    out, cur, limit = [], b"", 75
    for ch in line:
        e = ch.encode()
        if len(cur) + len(e) > limit:
            out.append(cur.decode())
            cur, limit = b" ", 75
        cur += e
    out.append(cur.decode())
    return out


def esc(text):
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fmt_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def fmt_utc(t):
    return t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def occurrences(ev):
    """Start times (naive local for TZID events, aware UTC otherwise) of every instance of the
    RRULE before EXDATEs, in order."""
    start, r = ev["start"], ev["rrule"]
    step = r["interval"]
    out = []
    until = r.get("until")

    def done(t):
        if "count" in r and len(out) >= r["count"]:
            return True
        return until is not None and to_utc(ev, t) > until

    if r["freq"] == "DAILY":
        k = 0
        while True:
            t = start + dt.timedelta(days=k * step)
            if done(t):
                return out
            out.append(t)
            k += 1
    days = sorted(DAYS.index(d) for d in r.get("byday", [DAYS[start.weekday()]]))
    week0 = start - dt.timedelta(days=start.weekday())
    w = 0
    while True:
        for d in days:
            t = week0 + dt.timedelta(days=w * 7 + d)
            if t < start:
                continue
            if done(t):
                return out
            out.append(t)
        w += step


def to_utc(ev, t):
    if ev["tz"] == BERLIN:
        return t.replace(tzinfo=TZ_BERLIN).astimezone(UTC)
    return t


def instances(ev):
    """(start, end) in UTC of every instance, overrides applied; all-day events as floating
    dates taken in UTC (what a server without a calendar time zone does)."""
    if ev["allday"]:
        s = dt.datetime.combine(ev["start"], dt.time(), UTC)
        return [(s, s + dt.timedelta(days=ev["days"]))]
    dur = dt.timedelta(minutes=ev["minutes"])
    if not ev["rrule"]:
        s = to_utc(ev, ev["start"])
        return [(s, s + dur)]
    res = []
    for t in occurrences(ev):
        if t in ev["exdates"]:
            continue
        ov = ev["overrides"].get(t)
        if ov is not None:
            s = to_utc(ev, ov["start"])
            res.append((s, s + dt.timedelta(minutes=ov["minutes"])))
        else:
            s = to_utc(ev, t)
            res.append((s, s + dur))
    return res


def make_calendar(n, seed):
    rng = random.Random(seed)
    recurring = set(rng.sample(range(n), n // 5))
    events = []
    for i in range(n):
        uid = "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                               0x8000 | rng.getrandbits(14), rng.getrandbits(48))
        ev = {"i": i, "uid": uid, "name": uid + ".ics", "rrule": None, "exdates": [], "overrides": {},
              "seq": 0, "rev": 0}
        rec = i in recurring
        ev["allday"] = not rec and rng.random() < 0.06
        ev["tz"] = BERLIN if rng.random() < 0.55 else "UTC"
        day = SPAN_START + dt.timedelta(days=rng.randrange(SPAN_DAYS - (120 if rec else 0)))
        if ev["allday"]:
            ev["start"], ev["days"] = day, rng.choice([1, 1, 1, 2, 3])
        else:
            t = dt.datetime.combine(day, dt.time(rng.randrange(7, 19), rng.choice([0, 15, 30, 45])))
            ev["start"] = t if ev["tz"] == BERLIN else t.replace(tzinfo=UTC)
            ev["minutes"] = rng.choice([15, 30, 30, 45, 60, 60, 60, 90, 120])
        ev["summary"] = sentence(rng, rng.randrange(2, 6))[:-1]
        ev["description"] = " ".join(sentence(rng, rng.randrange(6, 16)) for _ in range(rng.randrange(0, 5)))
        ev["location"] = rng.choice(PLACES) if rng.random() < 0.6 else ""
        ev["categories"] = rng.sample(["Work", "Personal", "Travel", "Family", "Health"], rng.randrange(0, 3))
        ev["alarm"] = rng.choice([0, 0, 5, 10, 15, 30, 60])
        ev["transp"] = rng.random() < 0.1
        ev["created"] = dt.datetime(2025, 12, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(30 * 86400))
        if rec:
            x = rng.random()
            r = {"freq": "DAILY" if x < 0.25 else "WEEKLY", "interval": 2 if rng.random() < 0.2 else 1}
            if r["freq"] == "DAILY":
                r["interval"] = 1
            elif x > 0.85:  # weekly on two days, the start's weekday among them
                wd = ev["start"].weekday()
                other = (wd + rng.choice([1, 2, 3])) % 5 if wd < 5 else rng.randrange(5)
                r["byday"] = [DAYS[d] for d in sorted({wd, other})]
            if rng.random() < 0.5:
                r["count"] = rng.randrange(3, 60) if r["freq"] == "WEEKLY" else rng.randrange(3, 20)
            else:
                days = rng.randrange(14, 400) if r["freq"] == "WEEKLY" else rng.randrange(3, 40)
                u = to_utc(ev, ev["start"]) + dt.timedelta(days=days)
                r["until"] = u.replace(hour=23, minute=59, second=59)
            ev["rrule"] = r
            occ = occurrences(ev)
            if len(occ) > 2 and rng.random() < 0.3:
                ev["exdates"] = sorted(rng.sample(occ[1:], min(len(occ) - 1, rng.randrange(1, 4))))
            rest = [t for t in occ[1:] if t not in ev["exdates"]]
            if rest and rng.random() < 0.25:
                t = rng.choice(rest)
                ev["overrides"][t] = {"start": t + dt.timedelta(hours=rng.choice([-2, -1, 1, 2])),
                                      "minutes": ev["minutes"],
                                      "summary": ev["summary"] + " (moved)"}
        events.append(ev)
    return events


def render(ev):
    """The event as an iCalendar object (CRLF)."""
    stamp = ev["created"] + dt.timedelta(days=ev["rev"])
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Atrium//bench-caldav//EN", "CALSCALE:GREGORIAN"]
    if ev["tz"] == BERLIN and not ev["allday"]:
        lines += VTIMEZONE_BERLIN

    def when(prop, t):
        if ev["allday"]:
            return f"{prop};VALUE=DATE:{t.strftime('%Y%m%d')}"
        if ev["tz"] == BERLIN:
            return f"{prop};TZID={BERLIN}:{fmt_local(t)}"
        return f"{prop}:{fmt_utc(t)}"

    def body(summary, start, minutes, recurrence_id=None):
        out = ["BEGIN:VEVENT", f"UID:{ev['uid']}", f"DTSTAMP:{fmt_utc(stamp)}", f"CREATED:{fmt_utc(ev['created'])}",
               f"LAST-MODIFIED:{fmt_utc(stamp)}", f"SEQUENCE:{ev['seq']}"]
        if recurrence_id is not None:
            out.append(when("RECURRENCE-ID", recurrence_id))
        out.append(when("DTSTART", start))
        if ev["allday"]:
            out.append(when("DTEND", start + dt.timedelta(days=ev["days"])))
        else:
            out.append(when("DTEND", start + dt.timedelta(minutes=minutes)))
        out.append(f"SUMMARY:{esc(summary)}")
        if ev["location"]:
            out.append(f"LOCATION:{esc(ev['location'])}")
        if ev["description"]:
            out.append(f"DESCRIPTION:{esc(ev['description'])}")
        if ev["categories"]:
            out.append("CATEGORIES:" + ",".join(ev["categories"]))
        out.append("CLASS:PUBLIC")
        out.append("STATUS:CONFIRMED")
        out.append("TRANSP:" + ("TRANSPARENT" if ev["transp"] or ev["allday"] else "OPAQUE"))
        if recurrence_id is None and ev["rrule"]:
            r = ev["rrule"]
            rule = f"FREQ={r['freq']}"
            if r["interval"] != 1:
                rule += f";INTERVAL={r['interval']}"
            if "byday" in r:
                rule += ";BYDAY=" + ",".join(r["byday"])
            rule += f";COUNT={r['count']}" if "count" in r else f";UNTIL={fmt_utc(r['until'])}"
            out.append("RRULE:" + rule)
            for t in ev["exdates"]:
                out.append(when("EXDATE", t))
        if ev["alarm"]:
            out += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", f"TRIGGER:-PT{ev['alarm']}M", "END:VALARM"]
        out.append("END:VEVENT")
        return out

    summary = ev["summary"] + (f" (rev {ev['rev']})" if ev["rev"] else "")
    lines += body(summary, ev["start"], ev.get("minutes"))
    for rid, ov in sorted(ev["overrides"].items()):
        lines += body(ov["summary"], ov["start"], ov["minutes"], rid)
    lines.append("END:VCALENDAR")
    return "".join(f + "\r\n" for line in lines for f in fold(line)).encode()


def month_range(year, month):
    s = dt.datetime(year, month, 1, tzinfo=UTC)
    e = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return s, e


def expected_hrefs(events, year, month):
    s, e = month_range(year, month)
    return {ev["name"] for ev in events if any(a < e and b > s for a, b in instances(ev))}


# ---------------------------------------------------------------------------------------------
# HTTP: one keep-alive connection per server.


def explain_extra(ev, month):
    """Why a server may return an event no instance of which overlaps the month, or None."""
    s, e = month_range(*month)
    if ev["allday"]:
        a, b = instances(ev)[0]
        if a == e or b == s:
            return "all-day event that only touches the month's boundary"
    r = ev["rrule"]
    if r and "until" in r:
        first = to_utc(ev, ev["start"])
        span_end = r["until"] + dt.timedelta(minutes=ev["minutes"])
        if first < e and span_end > s:
            return "recurring event whose UNTIL (plus its duration) reaches into the month, no instance there"
    return None


# ---------------------------------------------------------------------------------------------
# HTTP: one keep-alive connection per server.


class Server:
    """name=N,port=P,user=U,password=W,path=COLLECTION[,pid=PID]: PID is the server's (master)
    process, whose CPU and its children's is measured around each timed request."""

    def __init__(self, spec):
        try:
            kv = dict(x.split("=", 1) for x in spec.split(","))
            self.spec = spec
            self.name, self.port, self.user = kv["name"], int(kv["port"]), kv["user"]
            self.coll = kv["path"].rstrip("/") + "/"
            self.pid = int(kv["pid"]) if kv.get("pid") else None
            password = kv["password"]
        except (KeyError, ValueError):
            sys.exit(f"--server wants name=N,port=P,user=U,password=W,path=COLLECTION[,pid=PID]: {spec}")
        self.auth = "Basic " + base64.b64encode(f"{self.user}:{password}".encode()).decode()
        self.conn = None
        self.connects = 0
        self.requests = 0

    def href(self, name):
        return self.coll + name

    def request(self, method, path, body=b"", headers=None):
        """(status, headers, body, seconds): seconds from sending the request to the last byte
        of the response. A connection the server closed while idle is opened again and the request
        repeated (the time then covers only the repeated request)."""
        h = {"Authorization": self.auth, "Host": f"127.0.0.1:{self.port}", "Accept-Encoding": "identity"}
        if body:
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        for attempt in range(3):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
                self.conn.connect()
                self.connects += 1
            try:
                t0 = time.perf_counter()
                self.conn.request(method, urllib.parse.quote(path, safe="/@:"), body=body or None, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                t1 = time.perf_counter()
            except (http.client.RemoteDisconnected, http.client.BadStatusLine, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            self.requests += 1
            if resp.will_close:  # HTTP/1.0 or Connection: close (Radicale)
                self.conn.close()
                self.conn = None
            return resp.status, resp.headers, data, t1 - t0
        raise RuntimeError("unreachable")

    def cpu(self):
        """CPU seconds (user + system) of the server's process and its live descendants."""
        if self.pid is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        kids, cpu = {}, {}
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open(f"/proc/{p}/stat") as f:
                    s = f.read()
            except OSError:
                continue
            f = s[s.rindex(")") + 2:].split()
            kids.setdefault(int(f[1]), []).append(int(p))
            cpu[int(p)] = (int(f[11]) + int(f[12])) / tick
        total, todo = 0.0, [self.pid]
        while todo:
            p = todo.pop()
            total += cpu.get(p, 0.0)
            todo += kids.get(p, [])
        return total


def xml_body(s):
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + s).encode()


XML = {"Content-Type": "application/xml; charset=utf-8"}
PROPFIND_COLL = xml_body('<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                         '<D:prop><D:resourcetype/><D:sync-token/></D:prop></D:propfind>')
QUERY_ALL = xml_body('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/>'
                     '</D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>')
MKCALENDAR = xml_body('<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
                      '<D:displayname>Bench</D:displayname><C:supported-calendar-component-set>'
                      '<C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set>'
                      '</C:mkcalendar>')


def query_body(year, month):
    s, e = month_range(year, month)
    return xml_body('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                    '<D:prop><D:getetag/><C:calendar-data/></D:prop>'
                    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                    f'<C:time-range start="{fmt_utc(s)}" end="{fmt_utc(e)}"/>'
                    '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>')


def multiget_body(hrefs):
    h = "".join(f"<D:href>{urllib.parse.quote(x, safe='/@:')}</D:href>" for x in hrefs)
    return xml_body('<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                    f'<D:prop><D:getetag/><C:calendar-data/></D:prop>{h}</C:calendar-multiget>')


def sync_body(token):
    return xml_body('<D:sync-collection xmlns:D="DAV:">'
                    f'<D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>'
                    '<D:prop><D:getetag/></D:prop></D:sync-collection>')


def responses(data):
    """[(name, status, has_calendar_data)] from a multistatus: the last path segment of each
    href, the status of its getetag propstat (else of the response), whether calendar-data came."""
    root = ET.fromstring(data)
    out = []
    for r in root.findall("D:response", NS):
        href = urllib.parse.unquote(r.findtext("D:href", "", NS).strip())
        status = r.findtext("D:status", "", NS)
        has_data = False
        for ps in r.findall("D:propstat", NS):
            st = ps.findtext("D:status", "", NS)
            if ps.find("D:prop/D:getetag", NS) is not None and " 200" in st:
                status = st
            cd = ps.find("D:prop/C:calendar-data", NS)
            if cd is not None and " 200" in st and "BEGIN:VCALENDAR" in (cd.text or ""):
                has_data = True
            if not status:
                status = st
        code = status.split(" ")[1] if " " in status else status
        out.append((href.rstrip("/").rsplit("/", 1)[-1], code, has_data))
    return out


def sync_token(data):
    t = ET.fromstring(data).find(".//D:sync-token", NS)
    return (t.text or "").strip() if t is not None else ""


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def say(msg):
    print(f"[caldav] {msg}", file=sys.stderr, flush=True)


def list_objects(s):
    """The names of the collection's objects, by a calendar-query without time-range (getetag):
    Radicale answers a PROPFIND Depth 1 of 10,000 objects in about 55 s, this in about 1 s."""
    st, _, data, _ = s.request("REPORT", s.coll, QUERY_ALL, dict(XML, Depth="1"))
    if st != 207:
        raise RuntimeError(f"calendar-query of {s.coll}: HTTP {st} {data[:200]!r}")
    return [n for n, code, _ in responses(data) if code == "200"]


def preflight(s, create):
    """None when the collection answers as a calendar (made with MKCALENDAR first when missing
    and create is set), else why not."""
    try:
        st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
        if st == 404 and create:
            st2, _, d2, _ = s.request("MKCALENDAR", s.coll, MKCALENDAR, XML)
            if st2 != 201:
                return f"MKCALENDAR {s.coll}: HTTP {st2} {d2[:200]!r}"
            st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
        if st != 207:
            return f"PROPFIND {s.coll} (Depth 0): HTTP {st} {data[:200]!r}"
        if ET.fromstring(data).find(".//D:resourcetype/C:calendar", NS) is None:
            return f"{s.coll} is not a calendar collection (no C:calendar in its DAV:resourcetype)"
    except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
        return f"{type(e).__name__}: {e}"
    return None


def calendar(a):
    events = make_calendar(a.events, a.seed)
    return events, [render(ev) for ev in events]


# ---------------------------------------------------------------------------------------------
# Sub-commands.


def cmd_files(a):
    """Every object as a file named by its href: Radicale's storage, written directly."""
    events, bodies = calendar(a)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for ev, body in zip(events, bodies):
        (out / ev["name"]).write_bytes(body)


def cmd_cyrus_user(a):
    """Cyrus: the user's mailbox, created by the admin over IMAP; its calendar home and the
    Default calendar are provisioned by httpd at the first DAV request."""
    import imaplib
    m = imaplib.IMAP4("127.0.0.1", a.port)
    m.login(a.admin, a.password)
    typ, msg = m.create(f"user/{a.user}")
    if typ != "OK":
        sys.exit(f"cyrus: CREATE user/{a.user}: {msg}")
    m.logout()


def cmd_warm(a):
    """The first read of every object (a calendar-query of all, getetag) and the first sync-token:
    Radicale parses each object into its cache, a file per object, at the first, and writes a
    history entry per object at the second; minutes at 10,000 events, done while the others load."""
    for spec in a.server:
        s = Server(spec)
        t0 = time.perf_counter()
        why = preflight(s, create=False)
        try:
            n = len(list_objects(s)) if not why else 0
            t1 = time.perf_counter()
            if not why:
                st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
                if st != 207 or not sync_token(data):
                    why = f"no DAV:sync-token (HTTP {st})"
        except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
            why = f"{type(e).__name__}: {e}"
        if why:
            say(f"{s.name}: not warmed up: {why}")
        else:
            say(f"{s.name}: first read of its {n} objects in {t1 - t0:.1f} s, first sync-token in "
                f"{time.perf_counter() - t1:.1f} s")


def cmd_load(a):
    """PUT every event into each server that passes its pre-flight check, over --conns
    connections; the time each took goes into the JSON (not a result)."""
    import threading
    events, bodies = calendar(a)
    res = {"loaded": {}, "skipped": {}}
    for spec in a.server:
        s = Server(spec)
        why = preflight(s, create=True)
        if not why:
            try:
                n = len(list_objects(s))
                if n:
                    why = f"{s.coll} is not empty ({n} objects)"
            except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
                why = f"{type(e).__name__}: {e}"
        if why:
            say(f"SKIPPING {s.name}: pre-flight check failed: {why}")
            res["skipped"][s.name] = why
            continue
        say(f"loading {s.name}: {len(bodies)} PUTs into {s.coll} over {a.conns} connections")
        errors = []

        def worker(k):
            c = Server(spec)
            try:
                for i in range(k, len(bodies), a.conns):
                    st, _, data, _ = c.request("PUT", c.href(events[i]["name"]), bodies[i],
                                               {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
                    if st not in (201, 204):
                        raise RuntimeError(f"PUT {events[i]['name']}: HTTP {st} {data[:300]!r}")
            except Exception as e:  # reported below
                errors.append(f"{type(e).__name__}: {e}")

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(a.conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        secs = time.perf_counter() - t0
        if errors:
            say(f"SKIPPING {s.name}: loading failed: {errors[0]}")
            res["skipped"][s.name] = f"loading failed: {errors[0]}"
            continue
        res["loaded"][s.name] = {"load_s": secs, "conns": a.conns, "note": a.note.get(s.name, "")}
        say(f"loaded {s.name} in {secs:.1f} s ({len(bodies) / secs:.0f} PUT/s)")
    pathlib.Path(a.json).write_text(json.dumps(res, indent=1))


def cmd_bench(a):
    t_start = time.time()
    events, bodies = calendar(a)
    names = [ev["name"] for ev in events]
    by_name = {ev["name"]: ev for ev in events}
    expected = {m: expected_hrefs(events, *m) for m in MONTHS}
    loaded = json.loads(pathlib.Path(a.load_json).read_text()) if a.load_json else {"loaded": {}, "skipped": {}}
    res = {"events": len(events), "recurring": sum(1 for ev in events if ev["rrule"]),
           "with_exdate": sum(1 for ev in events if ev["exdates"]),
           "with_override": sum(1 for ev in events if ev["overrides"]),
           "mean_bytes": sum(map(len, bodies)) / len(bodies), "seed": a.seed, "servers": {},
           "skipped": dict(loaded["skipped"]),
           "expected_per_month": {f"{y}-{m:02d}": len(v) for (y, m), v in expected.items()},
           "problems": [], "deviations": {}, "versions": a.version}
    servers = []
    for spec in a.server:
        s = Server(spec)
        if s.name in res["skipped"]:
            continue
        t0 = time.perf_counter()
        why = preflight(s, create=False)
        if not why:
            try:
                n = len(list_objects(s))  # also the first read of every object (Radicale builds its cache)
                if n != len(events):
                    why = f"{s.coll} holds {n} objects, not {len(events)}"
            except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
                why = f"{type(e).__name__}: {e}"
        if why:
            say(f"SKIPPING {s.name}: {why}")
            res["skipped"][s.name] = why
            continue
        say(f"{s.name}: holds the {len(events)} objects (listed in {time.perf_counter() - t0:.1f} s)")
        servers.append(s)
        res["servers"][s.name] = {"ops": {}, "collection": s.coll, "pid": s.pid,
                                  "load": loaded["loaded"].get(s.name, {"load_s": None, "note": a.note.get(s.name, "")})}
    if not servers:
        pathlib.Path(a.json).write_text(json.dumps(res, indent=1))
        sys.exit("no server to measure")

    # Warm-up, not timed: one query of a month not measured, one multiget.
    for s in servers:
        t0 = time.perf_counter()
        st, _, data, _ = s.request("REPORT", s.coll, query_body(2026, 8), dict(XML, Depth="1"))
        st2, _, _, _ = s.request("REPORT", s.coll, multiget_body([s.href(n) for n in names[:100]]), XML)
        if st != 207 or st2 != 207:
            raise RuntimeError(f"{s.name}: warm-up REPORTs: HTTP {st}, {st2}")
        say(f"{s.name}: warm-up query and multiget in {time.perf_counter() - t0:.1f} s")

    wall, failed = {}, set()

    def timed(op, s, body, headers, check):
        c0 = s.cpu()
        st, _, data, secs = s.request("REPORT", s.coll, body, headers)
        c1 = s.cpu()
        if st != 207:
            raise RuntimeError(f"{s.name}: {op}: HTTP {st} {data[:300]!r}")
        r = res["servers"][s.name]["ops"].setdefault(op, {"times": [], "cpu": [], "bytes": 0})
        r["times"].append(secs)
        r["cpu"].append(c1 - c0)
        r["bytes"] += len(data)
        check(s, data)

    def active(op):
        """The servers still to be asked for op: fewer than --reps repetitions, and fewer than
        --min-reps or less than --budget seconds spent on op (its untimed PUTs included)."""
        out = []
        for s in servers:
            n = len(res["servers"][s.name]["ops"].get(op, {"times": []})["times"])
            if (s.name, op) in failed:
                continue
            if n < a.reps and (n < a.min_reps or wall.get((s.name, op), 0.0) < a.budget):
                out.append(s)
        return out

    def each(op, fn):
        for s in active(op):
            t0 = time.perf_counter()
            try:
                fn(s)
            except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
                res["problems"].append(f"{s.name}: {op} failed, not asked again: {type(e).__name__}: {e}")
                failed.add((s.name, op))
            wall[(s.name, op)] = wall.get((s.name, op), 0.0) + time.perf_counter() - t0

    # a) calendar-query of one month, the months in rotation.
    seen = {}

    def check_query(month):
        def check(s, data):
            r = responses(data)
            got = {n for n, code, has in r if code == "200" and has}
            bad = [n for n, code, has in r if not (code == "200" and has)]
            if bad:
                res["problems"].append(f"{s.name}: month {month[0]}-{month[1]:02d}: {len(bad)} responses without "
                                       f"calendar-data or not 200 (e.g. {bad[0]})")
            if (s.name, month) not in seen:
                seen[(s.name, month)] = got
            elif seen[(s.name, month)] != got:
                res["problems"].append(f"{s.name}: month {month[0]}-{month[1]:02d}: a repeated query returned "
                                       "another set of hrefs")
        return check

    say(f"calendar-query of one month: up to {a.reps} per server")
    rep = 0
    while active("query"):
        month = MONTHS[rep % len(MONTHS)]
        each("query", lambda s: timed("query", s, query_body(*month), dict(XML, Depth="1"), check_query(month)))
        rep += 1
    # Every server against the generator's own expansion (RFC 4791 9.9 overlap).
    for s in servers:
        mh, dev = {}, {}
        for month in MONTHS:
            key = f"{month[0]}-{month[1]:02d}"
            got = seen.get((s.name, month))
            if got is None:
                continue
            mh[key] = len(got)
            exp = expected[month]
            for n in sorted(exp - got):
                res["problems"].append(f"{s.name}: month {key}: missing {n}")
            for n in sorted(got - exp):
                why = explain_extra(by_name[n], month) if n in by_name else None
                if why:
                    dev.setdefault(why, []).append(f"{key} {n}")
                else:
                    res["problems"].append(f"{s.name}: month {key}: returned {n}, no instance of which overlaps it")
        res["servers"][s.name]["month_hrefs"] = mh
        if dev:
            res["deviations"][s.name] = dev
    for month in MONTHS:
        sets = {s.name: seen[(s.name, month)] for s in servers if (s.name, month) in seen}
        if len({frozenset(v) for v in sets.values()}) > 1:
            res.setdefault("differ", []).append(f"{month[0]}-{month[1]:02d}: " +
                                                ", ".join(f"{k} {len(v)}" for k, v in sets.items()))

    # b) calendar-multiget of 100 hrefs.
    rng = random.Random(a.seed + 1)

    def check_multiget(want):
        def check(s, data):
            r = responses(data)
            got = {n for n, code, has in r if code == "200" and has}
            if got != want:
                res["problems"].append(f"{s.name}: multiget: {len(got & want)} of {len(want)} objects came back "
                                       f"with calendar-data ({len(r)} responses)")
        return check

    say(f"calendar-multiget of 100: up to {a.reps} per server")
    while active("multiget"):
        pick = rng.sample(names, min(100, len(names)))
        each("multiget", lambda s: timed("multiget", s, multiget_body([s.href(n) for n in pick]), XML,
                                         check_multiget(set(pick))))

    # c) sync-collection after 10 changes.
    tokens = {}
    for s in servers:
        st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
        tokens[s.name] = sync_token(data) if st == 207 else ""
        if not tokens[s.name]:  # no DAV:sync-token property: an initial sync gives one
            st, _, data, _ = s.request("REPORT", s.coll, sync_body(""), dict(XML, Depth="0"))
            tokens[s.name] = sync_token(data) if st == 207 else ""
        if not tokens[s.name]:
            res["problems"].append(f"{s.name}: no sync-token (PROPFIND and initial sync-collection)")
            failed.add((s.name, "sync"))

    def check_sync(want):
        def check(s, data):
            r = responses(data)
            got = {n for n, code, _ in r if code == "200"}
            if got != want:
                res["problems"].append(f"{s.name}: sync-collection: {len(got & want)} of the {len(want)} changed "
                                       f"events reported, {len(got - want)} others ({len(r)} responses)")
            tokens[s.name] = sync_token(data)
        return check

    def put_and_sync(s, changed, new):
        for ev, body in zip(changed, new):
            t0 = time.perf_counter()
            st, _, data, _ = s.request("PUT", s.href(ev["name"]), body, {"Content-Type": "text/calendar; charset=utf-8"})
            if st not in (201, 204):
                raise RuntimeError(f"{s.name}: PUT {ev['name']}: HTTP {st} {data[:300]!r}")
            res["servers"][s.name].setdefault("put_s", []).append(time.perf_counter() - t0)
        timed("sync", s, sync_body(tokens[s.name]), dict(XML, Depth="0"), check_sync({ev["name"] for ev in changed}))

    say(f"sync-collection after 10 changes: up to {a.reps} per server")
    rev = 0
    while active("sync"):
        rev += 1
        changed = rng.sample(events, 10)
        for ev in changed:
            ev["rev"], ev["seq"] = rev, ev["seq"] + 1
        new = [render(ev) for ev in changed]
        each("sync", lambda s: put_and_sync(s, changed, new))

    for s in servers:
        r = res["servers"][s.name]
        r["connects"], r["requests"] = s.connects, s.requests
        if r.get("put_s"):
            r["put_p50_ms"] = 1000 * pct(r["put_s"], 50)
        for op, x in r["ops"].items():
            x.update({"n": len(x["times"]), "p50_ms": 1000 * pct(x["times"], 50), "p90_ms": 1000 * pct(x["times"], 90),
                      "cpu_ms": 1000 * statistics.mean(x["cpu"]) if s.pid else None,
                      "kib": x["bytes"] / len(x["times"]) / 1024})
    res["seconds"] = time.time() - t_start
    pathlib.Path(a.json).write_text(json.dumps(res, indent=1))
    for m in res["problems"][:20]:
        say(f"WARNING: {m}")


OPS = [("query", "calendar-query, one month"), ("multiget", "calendar-multiget, 100 hrefs"),
       ("sync", "sync-collection after 10 PUTs")]
TARGETS = {"radicale": 5.0, "cyrus": 1.0}


def cmd_report(a):
    res = json.loads(pathlib.Path(a.json).read_text())
    sv = res["servers"]
    names = list(sv)
    ver = res.get("versions", {})
    out = [f"{res['events']} events in one calendar ({res['recurring']} recurring, {res['with_exdate']} with "
           f"EXDATE, {res['with_override']} with an overridden instance; {res['mean_bytes']:.0f} bytes on "
           f"average; seed {res['seed']})"]
    out.append("servers: " + ", ".join(f"{n} {ver.get(n, '')}".strip() for n in names))
    for n, why in res["skipped"].items():
        out.append(f"SKIPPED {n}: {why}")
    loads = []
    for n in names:
        ld = sv[n]["load"]
        if ld.get("load_s"):
            loads.append(f"{n} {ld['load_s']:.1f} s ({res['events'] / ld['load_s']:.0f} PUT/s, {ld['conns']} "
                         f"connections{', ' + ld['note'] if ld.get('note') else ''})")
        else:
            loads.append(f"{n}: {ld.get('note') or 'not loaded by this run'}")
    out.append("loading (not a result): " + "; ".join(loads))
    w = 22
    out.append(f"{'':31s}" + "".join(f"{n + ' p50 / p90 ms':>{w}s}" for n in names))
    for op, label in OPS:
        row = f"{label:31s}"
        for n in names:
            x = sv[n]["ops"].get(op)
            row += f"{x['p50_ms']:>{w - 10}.1f} /{x['p90_ms']:8.1f}" if x else f"{'-':>{w}s}"
        out.append(row)
    out.append(f"{'  server CPU per request, ms':31s}" + "".join(f"{'query/multiget/sync':>{w}s}" for _ in names))
    row = f"{'':31s}"
    for n in names:
        cell = "/".join(f"{sv[n]['ops'][op]['cpu_ms']:.1f}" if op in sv[n]["ops"] and
                        sv[n]["ops"][op].get("cpu_ms") is not None else "-" for op, _ in OPS)
        row += f"{cell:>{w}s}"
    out.append(row)
    row = f"{'  repetitions; response KiB':31s}"
    for n in names:
        ops = [sv[n]["ops"][op] for op, _ in OPS if op in sv[n]["ops"]]
        cell = "/".join(str(x["n"]) for x in ops) + "; " + "/".join(f"{x['kib']:.0f}" for x in ops)
        row += f"{cell:>{w}s}"
    out.append(row)
    row = f"{'  PUT of a changed event, p50':31s}"
    for n in names:
        row += f"{sv[n]['put_p50_ms']:>{w - 3}.1f} ms" if sv[n].get("put_p50_ms") else f"{'-':>{w}s}"
    out.append(row)
    out.append("  connections opened: " + ", ".join(f"{n} {sv[n]['connects']} for {sv[n]['requests']} requests"
                                                     for n in names))
    if "atrium" in sv:
        at = sv["atrium"]["ops"]
        for n in names:
            if n == "atrium":
                continue
            parts, missed = [], []
            tgt = TARGETS.get(n)
            for op, _ in OPS:
                if op in at and op in sv[n]["ops"]:
                    r50 = sv[n]["ops"][op]["p50_ms"] / at[op]["p50_ms"]
                    r90 = sv[n]["ops"][op]["p90_ms"] / at[op]["p90_ms"]
                    parts.append(f"{op} {r50:.2f}x (p90 {r90:.2f}x)")
                    if tgt and r50 < tgt:
                        missed.append(op)
            verdict = ""
            if tgt:
                verdict = f"   target >= {tgt:g}x: " + (f"NOT met for {', '.join(missed)}" if missed else "met")
            out.append(f"ratio {n}/atrium, p50: " + ", ".join(parts) + verdict)
    else:
        out.append("no ratios: atrium was not measured")
    months = sorted(res["expected_per_month"])
    out.append("month query hrefs, " + ", ".join(months) + ": expected " +
               "/".join(str(res["expected_per_month"][m]) for m in months) + "; " +
               "; ".join(f"{n} " + "/".join(str(sv[n].get("month_hrefs", {}).get(m, "-")) for m in months)
                         for n in names))
    for n, dev in res["deviations"].items():
        for why, items in dev.items():
            out.append(f"note: {n} returned {len(items)} events more than RFC 4791 asks for: {why} (e.g. {items[0]})")
    if res["problems"] or res.get("differ"):
        bar = "!" * 100
        out.append(bar)
        if res.get("differ"):
            out.append("WARNING: the month query returned DIFFERENT SETS of hrefs from the servers: " +
                       "; ".join(res["differ"]))
            if not res["problems"]:
                out.append("  (every difference is one of the over-matches in the notes above: no server missed "
                           "an event that has an instance in the month)")
        if res["problems"]:
            out.append(f"WARNING: {len(res['problems'])} results that are wrong by RFC 4791/6578:")
            out += [f"  {m}" for m in res["problems"][:30]]
            if len(res["problems"]) > 30:
                out.append(f"  ... and {len(res['problems']) - 30} more (in the JSON)")
        out.append(bar)
    if not res["problems"]:
        out.append(f"verified: every month query returned every expected href ({len(months)} months), "
                   "every multiget all 100 objects, every sync exactly the 10 changed events"
                   + (" (beyond the notes above)" if res["deviations"] else ""))
    out.append(f"timed phase {res['seconds']:.0f} s")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def data_args(p):
        p.add_argument("--events", type=int, default=10000)
        p.add_argument("--seed", type=int, default=1)

    def kv(x):
        return dict(y.split("=", 1) for y in x)

    f = sub.add_parser("files")
    data_args(f)
    f.add_argument("--out", required=True)
    wm = sub.add_parser("warm")
    wm.add_argument("--server", action="append", default=[])
    c = sub.add_parser("cyrus-user")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--admin", required=True)
    c.add_argument("--password", required=True)
    c.add_argument("--user", required=True)
    ld = sub.add_parser("load")
    data_args(ld)
    ld.add_argument("--server", action="append", default=[])
    ld.add_argument("--conns", type=int, default=4)
    ld.add_argument("--note", action="append", default=[], help="NAME=TEXT: how that server was loaded")
    ld.add_argument("--json", required=True)
    b = sub.add_parser("bench")
    data_args(b)
    b.add_argument("--server", action="append", default=[])
    b.add_argument("--load-json")
    b.add_argument("--reps", type=int, default=30, help="repetitions per operation and server, at most")
    b.add_argument("--min-reps", type=int, default=7, help="repetitions per operation and server, at least")
    b.add_argument("--budget", type=float, default=20, help="seconds per operation and server once --min-reps are done")
    b.add_argument("--note", action="append", default=[], help="NAME=TEXT: how that server was loaded")
    b.add_argument("--version", action="append", default=[], help="NAME=VERSION")
    b.add_argument("--json", required=True)
    r = sub.add_parser("report")
    r.add_argument("--json", required=True)
    a = ap.parse_args()
    for k in ("note", "version"):
        if hasattr(a, k):
            setattr(a, k, kv(getattr(a, k)))
    {"files": cmd_files, "warm": cmd_warm, "cyrus-user": cmd_cyrus_user, "load": cmd_load, "bench": cmd_bench,
     "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
