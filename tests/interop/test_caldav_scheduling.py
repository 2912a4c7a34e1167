"""Implicit scheduling (RFC 6638) driven by python3-caldav as two users: alice invites bob, an
outside address and a room; bob finds the invitation in his inbox and a tentative copy in his
calendar, accepts it from his client, and alice's client sees his answer; the outside address's
invitation waits in the outbound queue as iMIP mail; the room accepts the first booking of an
hour and declines the second. Atrium only: the references do not schedule between accounts."""
import email.message
import os
import re
import smtplib
import time

import caldav
import pytest

from caldav_support import ALICE, BOB, PASSWORDS
from conftest import Server
from caldav_support import dav  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(bool(os.environ.get("CALDAV_REFERENCE")), reason="Atrium's scheduling only")

ROOM = "room1@example.test"


def client(dav, user):
    return caldav.DAVClient(url=dav.url("/dav/"), username=user, password=PASSWORDS[user])


def meeting(uid, start, end, attendees, summary="Budget review"):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Interop//EN", "BEGIN:VEVENT", f"UID:{uid}",
             "DTSTAMP:20261120T080000Z", f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{summary}",
             f"ORGANIZER;CN=Alice:mailto:{ALICE}", f"ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:{ALICE}"]
    lines += [f"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{a}" for a in attendees]
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def partstat(ical, email):
    unfolded = re.sub(r"\r?\n[ \t]", "", ical)
    for line in unfolded.splitlines():
        if line.upper().startswith("ATTENDEE") and line.lower().endswith("mailto:" + email):
            m = re.search(r";PARTSTAT=([A-Z-]+)", line, re.I)
            return m.group(1).upper() if m else "NEEDS-ACTION"
    return None


def test_invitation_answer_and_outside_attendee(dav):
    alice = client(dav, ALICE).principal()
    bob = client(dav, BOB).principal()
    alice_cal = [c for c in alice.calendars() if str(c.url).endswith("/calendar/")][0]
    bob_cal = [c for c in bob.calendars() if str(c.url).endswith("/calendar/")][0]

    ev = alice_cal.save_event(meeting("budget-2026", "20261207T100000Z", "20261207T110000Z",
                                      [BOB, "carol@outside.test"]))
    # Bob: the invitation in his schedule inbox, a tentative copy in his calendar.
    inbox = bob.schedule_inbox()
    items = list(inbox.get_items())
    assert len(items) == 1
    items[0].load()
    assert "METHOD:REQUEST" in items[0].data
    copies = bob_cal.events()
    assert len(copies) == 1
    copy = copies[0]
    assert partstat(copy.data, BOB) == "NEEDS-ACTION"

    # Bob accepts from his client.
    copy.data = re.sub(r"(ATTENDEE[^\r\n]*?)PARTSTAT=NEEDS-ACTION;RSVP=TRUE(:mailto:" + re.escape(BOB) + ")",
                       r"\1PARTSTAT=ACCEPTED\2", copy.data)
    assert partstat(copy.data, BOB) == "ACCEPTED"
    copy.save()
    ev.load()
    assert partstat(ev.data, BOB) == "ACCEPTED", ev.data
    replies = list(alice.schedule_inbox().get_items())
    for r in replies:
        r.load()
    assert any("METHOD:REPLY" in r.data for r in replies)

    # The outside attendee's invitation is queued as iMIP mail.
    listing = dav.server.cli("queue", "list").stdout.strip().splitlines()
    assert len(listing) == 1, listing
    qid, sender, rcpt, status, *_ = listing[0].split("\t")
    assert (sender, rcpt, status) == (ALICE, "carol@outside.test", "pending")
    mail = dav.server.cli("queue", "show", qid).stdout
    assert "text/calendar; charset=utf-8; method=REQUEST" in mail
    assert "Subject: Invitation: Budget review" in mail

    # The organiser deletes the meeting: bob's copy is cancelled.
    ev.delete()
    copy.load()
    assert "STATUS:CANCELLED" in copy.data


def test_room_declines_a_double_booking(dav):
    dav.server.cli("resource", "add", ROOM, "--name", "Room 1")
    alice = client(dav, ALICE).principal()
    cal = [c for c in alice.calendars() if str(c.url).endswith("/calendar/")][0]
    first = cal.save_event(meeting("room-a", "20261208T090000Z", "20261208T100000Z", [ROOM], "Standup"))
    second = cal.save_event(meeting("room-b", "20261208T093000Z", "20261208T103000Z", [ROOM], "Clash"))
    first.load()
    second.load()
    assert partstat(first.data, ROOM) == "ACCEPTED", first.data
    assert partstat(second.data, ROOM) == "DECLINED", second.data


def reply_mail(sender, attendee, partstat, uid):
    ical = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Outside//EN", "METHOD:REPLY", "BEGIN:VEVENT", f"UID:{uid}",
        "DTSTAMP:20261121T090000Z", "DTSTART:20261209T100000Z", "DTEND:20261209T110000Z", "SEQUENCE:0",
        f"ORGANIZER:mailto:{ALICE}", f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee}", "END:VEVENT",
        "END:VCALENDAR", ""])
    msg = email.message.EmailMessage()
    msg["From"] = sender
    msg["To"] = ALICE
    msg["Subject"] = f"{partstat.title()}: Roadmap"
    msg.set_content(f"{attendee} has answered.")
    msg.add_alternative(ical, subtype="calendar", params={"method": "REPLY"})
    return msg


def test_imip_reply_by_mail_updates_the_organisers_event(tmp_path):
    server = Server(tmp_path, ("http", "smtp"))
    server.cli("domain", "add", "example.test")
    server.cli("user", "add", ALICE, "--password-stdin", input=PASSWORDS[ALICE] + "\n")
    server.start()
    try:
        cal = caldav.DAVClient(url=server.url("/dav/"), username=ALICE, password=PASSWORDS[ALICE]).principal()
        cal = [c for c in cal.calendars() if str(c.url).endswith("/calendar/")][0]
        ev = cal.save_event(meeting("roadmap-1", "20261209T100000Z", "20261209T110000Z",
                                    ["carol@outside.test", "dave@outside.test"], "Roadmap"))
        with smtplib.SMTP("127.0.0.1", server.ports["smtp"], timeout=10) as s:
            # A forged answer (the sender is not the attendee) is ignored; carol's own is applied.
            s.send_message(reply_mail("mallory@outside.test", "dave@outside.test", "ACCEPTED", "roadmap-1"))
            s.send_message(reply_mail("carol@outside.test", "carol@outside.test", "ACCEPTED", "roadmap-1"))
        deadline = time.time() + 10
        while time.time() < deadline:
            ev.load()
            if partstat(ev.data, "carol@outside.test") == "ACCEPTED":
                break
            time.sleep(0.1)
        assert partstat(ev.data, "carol@outside.test") == "ACCEPTED", ev.data
        assert partstat(ev.data, "dave@outside.test") == "NEEDS-ACTION", ev.data
        log = server.log_text()
        assert "imip.reply_applied" in log and "imip.reply_ignored" in log, log
    finally:
        server.stop()
