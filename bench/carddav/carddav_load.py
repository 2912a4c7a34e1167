"""The CardDAV client of bench/carddav/run: the address book, its loading, the timed REPORTs and
the summary. Standard library only (Debian's /usr/bin/python3). The HTTP client, the CPU reading,
Cyrus's user creation and the percentiles are bench/caldav/caldav_load.py's.

  carddav_load.py files      --contacts N --out DIR     every card as a file (Radicale's storage)
  carddav_load.py warm       --server SPEC              first read of every card, first sync-token
  carddav_load.py cyrus-user --port P --admin A --password W --user U
  carddav_load.py load       --server SPEC ... --contacts N [--conns 4] --json OUT
  carddav_load.py bench      --server SPEC ... --contacts N [--load-json F] [--reps 30] [--min-reps 7]
                             [--budget 20] --json OUT
  carddav_load.py report     --json OUT

SPEC is name=N,port=P,user=U,password=W,path=COLLECTION[,pid=PID]. files, load and bench generate the
same address book from --contacts and --seed: N vCard 3.0 contacts (FN, N, one to three EMAILs, TELs,
ORG and TITLE for most, ADR for some, NOTE and BDAY for a few, a small JPEG PHOTO for 3 %).

`load` checks each server (PROPFIND on the collection, an extended MKCOL of an address book where it
does not exist yet; it must be empty) and PUTs every card into it; a server that fails the check is
skipped with the reason. `bench` drives every server over one keep-alive HTTP/1.1 connection with
Basic auth, checks that each holds the N cards, warms each up with one untimed query and multiget,
then runs the timed operations with the servers interleaved (each repetition asks every server in
turn):

  query     addressbook-query REPORT: prop-filter EMAIL, text-match contains a company's domain
            fragment (about 1 % of the cards each; six fragments in rotation), getetag and
            address-data; the hrefs each server returns are checked against the generator's own
            match and against each other;
  multiget  addressbook-multiget REPORT of 100 random hrefs, getetag and address-data;
  sync      10 cards changed by PUT (not timed), then sync-collection REPORT from the previous
            sync-token (timed), which must report exactly those 10.

Each operation is asked of each server --reps times at most, --min-reps at least, and no more once
--budget seconds went into it (the sync's PUTs included). Only the request is timed.
"""
import argparse
import base64
import datetime as dt
import http.client
import json
import pathlib
import random
import statistics
import sys
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "caldav"))
from caldav_load import (XML, Server, cmd_cyrus_user, fold, pct, sync_body,  # noqa: E402
                         sync_token, xml_body)

UTC = dt.timezone.utc
NS = {"D": "DAV:", "CR": "urn:ietf:params:xml:ns:carddav"}
CR = 'xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"'

GIVEN = """Anna Lena Jonas Lukas Marie Sophie Paul Felix Emma Mia Noah Elias Leon Hannah Lea Ben Finn
Clara Emil Ida Oskar Greta Maximilian Charlotte Julian Laura Tim Sarah David Nina Jan Katharina
Michael Thomas Andreas Stefan Petra Sabine Claudia Monika Susanne Frank Jürgen Uwe Birgit Heike
Olivia James Oliver Amelia George Isla Harry Ava Jack Emily Lucas Chloé Léa Hugo Louis Camille
Mateo Lucía Sofía Martín Valentina Giulia Marco Alessandro Francesca Piotr Agnieszka Jakub Zofia
Mehmet Ayşe Emre Elif Yuki Haruto Aiko Wei Mei Arjun Priya Rohan Ananya Kwame Ama Tariq Leila""".split()
FAMILY = """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange
Schmitt Werner Krause Meier Lehmann Smith Jones Taylor Brown Williams Wilson Johnson Davies
Robinson Wright Thompson Evans Walker White Roberts Green Hall Wood Martin Bernard Dubois Thomas
Robert Richard Petit Durand Leroy Moreau Rossi Russo Ferrari Esposito Bianchi Romano Colombo
García Fernández González Rodríguez López Martínez Nowak Kowalski Wiśniewski Yılmaz Kaya Demir
Tanaka Suzuki Takahashi Wang Li Zhang Liu Chen Sharma Patel Singh Kumar Mensah Owusu Haddad""".split()
# Company name, mail domain: the query's fragments are among these domains (about 1 % each).
COMPANIES = [
    ("Nordwind Logistik GmbH", "nordwind-logistik.de"), ("Bergmann & Söhne KG", "bergmann-soehne.de"),
    ("Alpenglas AG", "alpenglas.ch"), ("Havelstrom Energie", "havelstrom.de"),
    ("Kranich Software", "kranich-software.com"), ("Lindenhof Kliniken", "lindenhof-kliniken.de"),
    ("Rheinfels Versicherung", "rheinfels-vers.de"), ("Blue Harbour Consulting", "blueharbour.co.uk"),
    ("Maple Leaf Robotics", "mapleleafrobotics.ca"), ("Atelier Moreau", "atelier-moreau.fr"),
    ("Studio Bianchi", "studiobianchi.it"), ("Ostsee Reisen", "ostsee-reisen.de"),
    ("Falkenstein Bau", "falkenstein-bau.de"), ("Greenfield Analytics", "greenfield-analytics.io"),
    ("Sonnenberg Apotheke", "sonnenberg-apotheke.de"), ("Quantum Harbor Labs", "qharbor.io"),
    ("Elbufer Medien", "elbufer-medien.de"), ("Tanaka Trading Co.", "tanaka-trading.jp"),
    ("Vistula Systems", "vistula-systems.pl"), ("Anatolia Textil", "anatolia-textil.com.tr"),
    ("Iberia Solar", "iberiasolar.es"), ("Copperfield Press", "copperfield-press.com"),
    ("Weserland Bank", "weserland-bank.de"), ("Silverline Freight", "silverline-freight.com"),
    ("Hohenzoller Druck", "hohenzoller-druck.de"), ("Nimbus Cloud Services", "nimbuscloud.net"),
    ("Stadtwerke Mittelbach", "sw-mittelbach.de"), ("Ravensburg Spielwaren", "ravensburg-spiel.de"),
    ("Auster Marine", "auster-marine.no"), ("Pinecrest Schools", "pinecrest.edu"),
    ("Kappa Biotech", "kappabio.com"), ("Meridian Legal", "meridian-legal.com"),
    ("Tauber Weinkellerei", "tauber-wein.de"), ("Orion Aerospace", "orion-aero.com"),
    ("Westend Architekten", "westend-architekten.de"), ("Lakeside Dental", "lakesidedental.com"),
    ("Brightwater Foods", "brightwaterfoods.com"), ("Schwarzwald Holz", "schwarzwald-holz.de"),
    ("Cedar & Pine Design", "cedarpine.design"), ("Helios Optik", "helios-optik.de"),
    ("Polaris Ventures", "polaris-vc.com"), ("Isar Mobility", "isar-mobility.de"),
    ("Vega Telecom", "vegatel.eu"), ("Marlowe & Finch", "marlowefinch.co.uk"),
    ("Kieler Werft", "kieler-werft.de"), ("Sakura Electronics", "sakura-elec.jp"),
    ("Danube Insurance", "danube-ins.at"), ("Granite Peak Outdoor", "granitepeak.com"),
    ("Mosel Verlag", "mosel-verlag.de"), ("Redwood Health", "redwoodhealth.org"),
    ("Atlas Fördertechnik", "atlas-foerdertechnik.de"), ("Lumen Lighting", "lumen-lighting.nl"),
    ("Fjord Fisheries", "fjordfish.no"), ("Saffron Kitchen", "saffronkitchen.in"),
    ("Eichenhain Schule", "eichenhain-schule.de"), ("Cobalt Security", "cobaltsec.com"),
    ("Marienplatz Immobilien", "mp-immobilien.de"), ("Tidewater Shipping", "tidewater-ship.com"),
    ("Zephyr Wind Farms", "zephyrwind.dk"), ("Obsidian Games", "obsidian-games.com"),
]
# Six of those domains' fragments, in rotation (a fragment, not the whole domain).
FRAGMENTS = ["nordwind-log", "kranich-soft", "greenfield-ana", "weserland", "polaris-vc", "cobaltsec"]
PERSONAL = ["gmail.com", "web.de", "gmx.de", "outlook.com", "yahoo.com", "posteo.de", "icloud.com",
            "t-online.de", "mailbox.org", "proton.me"]
TITLES = ["Managing Director", "Project Manager", "Software Engineer", "Sales Manager", "Accountant",
          "Head of Marketing", "Consultant", "Office Manager", "Physician", "Teacher", "Designer",
          "Account Executive", "Team Lead", "Purchasing", "Support Engineer"]
DEPTS = ["Sales", "Engineering", "Finance", "Marketing", "Operations", "Purchasing", "HR", "IT", "Legal"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße", "Goethestraße",
           "High Street", "Station Road", "Rue de la Paix", "Via Roma", "Calle Mayor", "Kirchplatz"]
CITIES = [("Berlin", "10115", "Germany"), ("Hamburg", "20095", "Germany"), ("München", "80331", "Germany"),
          ("Köln", "50667", "Germany"), ("Leipzig", "04109", "Germany"), ("Wien", "1010", "Austria"),
          ("Zürich", "8001", "Switzerland"), ("London", "EC1A 1BB", "United Kingdom"),
          ("Paris", "75001", "France"), ("Milano", "20121", "Italy"), ("Madrid", "28013", "Spain"),
          ("Kraków", "31-001", "Poland")]
NOTES = ["Met at the trade fair.", "Prefers phone calls in the morning.", "Old friend from university.",
         "Invoice address differs, see ORG.", "Neighbour; has a spare key.", "Football club, Tuesdays.",
         "Ask about the new project in spring.", "Vegetarian."]


def esc(text):
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ascii_name(s):
    t = s.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("é", "e"), ("è", "e"), ("í", "i"),
                 ("á", "a"), ("ó", "o"), ("ñ", "n"), ("ś", "s"), ("ı", "i"), ("ş", "s"), ("ç", "c"), ("ł", "l")):
        t = t.replace(a, b)
    return "".join(ch for ch in t if ch.isascii() and ch.isalnum())


def make_contacts(n, seed):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        uid = "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                               0x8000 | rng.getrandbits(14), rng.getrandbits(48))
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        c = {"i": i, "uid": uid, "name": uid + ".vcf", "given": given, "family": family, "rev": 0,
             "created": dt.datetime(2024, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=rng.randrange(700 * 86400))}
        g, f = ascii_name(given), ascii_name(family)
        company = rng.choice(COMPANIES) if rng.random() < 0.6 else None
        c["org"] = (company[0], rng.choice(DEPTS) if rng.random() < 0.5 else "") if company else None
        c["title"] = rng.choice(TITLES) if company and rng.random() < 0.7 else ""
        emails = []
        if company:
            emails.append(("WORK", rng.choice([f"{g}.{f}", f"{g[0]}.{f}", f"{g}{f[0]}", f"{f}"]) + "@" + company[1]))
        k = rng.choice([1, 1, 1, 2]) if not company else rng.choice([0, 0, 1, 1, 2])
        for j in range(k):
            local = rng.choice([f"{g}.{f}", f"{g}{rng.randrange(10, 99)}", f"{g[0]}{f}", f"{f}.{g}"])
            emails.append(("HOME", f"{local}@{rng.choice(PERSONAL)}"))
        c["emails"] = emails[:3] or [("HOME", f"{g}.{f}@{rng.choice(PERSONAL)}")]
        tels = [("CELL", f"+49 1{rng.choice([51, 52, 57, 60, 70, 76])} {rng.randrange(1000000, 99999999)}")]
        if company and rng.random() < 0.6:
            tels.append(("WORK,VOICE", f"+49 {rng.randrange(30, 999)} {rng.randrange(100000, 9999999)}"))
        if rng.random() < 0.25:
            tels.append(("HOME,VOICE", f"+49 {rng.randrange(30, 999)} {rng.randrange(100000, 9999999)}"))
        c["tels"] = tels
        c["adr"] = None
        if rng.random() < 0.35:
            city = rng.choice(CITIES)
            c["adr"] = ("WORK" if company and rng.random() < 0.5 else "HOME",
                        f"{rng.choice(STREETS)} {rng.randrange(1, 180)}", city[0], city[1], city[2])
        c["bday"] = (dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))) if rng.random() < 0.2 else None
        c["note"] = rng.choice(NOTES) if rng.random() < 0.1 else ""
        c["photo"] = None
        if rng.random() < 0.03:  # a small JPEG-like thumbnail, 1.5-4 KB
            raw = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(rng.randrange(1500, 4000)) + b"\xff\xd9"
            c["photo"] = base64.b64encode(raw).decode()
        c["categories"] = rng.sample(["Work", "Family", "Friends", "Customers", "Suppliers"], rng.randrange(0, 2))
        out.append(c)
    return out


def render(c):
    """The contact as a vCard 3.0 object (CRLF, folded)."""
    rev = c["created"] + dt.timedelta(days=c["rev"])
    fn = f"{c['given']} {c['family']}"
    lines = ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Atrium//bench-carddav//EN", f"UID:{c['uid']}",
             f"FN:{esc(fn)}", f"N:{esc(c['family'])};{esc(c['given'])};;;"]
    if c["org"]:
        lines.append("ORG:" + esc(c["org"][0]) + (";" + esc(c["org"][1]) if c["org"][1] else ""))
    if c["title"]:
        lines.append(f"TITLE:{esc(c['title'])}")
    for k, (typ, addr) in enumerate(c["emails"]):
        lines.append(f"EMAIL;TYPE=INTERNET,{typ}" + (",PREF" if k == 0 else "") + f":{addr}")
    for typ, num in c["tels"]:
        lines.append(f"TEL;TYPE={typ}:{num}")
    if c["adr"]:
        typ, street, city, code, country = c["adr"]
        lines.append(f"ADR;TYPE={typ}:;;{esc(street)};{esc(city)};;{esc(code)};{esc(country)}")
    if c["bday"]:
        lines.append(f"BDAY:{c['bday'].isoformat()}")
    if c["categories"]:
        lines.append("CATEGORIES:" + ",".join(c["categories"]))
    note = c["note"] + (f" (rev {c['rev']})" if c["rev"] else "")
    if note.strip():
        lines.append(f"NOTE:{esc(note.strip())}")
    if c["photo"]:
        lines.append(f"PHOTO;ENCODING=b;TYPE=JPEG:{c['photo']}")
    lines.append(f"REV:{rev.strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(f + "\r\n" for line in lines for f in fold(line)).encode()


def expected_hrefs(contacts, fragment):
    """RFC 6352 text-match contains, i;unicode-casemap (the default), on any EMAIL value."""
    frag = fragment.casefold()
    return {c["name"] for c in contacts if any(frag in addr.casefold() for _, addr in c["emails"])}


# ---------------------------------------------------------------------------------------------
# Requests and responses.

PROPFIND_COLL = xml_body(f'<D:propfind {CR}><D:prop><D:resourcetype/><D:sync-token/></D:prop></D:propfind>')
QUERY_ALL = xml_body(f'<CR:addressbook-query {CR}><D:prop><D:getetag/></D:prop><CR:filter/></CR:addressbook-query>')
MKCOL_ADDRESSBOOK = xml_body(f'<D:mkcol {CR}><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/>'
                             '</D:resourcetype><D:displayname>Bench</D:displayname></D:prop></D:set></D:mkcol>')
VCARD = {"Content-Type": "text/vcard; charset=utf-8"}


def query_body(fragment):
    return xml_body(f'<CR:addressbook-query {CR}><D:prop><D:getetag/><CR:address-data/></D:prop>'
                    '<CR:filter><CR:prop-filter name="EMAIL">'
                    f'<CR:text-match collation="i;unicode-casemap" match-type="contains">{fragment}</CR:text-match>'
                    '</CR:prop-filter></CR:filter></CR:addressbook-query>')


def multiget_body(hrefs):
    h = "".join(f"<D:href>{urllib.parse.quote(x, safe='/@:')}</D:href>" for x in hrefs)
    return xml_body(f'<CR:addressbook-multiget {CR}><D:prop><D:getetag/><CR:address-data/></D:prop>{h}'
                    '</CR:addressbook-multiget>')


def responses(data):
    """[(name, status, has_address_data)] from a multistatus (see caldav_load.responses)."""
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
            ad = ps.find("D:prop/CR:address-data", NS)
            if ad is not None and " 200" in st and "BEGIN:VCARD" in (ad.text or ""):
                has_data = True
            if not status:
                status = st
        code = status.split(" ")[1] if " " in status else status
        out.append((href.rstrip("/").rsplit("/", 1)[-1], code, has_data))
    return out


def say(msg):
    print(f"[carddav] {msg}", file=sys.stderr, flush=True)


def list_objects(s):
    """The names of the collection's cards: an addressbook-query with an empty filter (getetag),
    falling back to PROPFIND Depth 1."""
    st, _, data, _ = s.request("REPORT", s.coll, QUERY_ALL, dict(XML, Depth="1"))
    if st == 207:
        return [n for n, code, _ in responses(data) if code == "200" and n.endswith(".vcf")]
    st, _, data, _ = s.request("PROPFIND", s.coll, xml_body('<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
                                                            '</D:prop></D:propfind>'), dict(XML, Depth="1"))
    if st != 207:
        raise RuntimeError(f"listing {s.coll}: HTTP {st} {data[:200]!r}")
    return [n for n, code, _ in responses(data) if code == "200" and n.endswith(".vcf")]


def preflight(s, create):
    """None when the collection answers as an address book (made by extended MKCOL first when
    missing and create is set), else why not."""
    try:
        st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
        if st == 404 and create:
            st2, _, d2, _ = s.request("MKCOL", s.coll, MKCOL_ADDRESSBOOK, XML)
            if st2 != 201:
                return f"MKCOL {s.coll}: HTTP {st2} {d2[:200]!r}"
            st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
        if st != 207:
            return f"PROPFIND {s.coll} (Depth 0): HTTP {st} {data[:200]!r}"
        if ET.fromstring(data).find(".//D:resourcetype/CR:addressbook", NS) is None:
            return f"{s.coll} is not an address book (no CR:addressbook in its DAV:resourcetype)"
    except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
        return f"{type(e).__name__}: {e}"
    return None


def addressbook(a):
    contacts = make_contacts(a.contacts, a.seed)
    return contacts, [render(c) for c in contacts]


# ---------------------------------------------------------------------------------------------
# Sub-commands.


def cmd_files(a):
    contacts, bodies = addressbook(a)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for c, body in zip(contacts, bodies):
        (out / c["name"]).write_bytes(body)


def cmd_warm(a):
    """The first read of every card and the first sync-token (Radicale's cache and history)."""
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
            say(f"{s.name}: first read of its {n} cards in {t1 - t0:.1f} s, first sync-token in "
                f"{time.perf_counter() - t1:.1f} s")


def cmd_load(a):
    import threading
    contacts, bodies = addressbook(a)
    res = {"loaded": {}, "skipped": {}}
    for spec in a.server:
        s = Server(spec)
        why = preflight(s, create=True)
        if not why:
            try:
                n = len(list_objects(s))
                if n:
                    why = f"{s.coll} is not empty ({n} cards)"
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
                    st, _, data, _ = c.request("PUT", c.href(contacts[i]["name"]), bodies[i],
                                               dict(VCARD, **{"If-None-Match": "*"}))
                    if st not in (201, 204):
                        raise RuntimeError(f"PUT {contacts[i]['name']}: HTTP {st} {data[:300]!r}")
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
    contacts, bodies = addressbook(a)
    names = [c["name"] for c in contacts]
    expected = {f: expected_hrefs(contacts, f) for f in FRAGMENTS}
    loaded = json.loads(pathlib.Path(a.load_json).read_text()) if a.load_json else {"loaded": {}, "skipped": {}}
    res = {"contacts": len(contacts), "seed": a.seed, "mean_bytes": sum(map(len, bodies)) / len(bodies),
           "emails": sum(len(c["emails"]) for c in contacts), "with_org": sum(1 for c in contacts if c["org"]),
           "with_adr": sum(1 for c in contacts if c["adr"]), "with_photo": sum(1 for c in contacts if c["photo"]),
           "servers": {}, "skipped": dict(loaded["skipped"]),
           "expected_per_fragment": {f: len(v) for f, v in expected.items()},
           "problems": [], "versions": a.version}
    servers = []
    for spec in a.server:
        s = Server(spec)
        if s.name in res["skipped"]:
            continue
        t0 = time.perf_counter()
        why = preflight(s, create=False)
        if not why:
            try:
                n = len(list_objects(s))
                if n != len(contacts):
                    why = f"{s.coll} holds {n} cards, not {len(contacts)}"
            except (OSError, http.client.HTTPException, ET.ParseError, RuntimeError) as e:
                why = f"{type(e).__name__}: {e}"
        if why:
            say(f"SKIPPING {s.name}: {why}")
            res["skipped"][s.name] = why
            continue
        say(f"{s.name}: holds the {len(contacts)} cards (listed in {time.perf_counter() - t0:.1f} s)")
        servers.append(s)
        res["servers"][s.name] = {"ops": {}, "collection": s.coll, "pid": s.pid,
                                  "load": loaded["loaded"].get(s.name, {"load_s": None, "note": a.note.get(s.name, "")})}
    if not servers:
        pathlib.Path(a.json).write_text(json.dumps(res, indent=1))
        sys.exit("no server to measure")

    # Warm-up, not timed: one query of a domain not measured, one multiget.
    for s in servers:
        t0 = time.perf_counter()
        st, _, _, _ = s.request("REPORT", s.coll, query_body("gmx.de"), dict(XML, Depth="1"))
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

    # a) addressbook-query: EMAIL contains a domain fragment, the fragments in rotation.
    seen = {}

    def check_query(frag):
        def check(s, data):
            r = responses(data)
            got = {n for n, code, has in r if code == "200" and has}
            bad = [n for n, code, has in r if not (code == "200" and has)]
            if bad:
                res["problems"].append(f"{s.name}: query {frag}: {len(bad)} responses without address-data "
                                       f"or not 200 (e.g. {bad[0]})")
            if (s.name, frag) not in seen:
                seen[(s.name, frag)] = got
            elif seen[(s.name, frag)] != got:
                res["problems"].append(f"{s.name}: query {frag}: a repeated query returned another set of hrefs")
        return check

    say(f"addressbook-query, EMAIL contains: up to {a.reps} per server")
    rep = 0
    while active("query"):
        frag = FRAGMENTS[rep % len(FRAGMENTS)]
        each("query", lambda s: timed("query", s, query_body(frag), dict(XML, Depth="1"), check_query(frag)))
        rep += 1
    for s in servers:
        fh = {}
        for frag in FRAGMENTS:
            got = seen.get((s.name, frag))
            if got is None:
                continue
            fh[frag] = len(got)
            exp = expected[frag]
            for n in sorted(exp - got)[:5]:
                res["problems"].append(f"{s.name}: query {frag}: missing {n}")
            for n in sorted(got - exp)[:5]:
                res["problems"].append(f"{s.name}: query {frag}: returned {n}, no EMAIL of which contains it")
        res["servers"][s.name]["query_hrefs"] = fh
    for frag in FRAGMENTS:
        sets = {s.name: seen[(s.name, frag)] for s in servers if (s.name, frag) in seen}
        if len({frozenset(v) for v in sets.values()}) > 1:
            res.setdefault("differ", []).append(f"{frag}: " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    res["same_sets"] = not res.get("differ") and all(
        len({frozenset(seen[(s.name, f)]) for s in servers if (s.name, f) in seen}) == 1 for f in FRAGMENTS)

    # b) addressbook-multiget of 100 hrefs.
    rng = random.Random(a.seed + 1)

    def check_multiget(want):
        def check(s, data):
            r = responses(data)
            got = {n for n, code, has in r if code == "200" and has}
            if got != want:
                res["problems"].append(f"{s.name}: multiget: {len(got & want)} of {len(want)} cards came back "
                                       f"with address-data ({len(r)} responses)")
        return check

    say(f"addressbook-multiget of 100: up to {a.reps} per server")
    while active("multiget"):
        pick = rng.sample(names, min(100, len(names)))
        each("multiget", lambda s: timed("multiget", s, multiget_body([s.href(n) for n in pick]), XML,
                                         check_multiget(set(pick))))

    # c) sync-collection after 10 changes.
    tokens = {}
    for s in servers:
        st, _, data, _ = s.request("PROPFIND", s.coll, PROPFIND_COLL, dict(XML, Depth="0"))
        tokens[s.name] = sync_token(data) if st == 207 else ""
        if not tokens[s.name]:
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
                                       f"cards reported, {len(got - want)} others ({len(r)} responses)")
            tokens[s.name] = sync_token(data)
        return check

    def put_and_sync(s, changed, new):
        for c, body in zip(changed, new):
            t0 = time.perf_counter()
            st, _, data, _ = s.request("PUT", s.href(c["name"]), body, VCARD)
            if st not in (201, 204):
                raise RuntimeError(f"{s.name}: PUT {c['name']}: HTTP {st} {data[:300]!r}")
            res["servers"][s.name].setdefault("put_s", []).append(time.perf_counter() - t0)
        timed("sync", s, sync_body(tokens[s.name]), dict(XML, Depth="0"), check_sync({c["name"] for c in changed}))

    say(f"sync-collection after 10 changes: up to {a.reps} per server")
    rev = 0
    while active("sync"):
        rev += 1
        changed = rng.sample(contacts, 10)
        for c in changed:
            c["rev"] = rev
        new = [render(c) for c in changed]
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


OPS = [("query", "addressbook-query, EMAIL ~1 %"), ("multiget", "addressbook-multiget, 100"),
       ("sync", "sync-collection after 10 PUTs")]
TARGETS = {"radicale": 5.0}


def cmd_report(a):
    res = json.loads(pathlib.Path(a.json).read_text())
    sv = res["servers"]
    names = list(sv)
    ver = res.get("versions", {})
    out = [f"{res['contacts']} vCard 3.0 contacts in one address book ({res['emails']} EMAILs, {res['with_org']} "
           f"with ORG, {res['with_adr']} with ADR, {res['with_photo']} with PHOTO; {res['mean_bytes']:.0f} bytes "
           f"on average; seed {res['seed']})"]
    out.append("servers: " + ", ".join(f"{n} {ver.get(n, '')}".strip() for n in names))
    for n, why in res["skipped"].items():
        out.append(f"SKIPPED {n}: {why}")
    loads = []
    for n in names:
        ld = sv[n]["load"]
        if ld.get("load_s"):
            loads.append(f"{n} {ld['load_s']:.1f} s ({res['contacts'] / ld['load_s']:.0f} PUT/s, {ld['conns']} "
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
    row = f"{'  PUT of a changed card, p50':31s}"
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
    frags = list(res["expected_per_fragment"])
    out.append("query hrefs, " + ", ".join(frags) + ": expected " +
               "/".join(str(res["expected_per_fragment"][f]) for f in frags) + "; " +
               "; ".join(f"{n} " + "/".join(str(sv[n].get("query_hrefs", {}).get(f, "-")) for f in frags)
                         for n in names))
    if res["problems"] or res.get("differ"):
        bar = "!" * 100
        out.append(bar)
        if res.get("differ"):
            out.append("WARNING: the query returned DIFFERENT SETS of hrefs from the servers: " + "; ".join(res["differ"]))
        if res["problems"]:
            out.append(f"WARNING: {len(res['problems'])} results that are wrong by RFC 6352/6578:")
            out += [f"  {m}" for m in res["problems"][:30]]
            if len(res["problems"]) > 30:
                out.append(f"  ... and {len(res['problems']) - 30} more (in the JSON)")
        out.append(bar)
    else:
        out.append(f"verified: every query returned the same, expected set of hrefs from every server "
                   f"({len(frags)} fragments), every multiget all 100 cards, every sync exactly the 10 changed cards")
    out.append(f"timed phase {res['seconds']:.0f} s")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def data_args(p):
        p.add_argument("--contacts", type=int, default=10000)
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
