// Drives a CalDAV server with tsdav: discovery from /.well-known/caldav, fetchCalendars, and a
// calendar object's life (create, fetch, update, a stale update, delete). Prints one JSON line per
// step; the pytest side checks them. Args: server-url user password.
import { createDAVClient } from "tsdav";

const [serverUrl, username, password] = process.argv.slice(2);
const say = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));
const summaryOf = (ics) => (/^SUMMARY:(.*)$/m.exec(ics ?? "") ?? [])[1]?.trim() ?? null;
const ics = (summary) => [
  "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Atrium interop tsdav//EN",
  "BEGIN:VEVENT", "UID:tsdav-1@example.test", "DTSTAMP:20260301T120000Z",
  "DTSTART:20260610T090000Z", "DTEND:20260610T100000Z", `SUMMARY:${summary}`,
  "END:VEVENT", "END:VCALENDAR", "",
].join("\r\n");

const client = await createDAVClient({
  serverUrl, credentials: { username, password }, authMethod: "Basic", defaultAccountType: "caldav",
});
const account = await client.createAccount({ account: { accountType: "caldav" } });
say("account", { rootUrl: account.rootUrl, principalUrl: account.principalUrl, homeUrl: account.homeUrl });

const calendars = await client.fetchCalendars();
say("calendars", {
  calendars: calendars.map((c) => ({
    url: c.url, components: c.components ?? [], displayName: c.displayName ?? null,
    ctag: c.ctag ?? null, syncToken: c.syncToken ?? null,
  })),
});
const calendar = calendars.find((c) => (c.components ?? []).includes("VEVENT"));

const created = await client.createCalendarObject({ calendar, filename: "tsdav-1.ics", iCalString: ics("From tsdav") });
say("created", { status: created.status, url: new URL("tsdav-1.ics", calendar.url).href });

const fetched = await client.fetchCalendarObjects({ calendar });
say("fetched", {
  objects: fetched.map((o) => ({ url: new URL(o.url, calendar.url).href, summary: summaryOf(o.data), hasEtag: !!o.etag })),
  etag: fetched[0]?.etag ?? null,
});
const inRange = await client.fetchCalendarObjects({
  calendar, timeRange: { start: "2026-06-10T00:00:00Z", end: "2026-06-11T00:00:00Z" },
});
const outOfRange = await client.fetchCalendarObjects({
  calendar, timeRange: { start: "2026-06-11T00:00:00Z", end: "2026-06-12T00:00:00Z" },
});
say("time-range", { inRange: inRange.length, outOfRange: outOfRange.length });

const object = fetched[0];
const updated = await client.updateCalendarObject({ calendarObject: { ...object, data: ics("From tsdav (changed)") } });
say("updated", { status: updated.status });
const [refetched] = await client.fetchCalendarObjects({ calendar, objectUrls: [object.url] });
say("refetched", { summary: summaryOf(refetched?.data), etag: refetched?.etag ?? null });

// The first ETag is stale now: the server must refuse the write (412).
const stale = await client.updateCalendarObject({ calendarObject: { ...object, data: ics("Stale write") } });
say("stale", { status: stale.status });

const deleted = await client.deleteCalendarObject({ calendarObject: refetched });
say("deleted", { status: deleted.status });
const after = await client.fetchCalendarObjects({ calendar });
say("after-delete", { count: after.length });
say("done");
