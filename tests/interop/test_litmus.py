"""litmus, the WebDAV server test suite (Debian's package), against the user's file area
(/dav/files/<user>/; the calendar home of a reference server): litmus makes `litmus/` under the
URL it is given (a plain MKCOL) and works inside it with plain files, nested collections,
COPY/MOVE and dead properties. The groups basic, copymove and props
must pass whole: no failure, and no test skipped for want of an earlier one. Neither CalDAV
reference can (they keep calendar data only); a plain WebDAV server such as Apache's mod_dav_fs
passes all three groups whole (16, 13 and 30 tests with litmus 0.13).

Run with CALDAV_REFERENCE=radicale or =cyrus to point it at a reference server (see caldav_support)."""
import os
import re
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET

from caldav_support import ALICE, CALDAV_NS, PASSWORDS, path_of, reference_deviation
from caldav_support import dav  # noqa: F401 (the fixture)

GROUPS = ("basic", "copymove", "props")


def run_litmus(url, cwd):
    """Runs the groups against `url`; returns ({group: counts}, output). litmus writes its
    debug.log (every request and response) into `cwd`."""
    r = subprocess.run(["litmus", "-k", url, ALICE, PASSWORDS[ALICE]], cwd=cwd, capture_output=True, timeout=120,
                       env={**os.environ, "TESTS": " ".join(GROUPS), "LANG": "C"})
    # Progress lines are redrawn with CR; failure messages may carry raw bytes.
    out = (r.stdout + r.stderr).decode("utf-8", errors="replace").replace("\r", "\n")
    groups, current = {}, None
    for line in out.splitlines():
        if m := re.match(r"-> running `(\w+)':", line):
            current = m.group(1)
            groups[current] = {"run": 0, "passed": 0, "failed": 0, "skipped": 0, "warnings": 0, "failures": []}
        elif current is None:
            continue
        elif m := re.match(r"<- summary for `(\w+)': of (\d+) tests run: (\d+) passed(?:, (\d+) failed)?", line):
            assert m.group(1) == current, line
            groups[current].update(run=int(m.group(2)), passed=int(m.group(3)), failed=int(m.group(4) or 0))
        elif m := re.match(r"-> (\d+) tests? (?:was|were) skipped", line):
            groups[current]["skipped"] = int(m.group(1))
        elif m := re.match(r"-> (\d+) warnings? (?:was|were) issued", line):
            groups[current]["warnings"] = int(m.group(1))
        elif "FAIL" in line or "WARNING" in line:
            groups[current]["failures"].append(line.strip())
    return groups, out


def home_href(dav):
    """The calendar home as the server spells it in CALDAV:calendar-home-set. litmus compares the
    hrefs in a multistatus with the path it asked for byte for byte, so it is given the server's
    own spelling (`@` or `%40`), as a client that discovered the home would use."""
    body = (f'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="{CALDAV_NS}">'
            "<D:prop><C:calendar-home-set/></D:prop></D:propfind>")
    r = dav.session().request("PROPFIND", dav.url(dav.principal_path(ALICE)), data=body,
                              headers={"Depth": "0", "Content-Type": "application/xml"})
    assert r.status_code == 207, (r.status_code, r.text)
    href = ET.fromstring(r.content).findtext(f".//{{{CALDAV_NS}}}calendar-home-set/{{DAV:}}href")
    assert href and path_of(href) == dav.home_path(ALICE), r.text
    return urllib.parse.urlsplit(href).path


@reference_deviation(radicale="Radicale stores iCalendar and vCard only: litmus's plain files are refused (400), "
                              "and it does not allow MKCOL inside a collection it made",
                     cyrus="Cyrus takes no plain collection (MKCOL) in a calendar home")
def test_litmus_basic_copymove_props(dav, tmp_path):
    href = home_href(dav)
    if not os.environ.get("CALDAV_REFERENCE"):
        # Atrium keeps plain WebDAV folders in each account's file area, next to the calendar home.
        href = href.replace("/dav/calendars/", "/dav/files/", 1)
    url = dav.url(href)
    groups, out = run_litmus(url, tmp_path)
    print(f"litmus against {url}:")
    for name in GROUPS:
        g = groups.get(name, {})
        print(f"  {name:9} run {g.get('run')} passed {g.get('passed')} failed {g.get('failed')} "
              f"skipped {g.get('skipped')} warnings {g.get('warnings')}")
        for line in g.get("failures", []):
            print(f"    {line}")
    assert list(groups) == list(GROUPS), out
    for name in GROUPS:
        g = groups[name]
        assert g["run"] > 0 and g["failed"] == 0 and g["skipped"] == 0, (name, g, (tmp_path / "debug.log"))
        assert g["passed"] == g["run"], (name, g)
