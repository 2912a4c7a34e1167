// Drives a CardDAV server with tsdav: discovery (addressbook-home-set), fetchAddressBooks and a
// vCard's life (create, fetch, update, delete). Prints one JSON line with what it saw; the pytest
// side checks it. Environment: DAV_URL, DAV_USER, DAV_PASSWORD.
import { createDAVClient } from "tsdav";

const card = (name) => [
  "BEGIN:VCARD", "VERSION:3.0", "UID:tsdav-card-1", `FN:${name}`, "N:Somerville;Mary;;;",
  "EMAIL;TYPE=INTERNET:mary@example.test", "END:VCARD", "",
].join("\r\n");

const client = await createDAVClient({
  serverUrl: process.env.DAV_URL,
  credentials: { username: process.env.DAV_USER, password: process.env.DAV_PASSWORD },
  authMethod: "Basic", defaultAccountType: "carddav",
});
const books = await client.fetchAddressBooks();
const book = books.find((b) => b.url.endsWith("/contacts/")) ?? books[0];
const created = await client.createVCard({ addressBook: book, filename: "tsdav-card-1.vcf", vCardString: card("Mary Somerville") });
const fetched = await client.fetchVCards({ addressBook: book });
const updated = await client.updateVCard({ vCard: { ...fetched[0], data: card("Mary Somerville (updated)") } });
const refetched = await client.fetchVCards({ addressBook: book });
await client.deleteVCard({ vCard: refetched[0] });
const after = await client.fetchVCards({ addressBook: book });
console.log(JSON.stringify({
  books: books.length, created: created.status, fetched: fetched.length, data: fetched[0]?.data ?? "",
  updated: updated.status, refetched: refetched[0]?.data ?? "", after_delete: after.length,
}));
