// Drives Atrium with imapflow: CONDSTORE fetch, flags, MOVE, QRESYNC expunge events and IDLE.
// Prints one JSON line per step; the pytest side checks them. Args: port user password.
import { ImapFlow } from "imapflow";
import readline from "node:readline";

const [port, user, pass] = process.argv.slice(2);
const say = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));
const options = (extra = {}) => ({
  host: "127.0.0.1", port: Number(port), secure: false, doSTARTTLS: false,
  auth: { user, pass }, logger: false, ...extra,
});
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));
const within = (ms, promise, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timeout: ${what}`)), ms))]);

const a = new ImapFlow(options({ qresync: true }));
await a.connect();
say("connected", { capabilities: [...a.capabilities.keys()] });

let lock = await a.getMailboxLock("INBOX");
say("opened", { exists: a.mailbox.exists, highestModseq: String(a.mailbox.highestModseq ?? ""), uidValidity: String(a.mailbox.uidValidity) });
const fetched = [];
for await (const m of a.fetch("1:*", { uid: true, flags: true, envelope: true })) {
  fetched.push({ uid: m.uid, modseq: String(m.modseq ?? ""), subject: m.envelope.subject, flags: [...m.flags] });
}
say("fetched", { messages: fetched });
await a.messageFlagsAdd({ uid: fetched[0].uid }, ["\\Flagged", "$Important"], { uid: true });
const after = await a.fetchOne(String(fetched[0].uid), { flags: true }, { uid: true });
say("flagged", { flags: [...after.flags], modseq: String(after.modseq ?? "") });
const moved = await a.messageMove({ uid: fetched[1].uid }, "Archive", { uid: true });
say("moved", { uidMap: moved && moved.uidMap ? [...moved.uidMap.entries()].map(([k, v]) => [k, v]) : [] });

// Another client expunges: the first one hears about it (VANISHED under QRESYNC).
const vanished = new Promise((resolve) => a.on("expunge", (e) => resolve(e)));
const b = new ImapFlow(options());
await b.connect();
const lockB = await b.getMailboxLock("INBOX");
await b.messageDelete({ uid: fetched[2].uid }, { uid: true });
lockB.release();
await b.logout();
await a.noop();
const ev = await within(5000, vanished, "expunge event");
say("expunge-seen", { uid: ev.uid ?? null, seq: ev.seq ?? null, vanished: !!ev.vanished });

// IDLE: the test delivers a message over SMTP once told we are idling.
const exists = new Promise((resolve) => a.on("exists", (e) => resolve(e)));
const idling = a.idle();
say("idling");
await nextLine();
const ex = await within(10000, exists, "exists event");
say("exists-seen", { count: ex.count, prevCount: ex.prevCount });
lock.release();
await a.logout();
await idling.catch(() => {});
say("done");
process.exit(0);
