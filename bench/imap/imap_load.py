"""The IMAP load generator of bench/imap/run: message generation, population, the client mix, the
IDLE memory test and the big-mailbox test. Standard library only (Debian's /usr/bin/python3).

  imap_load.py gen       --out DIR --users U --messages M [--pool P] [--first-user N] [--seed S]
  imap_load.py populate  --port P --spool DIR --password-file F [--conns K] [--batch B]
  imap_load.py maildir   --spool DIR --root DIR               (the big mailbox, for Dovecot)
  imap_load.py mix       --name NAME --port P --spool DIR --password-file F --clients C --seconds S
                         --server-pid PID --json OUT
  imap_load.py idle      --name NAME --port P --password-file F --conns C --server-pid PID --json OUT
  imap_load.py big       --name NAME --port P --spool DIR --password-file F --server-pid PID --json OUT
  imap_load.py report    --dir RESULTS

A spool is what every server is populated with: msgs.bin (the messages, CRLF, concatenated) and
index.tsv (one line per message: user, offset, length, unix date, flags, and bit masks of the
vocabulary words in the text and in the subject, which let the clients check SEARCH results).
The password file holds "login token" lines: each user's app password, the same on both servers.
"""
import argparse
import asyncio
import base64
import collections
import json
import math
import multiprocessing
import os
import pathlib
import random
import re
import resource
import socket
import statistics
import sys
import time

DOMAIN = "bench.test"

# ---------------------------------------------------------------------------------------------
# Words. VOCAB are the words SEARCH looks for: each occurs in a message only where the generator
# put it (checked at start-up: no vocabulary word is part of another word or of any fixed text),
# so the clients know which messages must match. FILLER makes sentences read like mail.

VOCAB_TEXT = """
abandoned absolutely academic accepting accident accompany accordion accountant accurately
achievement acquired activist actually adjusting admiral admission adoption adventure advocate
affordable afternoon aggregate agreement airplane airport alarming algorithm allergy alliance
almonds alongside altitude aluminum amazing ambitious ambulance amendment amusement analogy
anchovy ancestor animated ankles annually anonymous antelope antique anxious apartment apology
appetite applause apricot aquarium arbitrary archipelago architect archive argument armchair
aromatic arrangement arrival artichoke artwork ascending ashtray asparagus asphalt assembly
astronaut athletic atlas atmosphere attorney auction audition authentic autograph autumn
avalanche avenue aviation awkward backpack backyard badminton baggage balcony ballroom bamboo
banquet baritone barley barometer barrel basement basketball bathrobe battalion bayonet beacon
bedroom beehive beetroot believing beverage bicycle billboard binocular biography birthday
biscuit blanket blizzard blossom blueprint boardwalk bookshelf boulevard boundless bouquet
bracelet brainstorm bravery breakfast brewery briefcase brilliant broccoli brochure broomstick
brownie buckwheat budgeting buffalo bulldozer bulletin bungalow burrito butterfly buttermilk
cabbage cabinet cactus cafeteria calculator calendar calligraphy camouflage campaign canal
candlelight cannon canopy canyon capsule captain caramel caravan cardigan carnival carousel
carpenter cartridge cashew casino cassette castle catalog caterpillar cathedral cauliflower
caution cavalry celebrity cellar ceramic cereal certify chairman chalkboard champion chandelier
chapter charcoal chariot checklist cheesecake chemistry cherry chestnut chimney chipmunk
chocolate chorus chronicle cinnamon circus citizen clarinet classroom climbing clockwork
clothing coconut coffee collapse colonel colorful column comedian commuter compass complaint
composer concert condor conductor confetti congress contract convoy cooking copper coral
corridor costume cottage courtyard cowboy crayon creativity cricket crimson crocodile crossword
cruise crystal cucumber cupboard curious curtain cushion cyclone dancing daylight debating
delivery democracy dentist deposit desert destiny detective diamond diary dinosaur diploma
discount dolphin domino doorway downtown dragonfly drawing driftwood drizzle drumstick dumpling
dynamite eagerly earnings earthquake eclipse economy eggplant elephant elevator embassy
emerald emperor enchanted encyclopedia engineer envelope episode equator escalator espresso
estimate evening evidence exhibit expedition explorer falcon fantastic farmhouse feather
festival fiddle fireplace firework fishing flamingo flashlight fleeting flotilla flourish
fluorescent folklore football footprint forecast forklift fortress fountain fragrance freckles
freezer freighter frequency friendship frontier frosting fruitful furniture galaxy gallery
gardening garlic gazebo gemstone generous geography giraffe glacier gladiator glimmer glossary
gorilla gossip gourmet graduation granite grapefruit grasshopper gravity greenhouse grocery
guitar gymnasium hairbrush hallway hamburger hammock handshake happiness harbor harmonica
harvest hazelnut headline headphone heatwave hedgehog helicopter helmet herbal heritage
highway hiking hippo historian hockey holiday homework honeymoon horizon hospital hurricane
hydrant iceberg igloo illusion imagining immigrant impulse incognito indigo infinity inkwell
insomnia inventory invoice irrigation island ivory jackpot jaguar jamboree jellyfish jewelry
jigsaw jockey journalism journey jubilee juggling jukebox junction jungle juniper kangaroo
kayak ketchup keyboard kingdom kitchen kiwifruit knapsack knitting labyrinth ladybug lagoon
landscape language lantern laptop lavender leadership leftover legend lemonade leopard lettuce
librarian lighthouse limousine lioness lobster locomotive lollipop longitude lottery lullaby
luncheon luxury macaroni magazine magnolia mahogany mailbox mammoth mandolin mango marathon
marble margarine marigold marmalade marshmallow mascot meadow meatball mechanic medallion
melody merchant meteor microphone midnight migration milkshake millionaire minivan miracle
mirror molasses monastery monsoon monument mosaic mosquito motorcycle mountain moustache
muffin mushroom musician mustard mystery napkin narrative navigator necklace neighbor nephew
newspaper nightfall noodle notebook novelist nutmeg oatmeal observatory ocean octopus odyssey
omelet onion opera orangutan orchard orchestra orchid ostrich outpost overture oyster paddle
painting pajamas pancake panther paperwork parachute parade parsley passport pastry pavilion
peacock peanut pebble pelican penguin peppermint performance perfume periscope pharmacy
philosophy photograph physician piano pickle picnic pineapple pistachio planetarium platinum
playground plumber polka pomegranate popcorn porcelain porridge postcard potato pottery
prairie pretzel printer promenade pudding pumpkin puppet pyramid quarantine quartz quilt
raccoon radish railway rainbow raspberry recital referee reindeer reptile republic restaurant
rhinoceros riverbank robotics rocket romance rooftop rosemary rowboat ruby rucksack saddle
saffron sailboat salamander salmon sandwich sapphire sardine satellite saxophone scarecrow
scholarship scissors scooter scorpion sculpture seashell semester senator sequin serenade
shampoo shipyard shortbread shuttle sidewalk silhouette skeleton skyline skyscraper slipper
snowflake soccer sombrero souvenir spaghetti sparrow spinach sponge squirrel stadium stairway
starfish statue stethoscope stockings strawberry submarine suitcase sunflower sunrise surfboard
surgeon suspense swimming symphony syrup tablecloth tadpole tambourine tangerine tapestry
tarantula teaspoon telescope temple theater thermostat thunder tiger toaster tomato toolbox
tornado tortoise tourist tractor trampoline treasure triangle trombone trophy trumpet tulip
tunnel turkey turquoise turtle tuxedo typewriter umbrella unicorn uniform universe vacation
vanilla velvet veranda vessel village vinegar violin volcano voyage waffle walrus wardrobe
warehouse waterfall watermelon weekend whale wheelbarrow whirlpool whistle wilderness windmill
winter wizard woodpecker workshop wrestling yacht yogurt zebra zeppelin zucchini
"""

FILLER = ("the and to of a in for is on that with we you this be are it as at will please can "
          "have our from by an or if not all so but just about more any also would could should "
          "its was were next week today tomorrow here there when what which team thanks one two "
          "new some let me know see get up out".split())

FIRST = ("Alice Brian Chloe Daniel Emma Felix Grace Henry Isabel Jonas Karen Lukas Maria Noah Olga "
         "Pavel Quinn Rosa Simon Tanja Ulrich Vera Walter Xenia Yusuf Zoe".split())
LAST = ("Anders Berger Castro Dumont Eriksen Fischer Garcia Hansen Ito Jensen Kowalski Lindqvist "
        "Moreau Nakamura Olsen Petrov Quint Rossi Schmidt Tanaka Urban Vogel Weber Young Zimmer".split())
SENDER_DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "lists.example.edu", "example.co.uk"]
COMPANIES = ["Example Corp", "Northwind Traders", "Contoso Ltd", "Fabrikam Inc", "Wide World Importers"]
MAILERS = ["Mozilla Thunderbird 115.5.0", "Apple Mail (2.3774)", "Microsoft Outlook 16.0", "K-9 Mail 6.7"]
LISTS = ["<dev.lists.example.edu>", "<announce.example.org>", "<ops.corp.example.net>"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ATTACHMENTS = [("application/pdf", "report-{}.pdf"), ("image/jpeg", "IMG_{}.jpg"), ("image/png", "screenshot-{}.png"),
               ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "budget-{}.xlsx")]

# Every fixed string a message may contain apart from words and random tokens (hex, base64,
# digits); vocabulary words must not occur in any of them.
FIXED_TEXT = " ".join(
    FILLER + FIRST + LAST + SENDER_DOMAINS + COMPANIES + MAILERS + LISTS + WEEKDAYS + MONTHS +
    [c for c, _ in ATTACHMENTS] + [f for _, f in ATTACHMENTS] + [
        "Return-Path Received from by mx.bench.test with ESMTPS id for Message-ID Date From To Cc Subject",
        "MIME-Version Content-Type multipart/mixed multipart/alternative boundary text/plain text/html",
        "charset=utf-8 us-ascii Content-Transfer-Encoding 7bit base64 Content-Disposition attachment",
        "filename name X-Mailer List-Id List-Unsubscribe mailto unsubscribe DKIM-Signature v=1 a=rsa-sha256",
        "c=relaxed/relaxed d= s=sel2026 h=from:to:subject:date:message-id bh= b= Re: Fwd: Hi Hello Dear",
        "Best regards Cheers Kind regards Sent from my phone <html><head><meta http-equiv=\"Content-Type\"",
        "content=\"text/html; charset=utf-8\"></head><body><p></p><br></body></html> <div dir=\"ltr\"></div>",
        "This is a multi-part message in MIME format. postmaster pool bench user big Auto-Submitted",
    ])

_raw_vocab = sorted(set(VOCAB_TEXT.split()))
_fixed_lower = FIXED_TEXT.lower()
VOCAB = [w for w in _raw_vocab
         if len(w) >= 5 and re.search(r"[g-z]", w)                   # never inside hex
         and w not in _fixed_lower
         and not any(w != o and w in o for o in _raw_vocab)]          # never inside another word
VOCAB_BITS = len(VOCAB)
# A flattened Zipf distribution over a fixed shuffle of the words: a few are in most messages,
# most are in few.
_rank = list(range(len(VOCAB)))
random.Random(20261127).shuffle(_rank)
_vocab_weights = [1.0 / (_rank[i] + 8) ** 1.4 for i in range(len(VOCAB))]
_vocab_total = sum(_vocab_weights)
VOCAB_SHARE = 0.45  # of the words of a text
WORDS = VOCAB + FILLER
_weights = [w / _vocab_total * VOCAB_SHARE for w in _vocab_weights] + [(1 - VOCAB_SHARE) / len(FILLER)] * len(FILLER)
CUM = []
_acc = 0.0
for _w in _weights:
    _acc += _w
    CUM.append(_acc)


def self_check():
    for w in VOCAB:
        for f in FILLER:
            if w in f:
                sys.exit(f"vocabulary word {w!r} is part of filler {f!r}")
    if len(VOCAB) < 300:
        sys.exit(f"vocabulary too small ({len(VOCAB)})")


# ---------------------------------------------------------------------------------------------
# Messages


def rfc5322_date(t, zone_minutes):
    lt = time.gmtime(t + zone_minutes * 60)
    sign = "+" if zone_minutes >= 0 else "-"
    z = abs(zone_minutes)
    return (f"{WEEKDAYS[lt.tm_wday]}, {lt.tm_mday} {MONTHS[lt.tm_mon - 1]} {lt.tm_year} "
            f"{lt.tm_hour:02d}:{lt.tm_min:02d}:{lt.tm_sec:02d} {sign}{z // 60:02d}{z % 60:02d}")


def imap_date(t):
    lt = time.gmtime(t)
    return f"{lt.tm_mday:02d}-{MONTHS[lt.tm_mon - 1]}-{lt.tm_year} {lt.tm_hour:02d}:{lt.tm_min:02d}:{lt.tm_sec:02d} +0000"


def wrap(words, width=72):
    lines, cur, n = [], [], 0
    for w in words:
        if n + len(w) + 1 > width and cur:
            lines.append(" ".join(cur))
            cur, n = [], 0
        cur.append(w)
        n += len(w) + 1
    if cur:
        lines.append(" ".join(cur))
    return lines


def text_words(rng, count):
    """`count` words in sentences and paragraphs; returns (paragraphs as word lists, vocab mask)."""
    idx = rng.choices(range(len(WORDS)), cum_weights=CUM, k=count)
    mask = 0
    for i in set(idx):
        if i < VOCAB_BITS:
            mask |= 1 << i
    words = [WORDS[i] for i in idx]
    paragraphs, para, pos = [], [], 0
    while pos < len(words):
        n = rng.randint(6, 16)
        s = words[pos:pos + n]
        pos += n
        s[0] = s[0].capitalize()
        s[-1] += "."
        para.extend(s)
        if rng.random() < 0.3:
            paragraphs.append(para)
            para = []
    if para:
        paragraphs.append(para)
    return paragraphs, mask


def make_message(seed, when, to_addr, msgid=None):
    """A realistic message, deterministic in `seed`. Returns (bytes CRLF, text mask, subject
    mask): the vocabulary words anywhere in it (headers and text) and in its Subject."""
    rng = random.Random(seed)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    domain = rng.choice(SENDER_DOMAINS)
    sender = f"{first.lower()}.{last.lower()}@{domain}"
    zone = rng.choice([0, 60, 120, -300, -480, 330])
    date = rfc5322_date(when, zone)
    # Subject: 2-6 words, most of them from the vocabulary.
    sidx = [rng.randrange(VOCAB_BITS) if rng.random() < 0.7 else VOCAB_BITS + rng.randrange(len(FILLER))
            for _ in range(rng.randint(2, 6))]
    smask = 0
    for i in sidx:
        if i < VOCAB_BITS:
            smask |= 1 << i
    subject = " ".join(WORDS[i] for i in sidx).capitalize()
    if rng.random() < 0.3:
        subject = "Re: " + subject
    if msgid is None:
        msgid = f"<{rng.getrandbits(64):016x}.{seed}@{domain}>"
    # Sizes: 65 % plain text+html of 2-20 KiB, 35 % with an attachment, 12-50 KiB in all.
    attach = rng.random() < 0.35
    total = int(math.exp(rng.uniform(math.log(2048), math.log(20480)))) if not attach else rng.randint(12288, 51200)
    text_budget = total if not attach else int(math.exp(rng.uniform(math.log(1536), math.log(8192))))
    nwords = max(20, (text_budget - 1400) // 15)  # text and html, ~7 octets per word each
    paragraphs, tmask = text_words(rng, nwords)
    tmask |= smask
    h = [f"Return-Path: <{sender}>",
         f"Received: from mail.{domain} (mail.{domain} [192.0.2.{rng.randint(1, 254)}])",
         f"\tby mx.bench.test with ESMTPS id {rng.getrandbits(48):012x}",
         f"\tfor <{to_addr}>; {date}",
         f"Received: from [10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}]",
         f"\tby mail.{domain} with ESMTPS id {rng.getrandbits(48):012x}; {date}"]
    if rng.random() < 0.5:
        sig = base64.b64encode(rng.randbytes(128)).decode()
        h += [f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=sel2026;",
              f"\th=from:to:subject:date:message-id; bh={base64.b64encode(rng.randbytes(32)).decode()};",
              f"\tb={sig[:64]}", f"\t {sig[64:]}"]
    h += [f"Message-ID: {msgid}", f"Date: {date}", f'From: "{first} {last}" <{sender}>', f"To: <{to_addr}>"]
    if rng.random() < 0.3:
        f2, l2 = rng.choice(FIRST), rng.choice(LAST)
        h.append(f'Cc: "{f2} {l2}" <{f2.lower()}.{l2.lower()}@{rng.choice(SENDER_DOMAINS)}>')
    h.append(f"Subject: {subject}")
    if rng.random() < 0.5:
        h.append(f"X-Mailer: {rng.choice(MAILERS)}")
    if rng.random() < 0.2:
        h += [f"List-Id: {rng.choice(LISTS)}", f"List-Unsubscribe: <mailto:unsubscribe@{domain}>"]
    h.append("MIME-Version: 1.0")
    greeting = [f"Hi {rng.choice(FIRST)},", ""]
    closing = ["", rng.choice(["Best regards,", "Cheers,", "Kind regards,"]), f"{first} {last}", rng.choice(COMPANIES)]
    plain = greeting[:]
    html = ['<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>',
            '<div dir="ltr">', f"<p>{greeting[0]}</p>"]
    for p in paragraphs:
        plain += wrap(p)
        plain.append("")
        html += wrap(["<p>"] + p + ["</p>"])
    plain += closing
    html += ["<p>" + "<br>".join(closing[1:]) + "</p>", "</div></body></html>"]
    b_alt = f"----=_Alt_{rng.getrandbits(64):016x}"
    alt = [f"--{b_alt}", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 7bit", ""] + plain + \
          [f"--{b_alt}", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: 7bit", ""] + html + \
          [f"--{b_alt}--", ""]
    if not attach:
        h.append(f'Content-Type: multipart/alternative; boundary="{b_alt}"')
        body = ["This is a multi-part message in MIME format.", ""] + alt
    else:
        b_mix = f"----=_Mix_{rng.getrandbits(64):016x}"
        ctype, fname = rng.choice(ATTACHMENTS)
        fname = fname.format(rng.randint(1000, 9999))
        head_len = sum(len(x) + 2 for x in h + alt) + 400
        raw_len = max(1024, (total - head_len) * 3 // 4)
        data = base64.encodebytes(rng.randbytes(raw_len)).decode().rstrip("\n").split("\n")
        h.append(f'Content-Type: multipart/mixed; boundary="{b_mix}"')
        body = ["This is a multi-part message in MIME format.", "", f"--{b_mix}",
                f'Content-Type: multipart/alternative; boundary="{b_alt}"', ""] + alt + \
               [f"--{b_mix}", f'Content-Type: {ctype}; name="{fname}"', "Content-Transfer-Encoding: base64",
                f'Content-Disposition: attachment; filename="{fname}"', ""] + data + [f"--{b_mix}--", ""]
    return ("\r\n".join(h + [""] + body)).encode(), tmask, smask


def user_login(i):
    return f"user{i + 1:03d}@{DOMAIN}"


BIG_LOGIN = f"big@{DOMAIN}"
DAY = 86400
EPOCH = 1735689600  # 2025-01-01


def _gen_range(args):
    out_dir, start, end, per_user, first_user, seed, span, big = args
    part = pathlib.Path(out_dir) / f"part-{start:08d}"
    lines = []
    with open(str(part) + ".bin", "wb") as f:
        off = 0
        for r in range(start, end):
            u, k = divmod(r, per_user)
            login = BIG_LOGIN if big else user_login(first_user + u)
            when = EPOCH + int(span * k / per_user) + (r * 7919) % 3600
            data, tmask, smask = make_message(seed * 1000003 + r, when, login)
            rng = random.Random(seed * 31 + r)
            recent = k >= per_user * 0.9
            flags = 0
            if rng.random() < (0.2 if recent else 0.8):
                flags |= 1  # \Seen
                if rng.random() < 0.15:
                    flags |= 4  # \Answered
            if rng.random() < 0.04:
                flags |= 2  # \Flagged
            f.write(data)
            lines.append(f"{u}\t{off}\t{len(data)}\t{when}\t{flags}\t{tmask:x}\t{smask:x}\n")
            off += len(data)
    pathlib.Path(str(part) + ".tsv").write_text("".join(lines))
    return str(part)


def gen(a):
    """Writes a spool: users x messages, generated in parallel, then joined in order."""
    self_check()
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    total = a.users * a.messages
    chunk = 2000
    jobs = [(str(out), s, min(total, s + chunk), a.messages, a.first_user, a.seed, a.span_days * DAY, a.big)
            for s in range(0, total, chunk)]
    with multiprocessing.Pool(a.procs) as pool:
        parts = pool.map(_gen_range, jobs)
    off = 0
    with open(out / "msgs.bin", "wb") as fb, open(out / "index.tsv", "w") as fi:
        for p in parts:
            with open(p + ".bin", "rb") as f:
                while True:
                    b = f.read(1 << 22)
                    if not b:
                        break
                    fb.write(b)
            for line in open(p + ".tsv"):
                u, o, n, rest = line.split("\t", 3)
                fi.write(f"{u}\t{int(o) + off}\t{n}\t{rest}")
            off += os.path.getsize(p + ".bin")
            os.unlink(p + ".bin")
            os.unlink(p + ".tsv")
    meta = {"users": a.users, "messages": a.messages, "first_user": a.first_user, "big": a.big,
            "bytes": off, "vocab": len(VOCAB)}
    (out / "meta.json").write_text(json.dumps(meta))
    if a.pool:
        # Messages the clients APPEND during the mix; each append patches in a unique Message-ID.
        lines = []
        with open(out / "pool.bin", "wb") as f:
            off = 0
            for i in range(a.pool):
                data, tmask, smask = make_message(a.seed * 7 + 10 ** 9 + i, EPOCH + 400 * DAY + i * 60, user_login(0),
                                                  msgid=f"<{'0' * 20}.pool@bench.test>")
                f.write(data)
                lines.append(f"0\t{off}\t{len(data)}\t{EPOCH + 400 * DAY + i * 60}\t0\t{tmask:x}\t{smask:x}\n")
                off += len(data)
        (out / "pool.tsv").write_text("".join(lines))
    print(f"spool {out}: {total} messages, {meta['bytes'] / 2**20:.0f} MiB, {len(VOCAB)} vocabulary words"
          + (f", {a.pool} more to APPEND" if a.pool else ""), file=sys.stderr)


class Spool:
    def __init__(self, d, name="index.tsv", binname="msgs.bin"):
        self.dir = pathlib.Path(d)
        self.meta = json.loads((self.dir / "meta.json").read_text())
        self.f = open(self.dir / binname, "rb")
        self.recs = []
        for line in open(self.dir / name):
            u, o, n, when, flags, tm, sm = line.rstrip("\n").split("\t")
            self.recs.append((int(u), int(o), int(n), int(when), int(flags), int(tm, 16), int(sm, 16)))

    def data(self, r):
        _, o, n = self.recs[r][:3]
        self.f.seek(o)
        return self.f.read(n)

    def user_records(self, u):
        per = self.meta["messages"]
        return range(u * per, (u + 1) * per)


def flag_list(bits):
    out = []
    if bits & 1:
        out.append("\\Seen")
    if bits & 2:
        out.append("\\Flagged")
    if bits & 4:
        out.append("\\Answered")
    return "(" + " ".join(out) + ")"


def parse_flag_bits(s):
    b = 0
    s = s.lower()
    if b"\\seen" in s:
        b |= 1
    if b"\\flagged" in s:
        b |= 2
    if b"\\answered" in s:
        b |= 4
    if b"\\deleted" in s:
        b |= 8
    return b


# ---------------------------------------------------------------------------------------------
# A minimal IMAP client on asyncio streams.


class ImapError(Exception):
    pass


RE_UID = re.compile(rb"UID (\d+)")
RE_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
RE_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
RE_APPENDUID = re.compile(rb"APPENDUID (\d+) ([0-9:,]+)")
RE_EXISTS = re.compile(rb"^\* (\d+) EXISTS")


def parse_set(s):
    out = []
    for part in s.split(b","):
        if b":" in part:
            a, b = part.split(b":")
            a, b = int(a), int(b)
            out.extend(range(min(a, b), max(a, b) + 1))
        else:
            out.append(int(part))
    return out


class Imap:
    def __init__(self):
        self.buf = bytearray()
        self.pos = 0
        self.n = 0
        self.w = None

    async def connect(self, port, timeout=60):
        self.r, self.w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        self.w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines, _ = await self.response()
        if not lines[0].startswith(b"* OK"):
            raise ImapError(f"greeting: {lines[0][:200]!r}")

    async def _fill(self):
        if self.pos == len(self.buf):
            self.buf.clear()
            self.pos = 0
        elif self.pos > 1 << 16:
            del self.buf[:self.pos]
            self.pos = 0
        data = await self.r.read(1 << 18)
        if not data:
            raise ImapError("connection closed by the server")
        self.buf += data

    async def response(self):
        """One response: its text pieces (the first starts with the tag, "*" or "+") and the
        payloads of its literals."""
        lines, lits = [], []
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i < 0:
                await self._fill()
                continue
            line = bytes(self.buf[self.pos:i])
            self.pos = i + 2
            lines.append(line)
            if line.endswith(b"}"):
                j = line.rfind(b"{")
                n = int(line[j + 1:-1].rstrip(b"+"))
                while len(self.buf) - self.pos < n:
                    await self._fill()
                lits.append(bytes(self.buf[self.pos:self.pos + n]))
                self.pos += n
                continue
            return lines, lits

    def send(self, data):
        self.w.write(data)

    def next_tag(self):
        self.n += 1
        return b"A%d" % self.n

    async def tagged(self, tag, what):
        """Reads to the tagged reply of `tag`; returns (untagged responses, tagged line)."""
        untagged = []
        prefix = tag + b" "
        while True:
            lines, lits = await self.response()
            if lines[0].startswith(prefix):
                st = lines[0][len(prefix):]
                if not st.startswith(b"OK"):
                    raise ImapError(f"{what[:80]!r} -> {st[:200]!r}")
                return untagged, st
            if lines[0].startswith(b"+"):
                raise ImapError(f"{what[:80]!r}: unexpected continuation {lines[0][:100]!r}")
            untagged.append((lines, lits))

    async def cmd(self, text):
        tag = self.next_tag()
        self.send(tag + b" " + text + b"\r\n")
        return await self.tagged(tag, text)

    async def login(self, user, password):
        return await self.cmd(b'LOGIN "%s" "%s"' % (user.encode(), password.encode()))

    async def close(self):
        if self.w is not None:
            self.w.close()
            try:
                await self.w.wait_closed()
            except Exception:
                pass


def load_passwords(path):
    pw = {}
    for line in open(path):
        if line.strip():
            u, p = line.split()
            pw[u] = p
    return pw


def append_cmd(items):
    """MULTIAPPEND with LITERAL+: items are (flags bits, unix date, data)."""
    parts = [b"APPEND INBOX"]
    for flags, when, data in items:
        parts.append(b" %s \"%s\" {%d+}\r\n" % (flag_list(flags).encode(), imap_date(when).encode(), len(data)))
        parts.append(data)
    return b"".join(parts)


# ---------------------------------------------------------------------------------------------
# Population through APPEND (MULTIAPPEND batches, LITERAL+, two batches in flight).


async def populate_user(port, login, password, spool, recs, batch):
    c = Imap()
    await c.connect(port)
    await c.login(login, password)
    pending = collections.deque()
    expected_uid = 1
    got = 0

    async def finish_one():
        nonlocal expected_uid, got
        tag, n = pending.popleft()
        _, st = await c.tagged(tag, b"APPEND")
        m = RE_APPENDUID.search(st)
        if not m:
            raise ImapError(f"{login}: APPEND without APPENDUID: {st[:100]!r}")
        uids = parse_set(m.group(2))
        if uids != list(range(expected_uid, expected_uid + n)):
            raise ImapError(f"{login}: APPEND gave UIDs {m.group(2)[:60]!r}, expected {expected_uid}..")
        expected_uid += n
        got += n

    for s in range(0, len(recs), batch):
        chunk = recs[s:s + batch]
        items = [(spool.recs[r][4], spool.recs[r][3], spool.data(r)) for r in chunk]
        tag = c.next_tag()
        c.send(tag + b" " + append_cmd(items) + b"\r\n")
        await c.w.drain()
        pending.append((tag, len(chunk)))
        if len(pending) >= 2:
            await finish_one()
    while pending:
        await finish_one()
    _, _ = await c.cmd(b"LOGOUT")
    await c.close()
    return got


async def populate_async(a):
    spool = Spool(a.spool)
    pw = load_passwords(a.password_file)
    meta = spool.meta
    sem = asyncio.Semaphore(a.conns)
    total = 0

    async def one(u):
        nonlocal total
        login = BIG_LOGIN if meta["big"] else user_login(meta["first_user"] + u)
        async with sem:
            got = await populate_user(a.port, login, pw[login], spool, list(spool.user_records(u)), a.batch)
        total += got

    t0 = time.perf_counter()
    await asyncio.gather(*(one(u) for u in range(meta["users"])))
    dt = time.perf_counter() - t0
    print(f"populated {total} messages in {dt:.1f}s ({total / dt:.0f} msgs/s) on port {a.port}", file=sys.stderr)


def populate(a):
    asyncio.run(populate_async(a))


def maildir(a):
    """The big mailbox as Maildir files in cur/, written the way Dovecot's own delivery writes
    them: LF line endings, S= (file size) and W= (CRLF size) in the name, flags after ":2,"; the
    names sort in spool order, so Dovecot assigns UIDs in the same order as APPEND did on Atrium."""
    spool = Spool(a.spool)
    root = pathlib.Path(a.root)
    for d in ("new", "cur", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    base = int(time.time()) - len(spool.recs) - 10
    t0 = time.perf_counter()
    for r, rec in enumerate(spool.recs):
        raw = spool.data(r)
        lf = raw.replace(b"\r\n", b"\n")
        fl = "".join(x for b, x in ((2, "F"), (4, "R"), (1, "S")) if rec[4] & b)
        name = f"{base + r}.M{r:06d}P1.bench,S={len(lf)},W={len(raw)}:2,{fl}"
        with open(root / "cur" / name, "wb") as f:
            f.write(lf)
        os.utime(root / "cur" / name, (rec[3], rec[3]))
    print(f"wrote {len(spool.recs)} Maildir files in {time.perf_counter() - t0:.1f}s", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Server resource accounting from /proc.


def _proc_children():
    kids = collections.defaultdict(list)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids[ppid].append(int(d))
    return kids


def process_tree(pid):
    kids = _proc_children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_seconds(pid):
    """CPU of the process and its children: live descendants plus the reaped ones (cutime)."""
    tck = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / tck


def memory(pid, tree):
    """(rss KiB, pss KiB, processes) of pid alone or of its whole process tree."""
    pids = process_tree(pid) if tree else [pid]
    rss = pss = n = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            n += 1
        except OSError:
            continue
    return rss, pss, n


# ---------------------------------------------------------------------------------------------
# The client mix.

OPS = ["select", "fetch_headers", "fetch_body", "store", "search", "append", "expunge", "idle"]
WEIGHTS = [8, 16, 24, 16, 12, 8, 8, 8]
OP_ORDER = ["login", "select", "sync", "fetch_headers", "fetch_body", "store", "search", "append", "expunge", "idle",
            "logout"]
HEADER_FIELDS = b"BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)]"


class Mailbox:
    """What a client knows of its user's INBOX: UIDs, flags and the vocabulary masks."""

    def __init__(self):
        self.uids = []      # ascending
        self.flags = {}
        self.masks = {}     # uid -> (text mask, subject mask); absent: unknown content
        self.spool_count = 0  # UIDs 1..spool_count are the spool's messages


class Check(Exception):
    pass


class Client:
    def __init__(self, cid, port, login, password, box, spool_recs, pool, rng, exact, stats, window, hold,
                 ops_per_session, weights):
        self.cid, self.port, self.login, self.password = cid, port, login, password
        self.box, self.recs, self.pool, self.rng, self.exact = box, spool_recs, pool, rng, exact
        self.stats, self.window, self.hold, self.ops_per_session = stats, window, hold, ops_per_session
        self.weights = weights
        self.c = None
        self.appended = 0
        self.synced = False

    def record(self, op, t0):
        t1 = time.perf_counter()
        if self.window[0] <= t1 < self.window[1]:
            self.stats[op].append(t1 - t0)

    def fail(self, what):
        raise Check(f"{self.login}: {what}")

    async def session(self):
        t0 = time.perf_counter()
        self.c = Imap()
        await self.c.connect(self.port)
        await self.c.login(self.login, self.password)
        self.record("login", t0)
        await self.op_select()
        # A client resynchronises its cache after SELECT: every UID and its flags.
        t0 = time.perf_counter()
        unt, _ = await self.c.cmd(b"UID FETCH 1:* (FLAGS)")
        self.record("sync", t0)
        seen = {}
        for lines, _ in unt:
            text = lines[0]
            if b" FETCH " not in text:
                continue
            m = RE_UID.search(text)
            f = RE_FLAGS.search(text)
            if not m or not f:
                self.fail(f"sync: unparsable {text[:100]!r}")
            seen[int(m.group(1))] = parse_flag_bits(f.group(1))
        if not self.synced or not self.exact:
            self.box.uids = sorted(seen)
            self.box.flags = seen
            self.synced = True
        elif set(seen) != set(self.box.uids) or any(seen[u] != self.box.flags[u] for u in seen):
            self.fail("sync: the server's UIDs/flags differ from what this client did")

    async def op_select(self):
        t0 = time.perf_counter()
        unt, st = await self.c.cmd(b"SELECT INBOX")
        self.record("select", t0)
        exists = None
        for lines, _ in unt:
            m = RE_EXISTS.match(lines[0])
            if m:
                exists = int(m.group(1))
        if exists is None:
            self.fail("SELECT without EXISTS")
        if self.exact and self.synced and exists != len(self.box.uids):
            self.fail(f"SELECT: EXISTS {exists}, expected {len(self.box.uids)}")

    async def op_fetch_headers(self):
        uids = self.box.uids
        if not uids:
            return
        newest = uids[-50:]
        t0 = time.perf_counter()
        unt, _ = await self.c.cmd(b"UID FETCH %d:%d (UID FLAGS RFC822.SIZE %s)" % (newest[0], newest[-1], HEADER_FIELDS))
        self.record("fetch_headers", t0)
        n = sum(1 for lines, lits in unt if b" FETCH " in lines[0] and lits)
        if self.exact and n != len(newest):
            self.fail(f"FETCH headers: {n} messages, expected {len(newest)}")
        for lines, lits in unt:
            if lits and b"message-id:" not in lits[0].lower():
                self.fail("FETCH headers: no Message-ID in the header fields")

    async def op_fetch_body(self):
        uids = self.box.uids
        if not uids:
            return
        # Recent mail is read more often than old mail.
        uid = uids[-1 - min(len(uids) - 1, int(self.rng.expovariate(1 / 40)))]
        t0 = time.perf_counter()
        unt, _ = await self.c.cmd(b"UID FETCH %d (RFC822.SIZE BODY.PEEK[])" % uid)
        self.record("fetch_body", t0)
        got = [(b" ".join(lines), lits) for lines, lits in unt if b" FETCH " in lines[0]]
        if len(got) != 1 or len(got[0][1]) != 1:
            self.fail(f"FETCH body of UID {uid}: {len(got)} responses")
        m = RE_SIZE.search(got[0][0])
        if not m or int(m.group(1)) != len(got[0][1][0]):
            self.fail(f"FETCH body of UID {uid}: RFC822.SIZE {m and m.group(1)} but {len(got[0][1][0])} octets")

    async def op_store(self):
        uids = self.box.uids
        if not uids:
            return
        uid = self.rng.choice(uids)
        r = self.rng.random()
        if r < 0.6:
            sign, bit, name = b"+", 1, b"\\Seen"
        elif r < 0.75:
            sign, bit, name = b"-", 1, b"\\Seen"
        elif r < 0.92:
            sign, bit, name = b"+", 2, b"\\Flagged"
        else:
            sign, bit, name = b"-", 2, b"\\Flagged"
        t0 = time.perf_counter()
        unt, _ = await self.c.cmd(b"UID STORE %d %sFLAGS (%s)" % (uid, sign, name))
        self.record("store", t0)
        old = self.box.flags.get(uid, 0)
        new = old | bit if sign == b"+" else old & ~bit
        for lines, _ in unt:
            if b" FETCH " in lines[0]:
                f = RE_FLAGS.search(lines[0])
                if f and (parse_flag_bits(f.group(1)) & 3) != (new & 3):
                    self.fail(f"STORE {sign.decode()}{name.decode()} on UID {uid}: FLAGS ({f.group(1).decode()})")
        self.box.flags[uid] = new

    def pick_word(self):
        if self.rng.random() < 0.5:
            return self.rng.choices(range(VOCAB_BITS), cum_weights=CUM[:VOCAB_BITS])[0]
        return self.rng.randrange(VOCAB_BITS)

    async def op_search(self):
        # What clients search for: mostly flags and dates (cheap), sometimes words the user typed.
        r = self.rng.random()
        box = self.box
        if r < 0.4:
            q, want = b"UNSEEN", {u for u in box.uids if not box.flags[u] & 1}
            exact = True
        elif r < 0.55:
            q, want = b"FLAGGED", {u for u in box.uids if box.flags[u] & 2}
            exact = True
        elif r < 0.7:
            q, want = b"SINCE 1-Jan-2026", None
            exact = True
        elif r < 0.8:
            w = self.pick_word()
            q = b"SUBJECT " + VOCAB[w].encode()
            want = {u for u in box.uids if u in box.masks and box.masks[u][1] >> w & 1}
            exact = True
        elif r < 0.95:
            w = self.pick_word()
            q = b"TEXT " + VOCAB[w].encode()
            want = {u for u in box.uids if u in box.masks and box.masks[u][0] >> w & 1}
            exact = False
        else:
            w1, w2 = self.pick_word(), self.pick_word()
            q = b"TEXT %s TEXT %s" % (VOCAB[w1].encode(), VOCAB[w2].encode())
            want = {u for u in box.uids if u in box.masks and box.masks[u][0] >> w1 & 1 and box.masks[u][0] >> w2 & 1}
            exact = False
        t0 = time.perf_counter()
        unt, _ = await self.c.cmd(b"UID SEARCH " + q)
        self.record("search", t0)
        got = set()
        for lines, _ in unt:
            if lines[0].startswith(b"* SEARCH"):
                got.update(int(x) for x in lines[0][8:].split())
        if want is None:  # SINCE: the messages appended during the run (the spool's are older)
            want = {u for u in box.uids if u > box.spool_count}
        if not self.exact or len(box.masks) < len(box.uids):
            return
        if exact and got != want:
            self.fail(f"SEARCH {q.decode()}: {len(got)} hits, expected {len(want)}")
        if not exact and (not want <= got or len(got - want) > 1 + len(box.uids) // 100):
            self.fail(f"SEARCH {q.decode()}: {len(got)} hits ({len(want - got)} missing, {len(got - want)} extra)")

    async def op_append(self):
        i = (self.cid * 7919 + self.appended * 104729) % len(self.pool[0])
        self.appended += 1
        rec = self.pool[0][i]
        data = self.pool[1][rec[1]:rec[1] + rec[2]]
        placeholder = b"<" + b"0" * 20 + b".pool@bench.test>"
        unique = b"<%020d.pool@bench.test>" % (self.cid * 10 ** 12 + self.appended)
        data = data.replace(placeholder, unique, 1)
        t0 = time.perf_counter()
        _, st = await self.c.cmd(append_cmd([(1, int(time.time()), data)]))
        self.record("append", t0)
        m = RE_APPENDUID.search(st)
        if not m:
            self.fail(f"APPEND without APPENDUID: {st[:100]!r}")
        uid = int(m.group(2))
        if self.box.uids and uid <= self.box.uids[-1]:
            self.fail(f"APPEND: UID {uid} not above {self.box.uids[-1]}")
        self.box.uids.append(uid)
        self.box.flags[uid] = 1
        self.box.masks[uid] = (rec[5], rec[6])

    async def op_expunge(self):
        uids = self.box.uids
        if len(uids) < 2:
            return
        # Older mail is deleted more often than new mail.
        uid = uids[min(len(uids) - 1, int(self.rng.expovariate(1 / (len(uids) / 3))))]
        t0 = time.perf_counter()
        await self.c.cmd(b"UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
        unt, _ = await self.c.cmd(b"EXPUNGE")
        self.record("expunge", t0)
        n = sum(1 for lines, _ in unt if lines[0].endswith(b" EXPUNGE"))
        if self.exact and n != 1:
            self.fail(f"EXPUNGE of UID {uid}: {n} EXPUNGE responses")
        uids.remove(uid)
        self.box.flags.pop(uid, None)
        self.box.masks.pop(uid, None)

    async def op_idle(self):
        c = self.c
        tag = c.next_tag()
        t0 = time.perf_counter()
        c.send(tag + b" IDLE\r\n")
        while True:
            lines, _ = await c.response()
            if lines[0].startswith(b"+"):
                break
            if lines[0].startswith(tag):
                self.fail(f"IDLE refused: {lines[0][:100]!r}")
        t1 = time.perf_counter()
        await asyncio.sleep(self.hold)
        t2 = time.perf_counter()
        c.send(b"DONE\r\n")
        await c.tagged(tag, b"IDLE")
        t3 = time.perf_counter()
        if self.window[0] <= t3 < self.window[1]:
            self.stats["idle"].append((t1 - t0) + (t3 - t2))

    async def run(self, end):
        ops = {"select": self.op_select, "fetch_headers": self.op_fetch_headers, "fetch_body": self.op_fetch_body,
               "store": self.op_store, "search": self.op_search, "append": self.op_append,
               "expunge": self.op_expunge, "idle": self.op_idle}
        while time.perf_counter() < end:
            await self.session()
            for _ in range(self.ops_per_session):
                if time.perf_counter() >= end:
                    break
                op = self.rng.choices(OPS, self.weights)[0]
                await ops[op]()
            t0 = time.perf_counter()
            await self.c.cmd(b"LOGOUT")
            self.record("logout", t0)
            await self.c.close()


def mix_worker(args):
    (port, clients, spool_dir, pw_file, start_at, warmup, seconds, hold, ops_per_session, exact, seed, weights, q) = args
    spool = Spool(spool_dir)
    pool = (Spool(spool_dir, "pool.tsv", "pool.bin").recs, (pathlib.Path(spool_dir) / "pool.bin").read_bytes())
    pw = load_passwords(pw_file)
    stats = collections.defaultdict(list)
    errors = []

    async def main():
        now_wall = time.time()
        await asyncio.sleep(max(0.0, start_at - now_wall))
        base = time.perf_counter()
        window = (base + warmup, base + warmup + seconds)
        objs = []
        for cid, u in clients:
            box = Mailbox()
            for k, r in enumerate(spool.user_records(u)):
                box.masks[k + 1] = (spool.recs[r][5], spool.recs[r][6])
            box.spool_count = len(spool.user_records(u))
            login = user_login(spool.meta["first_user"] + u)
            objs.append(Client(cid, port, login, pw[login], box, spool.recs, pool, random.Random(seed * 1000 + cid),
                               exact, stats, window, hold, ops_per_session, weights))
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        results = await asyncio.gather(*(o.run(window[1]) for o in objs), return_exceptions=True)
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        for r in results:
            if isinstance(r, BaseException):
                errors.append(f"{type(r).__name__}: {r}")
        return (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)

    cpu = asyncio.run(main())
    q.put({"stats": dict(stats), "errors": errors, "cpu": cpu})


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    k = (len(v) - 1) * p / 100
    lo = math.floor(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def mix(a):
    self_check()
    spool = Spool(a.spool)
    users = spool.meta["users"]
    exact = a.clients <= users
    clients = [(cid, cid % users) for cid in range(a.clients)]
    weights = list(WEIGHTS)
    if a.weights:  # "op=w,op=w": only these operations (experiments)
        given = dict(kv.split("=") for kv in a.weights.split(","))
        weights = [float(given.get(op, 0)) for op in OPS]
    q = multiprocessing.Queue()
    start_at = time.time() + 2.0
    procs = []
    for p in range(a.procs):
        mine = clients[p::a.procs]
        args = (a.port, mine, a.spool, a.password_file, start_at, a.warmup, a.seconds, a.idle_hold,
                a.ops_per_session, exact, a.seed, weights, q)
        pr = multiprocessing.Process(target=mix_worker, args=(args,))
        pr.start()
        procs.append(pr)
    time.sleep(max(0.0, start_at + a.warmup - time.time()))
    cpu0 = cpu_seconds(a.server_pid)
    t0 = time.time()
    time.sleep(a.seconds)
    cpu1 = cpu_seconds(a.server_pid)
    t1 = time.time()
    got = [q.get(timeout=a.seconds + a.warmup + 600) for _ in procs]
    for pr in procs:
        pr.join()
    errors = [e for g in got for e in g["errors"]]
    if errors:
        for e in errors[:20]:
            print(f"{a.name} mix error: {e}", file=sys.stderr)
        sys.exit(f"{a.name}: {len(errors)} clients failed")
    stats = collections.defaultdict(list)
    for g in got:
        for k, v in g["stats"].items():
            stats[k].extend(v)
    total = sum(len(v) for v in stats.values())
    res = {"name": a.name, "clients": a.clients, "seconds": a.seconds, "ops": total, "ops_per_s": total / a.seconds,
           "server_cpu_s": cpu1 - cpu0, "server_cpu_pct": 100 * (cpu1 - cpu0) / (t1 - t0),
           "client_cpu_pct": 100 * sum(g["cpu"] for g in got) / (a.seconds + a.warmup), "exact": exact,
           "per_op": {op: {"n": len(stats[op]), "p50_ms": 1000 * pct(stats[op], 50), "p99_ms": 1000 * pct(stats[op], 99)}
                      for op in OP_ORDER if op in stats}}
    pathlib.Path(a.json).write_text(json.dumps(res, indent=1))
    print(f"{a.name:8s} mix {res['ops_per_s']:9.0f} ops/s  ({total} ops in {a.seconds}s, {a.clients} clients; "
          f"server CPU {res['server_cpu_pct']:.0f}%, load generator CPU {res['client_cpu_pct']:.0f}% of one core)")
    for op, s in res["per_op"].items():
        print(f"{a.name:8s}   {op:14s} {s['n']:8d} ops  p50 {s['p50_ms']:8.2f} ms  p99 {s['p99_ms']:8.2f} ms")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# IDLE memory.


async def idle_async(a):
    pw = load_passwords(a.password_file)
    logins = [user_login(i) for i in range(a.users)]
    tree = a.tree

    def mem():
        return memory(a.server_pid, tree)

    # Warm-up: every user logs in and selects once, so per-user state is in the baseline.
    async def touch(login):
        c = Imap()
        await c.connect(a.port)
        await c.login(login, pw[login])
        await c.cmd(b"SELECT INBOX")
        await c.cmd(b"LOGOUT")
        await c.close()

    sem = asyncio.Semaphore(50)

    async def guarded(coro):
        async with sem:
            return await coro

    await asyncio.gather(*(guarded(touch(l)) for l in logins))
    await asyncio.sleep(a.settle)
    m0 = mem()

    conns = []

    async def open_idle(i):
        login = logins[i % len(logins)]
        c = Imap()
        await c.connect(a.port, timeout=300)
        await c.login(login, pw[login])
        unt, _ = await c.cmd(b"SELECT INBOX")
        c.exists = next(int(m.group(1)) for lines, _ in unt for m in [RE_EXISTS.match(lines[0])] if m)
        c.idle_tag = c.next_tag()
        c.send(c.idle_tag + b" IDLE\r\n")
        while True:
            lines, _ = await c.response()
            if lines[0].startswith(b"+"):
                break
            if lines[0].startswith(c.idle_tag):
                raise ImapError(f"IDLE refused: {lines[0]!r}")
        c.login_name = login
        conns.append(c)

    t0 = time.perf_counter()
    sem = asyncio.Semaphore(a.open_concurrency)
    res = await asyncio.gather(*(guarded(open_idle(i)) for i in range(a.conns)), return_exceptions=True)
    errs = [r for r in res if isinstance(r, BaseException)]
    t_open = time.perf_counter() - t0
    if errs:
        print(f"{a.name}: {len(errs)} of {a.conns} IDLE connections failed; first: {errs[0]!r}", file=sys.stderr)
    n = len(conns)
    # Settle until the server's memory stops moving.
    prev = None
    for _ in range(a.max_settle):
        await asyncio.sleep(a.settle)
        m1 = mem()
        if prev and abs(m1[1] - prev[1]) < 0.005 * max(1, m1[1]):
            break
        prev = m1
    # Every connection must still be alive and idling: wake one user's connections with a new
    # message and time until all of them have been told (EXISTS).
    target = logins[0]
    mine = [c for c in conns if c.login_name == target]

    async def wait_exists(c):
        while True:
            lines, _ = await c.response()
            m = RE_EXISTS.match(lines[0])
            if m and int(m.group(1)) > c.exists:
                return time.perf_counter()

    waiters = [asyncio.ensure_future(wait_exists(c)) for c in mine]
    sender = Imap()
    await sender.connect(a.port)
    await sender.login(target, pw[target])
    data, _, _ = make_message(4242, EPOCH, target)
    tw = time.perf_counter()
    await sender.cmd(append_cmd([(0, EPOCH, data)]))
    done, pending = await asyncio.wait(waiters, timeout=a.wake_timeout)
    for p in pending:
        p.cancel()
    woken = [d.result() - tw for d in done if not d.exception()]
    await sender.cmd(b"LOGOUT")
    await sender.close()
    # Disconnect (as clients losing the network do; a DONE to 10,000 hibernated sessions would
    # only make the server wake them all first).
    for c in conns:
        c.w.close()
    await asyncio.sleep(1)
    res = {"name": a.name, "conns": a.conns, "open": n, "open_s": t_open,
           "rss0_kib": m0[0], "pss0_kib": m0[1], "procs0": m0[2], "rss1_kib": m1[0], "pss1_kib": m1[1], "procs1": m1[2],
           "rss_per_conn_kib": (m1[0] - m0[0]) / max(1, n), "pss_per_conn_kib": (m1[1] - m0[1]) / max(1, n),
           "wake_conns": len(mine), "woken": len(woken), "wake_max_ms": 1000 * max(woken) if woken else None,
           "wake_p50_ms": 1000 * pct(woken, 50) if woken else None, "note": a.note}
    pathlib.Path(a.json).write_text(json.dumps(res, indent=1))
    what = "pss" if tree else "rss"
    print(f"{a.name:8s} idle {what} per conn = {res[what + '_per_conn_kib']:.1f} KiB  ({n} IDLE connections opened in "
          f"{t_open:.1f}s; server {what} {m0[1 if tree else 0] / 1024:.0f} -> {m1[1 if tree else 0] / 1024:.0f} MiB, "
          f"{m1[2]} processes{'; ' + a.note if a.note else ''})")
    print(f"{a.name:8s} idle wake-up: {len(woken)} of {len(mine)} IDLE connections of {target} told of a new "
          f"message, last after {res['wake_max_ms'] if woken else float('nan'):.0f} ms")
    if n < a.conns:
        sys.exit(f"{a.name}: only {n} of {a.conns} IDLE connections")
    if len(woken) < len(mine):
        sys.exit(f"{a.name}: {len(mine) - len(woken)} IDLE connections not told of a new message "
                 f"within {a.wake_timeout}s")


def idle(a):
    asyncio.run(idle_async(a))


# ---------------------------------------------------------------------------------------------
# The big mailbox.

def big_queries(spool, n):
    """Deterministic queries over the frequency range: (label, SEARCH key, expected UIDs)."""
    sample = spool.recs[::max(1, len(spool.recs) // 3000)]
    counts = [sum(1 for rec in sample if rec[5] >> w & 1) for w in range(VOCAB_BITS)]
    order = sorted(range(VOCAB_BITS), key=lambda i: -counts[i])
    singles = n - max(1, n // 10)
    picks = [order[int(k * (len(order) - 1) / max(1, singles - 1))] for k in range(singles)]
    out = []
    for w in picks:
        out.append((VOCAB[w], b"TEXT " + VOCAB[w].encode(), [w]))
    rng = random.Random(5)
    for _ in range(n - singles):
        w1, w2 = order[rng.randrange(len(order) // 4)], order[rng.randrange(len(order))]
        out.append((f"{VOCAB[w1]} {VOCAB[w2]}", b"TEXT %s TEXT %s" % (VOCAB[w1].encode(), VOCAB[w2].encode()), [w1, w2]))
    # Any prefix is a fair sample (a slow server may only get through some within the budget).
    rng.shuffle(out)
    return out, counts


async def big_async(a):
    spool = Spool(a.spool)
    pw = load_passwords(a.password_file)
    total = len(spool.recs)
    res = {"name": a.name, "messages": total}

    async def open_select():
        c = Imap()
        await c.connect(a.port)
        await c.login(BIG_LOGIN, pw[BIG_LOGIN])
        t0 = time.perf_counter()
        unt, _ = await c.cmd(b"SELECT INBOX")
        t_sel = time.perf_counter() - t0
        exists = next(int(m.group(1)) for lines, _ in unt for m in [RE_EXISTS.match(lines[0])] if m)
        if exists != total:
            raise ImapError(f"{a.name}: EXISTS {exists}, expected {total}")
        return c, t_sel

    async def fetch_flags(c):
        t0 = time.perf_counter()
        unt, _ = await c.cmd(b"UID FETCH 1:* (FLAGS)")
        dt = time.perf_counter() - t0
        n = sum(1 for lines, _ in unt if b" FETCH " in lines[0])
        if n != total:
            raise ImapError(f"{a.name}: UID FETCH 1:* (FLAGS) gave {n} of {total}")
        seen = sum(1 for lines, _ in unt if b"\\Seen" in lines[0])
        want = sum(1 for r in spool.recs if r[4] & 1)
        if seen != want:
            raise ImapError(f"{a.name}: {seen} messages \\Seen, expected {want}")
        return dt

    c, res["select_cold_s"] = await open_select()
    res["fetch_flags_cold_s"] = await fetch_flags(c)
    # The same UIDs for the same messages on both servers: spot-check Message-IDs.
    for uid in sorted({1, total // 3, total // 2, total}):
        unt, _ = await c.cmd(b"UID FETCH %d (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])" % uid)
        lit = [lits[0] for lines, lits in unt if lits]
        want = re.search(rb"Message-ID: (\S+)", spool.data(uid - 1)).group(1)
        if not lit or want not in lit[0]:
            raise ImapError(f"{a.name}: UID {uid} is not spool message {uid}")
    await c.cmd(b"LOGOUT")
    await c.close()
    sel, ff = [], []
    for _ in range(3):
        c, t = await open_select()
        sel.append(t)
        ff.append(await fetch_flags(c))
        await c.cmd(b"LOGOUT")
        await c.close()
    res["select_warm_s"] = statistics.median(sel)
    res["fetch_flags_warm_s"] = statistics.median(ff)

    queries, counts = big_queries(spool, a.queries)
    c, _ = await open_select()
    lat, hits, mismatches = [], [], []
    t_start = time.perf_counter()
    for label, key, words in queries:
        if time.perf_counter() - t_start > a.search_budget:
            break
        t0 = time.perf_counter()
        unt, _ = await c.cmd(b"UID SEARCH " + key)
        lat.append(time.perf_counter() - t0)
        got = set()
        for lines, _ in unt:
            if lines[0].startswith(b"* SEARCH"):
                got.update(int(x) for x in lines[0][8:].split())
        want = {r + 1 for r, rec in enumerate(spool.recs) if all(rec[5] >> w & 1 for w in words)}
        hits.append(len(got))
        if not want <= got or len(got - want) > 1 + total // 1000:
            mismatches.append(f"{label}: {len(got)} hits, expected {len(want)} "
                              f"({len(want - got)} missing, {len(got - want)} extra)")
    await c.cmd(b"LOGOUT")
    await c.close()
    res.update({"queries": len(lat), "queries_planned": len(queries), "search_budget_s": a.search_budget,
                "search_p50_ms": 1000 * pct(lat, 50),
                "search_p99_ms": 1000 * pct(lat, 99), "search_max_ms": 1000 * max(lat),
                "search_mean_hits": statistics.mean(hits), "search_hits": hits, "search_mismatches": mismatches})
    pathlib.Path(a.json).write_text(json.dumps(res, indent=1))
    print(f"{a.name:8s} big SELECT cold {res['select_cold_s'] * 1000:.0f} ms, warm {res['select_warm_s'] * 1000:.0f} ms; "
          f"UID FETCH 1:* (FLAGS) cold {res['fetch_flags_cold_s'] * 1000:.0f} ms, warm "
          f"{res['fetch_flags_warm_s'] * 1000:.0f} ms  ({total} messages)")
    print(f"{a.name:8s} big SEARCH TEXT p50 {res['search_p50_ms']:.1f} ms  p99 {res['search_p99_ms']:.1f} ms  "
          f"max {res['search_max_ms']:.1f} ms  ({len(lat)} of {len(queries)} queries, mean "
          f"{res['search_mean_hits']:.0f} hits)")
    for m in mismatches:
        print(f"{a.name:8s} big SEARCH mismatch: {m}", file=sys.stderr)
    if mismatches:
        sys.exit(f"{a.name}: {len(mismatches)} SEARCH results differ from the spool")


def big(a):
    asyncio.run(big_async(a))


# ---------------------------------------------------------------------------------------------
# Summary.


def report(a):
    d = pathlib.Path(a.dir)

    def load(name):
        p = d / name
        return json.loads(p.read_text()) if p.exists() else None

    lines = []
    am, dm = load("mix-atrium.json"), load("mix-dovecot.json")
    if am and dm:
        lines.append(f"atrium  mix {am['ops_per_s']:8.0f} ops/s  ({am['clients']} clients, {am['seconds']} s)")
        lines.append(f"dovecot mix {dm['ops_per_s']:8.0f} ops/s  ({dm['clients']} clients, {dm['seconds']} s)")
        lines.append(f"ratio atrium/dovecot = {am['ops_per_s'] / dm['ops_per_s']:.2f}x  (target >= 2x)")
        ac, dc = 1e6 * am["server_cpu_s"] / am["ops"], 1e6 * dm["server_cpu_s"] / dm["ops"]
        lines.append(f"server CPU per op: atrium {ac:.0f} us, dovecot {dc:.0f} us  (dovecot/atrium = {dc / ac:.2f}x; "
                     f"server CPU {am['server_cpu_pct']:.0f}% and {dm['server_cpu_pct']:.0f}% of one core)")
        lines.append(f"{'op':14s} {'atrium p50/p99 ms':>22s} {'dovecot p50/p99 ms':>22s}")
        for op in OP_ORDER:
            if op in am["per_op"] and op in dm["per_op"]:
                x, y = am["per_op"][op], dm["per_op"][op]
                lines.append(f"{op:14s} {x['p50_ms']:10.2f} /{x['p99_ms']:9.2f} {y['p50_ms']:10.2f} /{y['p99_ms']:9.2f}")
    ops = ["session", "select", "fetch_headers", "fetch_body", "store", "search", "append", "expunge", "idle"]
    if load("ops-atrium-select.json"):
        lines.append("each operation alone (20 clients, 10 s): ops/s and server CPU per operation")
        lines.append(f"{'op':14s} {'atrium ops/s':>13s} {'CPU us/op':>10s} {'dovecot ops/s':>14s} {'CPU us/op':>10s}")
        for op in ops:
            x, y = load(f"ops-atrium-{op}.json"), load(f"ops-dovecot-{op}.json")
            if not x or not y:
                continue
            key = "login" if op == "session" else op
            row = [op]
            for r in (x, y):
                n = r["per_op"].get(key, {"n": 0})["n"]
                row += [n / r["seconds"], 1e6 * r["server_cpu_s"] / max(1, n)]
            lines.append(f"{row[0]:14s} {row[1]:13.0f} {row[2]:10.0f} {row[3]:14.0f} {row[4]:10.0f}")
    ai = load("idle-atrium.json")
    if ai:
        lines.append(f"atrium  idle rss per conn = {ai['rss_per_conn_kib']:.1f} KiB  ({ai['open']} IDLE connections; "
                     f"pss {ai['pss_per_conn_kib']:.1f} KiB; target <= 64 KiB)")
    for name in ("idle-dovecot-hibernate.json", "idle-dovecot-shared.json", "idle-dovecot-ppc.json"):
        x = load(name)
        if x:
            lines.append(f"dovecot idle pss per conn = {x['pss_per_conn_kib']:.1f} KiB  ({x['open']} IDLE connections, "
                         f"{x['procs1']} processes; {x['note']})")
    for name in ("idle-atrium.json", "idle-dovecot-hibernate.json", "idle-dovecot-shared.json", "idle-dovecot-ppc.json"):
        x = load(name)
        if x and x["woken"]:
            label = x["name"] + (f" ({x['note']})" if x["note"] else "")
            lines.append(f"idle wake-up {label}: {x['woken']} IDLE connections of one user told of a new message "
                         f"in {x['wake_p50_ms']:.0f} ms (median), {x['wake_max_ms']:.0f} ms (last)")
    ab, db = load("big-atrium.json"), load("big-dovecot.json")
    for x in (ab, db):
        if x:
            n = x["name"]
            lines.append(f"{n:7s} big SELECT cold {x['select_cold_s'] * 1000:.0f} ms / warm {x['select_warm_s'] * 1000:.0f} ms,"
                         f" UID FETCH 1:* (FLAGS) cold {x['fetch_flags_cold_s'] * 1000:.0f} ms / warm "
                         f"{x['fetch_flags_warm_s'] * 1000:.0f} ms  ({x['messages']} messages)")
            done = (f"{x['queries']} queries" if x["queries"] == x["queries_planned"] else
                    f"{x['queries']} of {x['queries_planned']} queries within the {x['search_budget_s']:.0f} s budget")
            lines.append(f"{n:7s} big SEARCH TEXT p50 {x['search_p50_ms']:.1f} ms, p99 {x['search_p99_ms']:.1f} ms  "
                         f"({done}, mean {x['search_mean_hits']:.0f} hits{'' if n == 'atrium' else '; no FTS: scans'}"
                         f"{'; target p50 < 20 ms' if n == 'atrium' else ''})")
    if ab and db and ab["search_hits"][:db["queries"]] != db["search_hits"][:ab["queries"]]:
        lines.append("note: SEARCH TEXT hit counts differ between the servers")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--out", required=True)
    g.add_argument("--users", type=int, default=1)
    g.add_argument("--messages", type=int, required=True)
    g.add_argument("--first-user", type=int, default=0)
    g.add_argument("--pool", type=int, default=0)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--span-days", type=int, default=365)
    g.add_argument("--big", action="store_true")
    g.add_argument("--procs", type=int, default=2)
    p = sub.add_parser("populate")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--spool", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--conns", type=int, default=8)
    p.add_argument("--batch", type=int, default=50)
    m = sub.add_parser("maildir")
    m.add_argument("--spool", required=True)
    m.add_argument("--root", required=True)
    x = sub.add_parser("mix")
    x.add_argument("--name", required=True)
    x.add_argument("--port", type=int, required=True)
    x.add_argument("--spool", required=True)
    x.add_argument("--password-file", required=True)
    x.add_argument("--clients", type=int, default=100)
    x.add_argument("--seconds", type=float, default=60)
    x.add_argument("--warmup", type=float, default=5)
    x.add_argument("--procs", type=int, default=2)
    x.add_argument("--idle-hold", type=float, default=0.05)
    x.add_argument("--ops-per-session", type=int, default=100)
    x.add_argument("--seed", type=int, default=1)
    x.add_argument("--weights", default="", help="op=weight,... instead of the standard mix")
    x.add_argument("--server-pid", type=int, required=True)
    x.add_argument("--json", required=True)
    i = sub.add_parser("idle")
    i.add_argument("--name", required=True)
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--password-file", required=True)
    i.add_argument("--users", type=int, required=True)
    i.add_argument("--conns", type=int, default=10000)
    i.add_argument("--open-concurrency", type=int, default=100)
    i.add_argument("--settle", type=float, default=3)
    i.add_argument("--max-settle", type=int, default=10)
    i.add_argument("--wake-timeout", type=float, default=60)
    i.add_argument("--server-pid", type=int, required=True)
    i.add_argument("--tree", action="store_true", help="count the server's whole process tree (PSS)")
    i.add_argument("--note", default="")
    i.add_argument("--json", required=True)
    b = sub.add_parser("big")
    b.add_argument("--name", required=True)
    b.add_argument("--port", type=int, required=True)
    b.add_argument("--spool", required=True)
    b.add_argument("--password-file", required=True)
    b.add_argument("--queries", type=int, default=50)
    b.add_argument("--search-budget", type=float, default=600)
    b.add_argument("--server-pid", type=int, required=True)
    b.add_argument("--json", required=True)
    r = sub.add_parser("report")
    r.add_argument("--dir", required=True)
    a = ap.parse_args()
    {"gen": gen, "populate": populate, "maildir": maildir, "mix": mix, "idle": idle, "big": big,
     "report": report}[a.cmd](a)


if __name__ == "__main__":
    main()
