#!/usr/bin/python3
"""Checks an SPF case table (cases.json) against pyspf, the Python SPF implementation.

The same table drives the C++ unit test (table_test.cpp), so pyspf agreeing with it is an
independent check of Atrium's check_host(). pyspf gets its DNS answers from the table: the module's
DNSLookup function is replaced, so no network is used.

Usage: /usr/bin/python3 pyspf_table.py cases.json [-v]
Exit status 0 when pyspf gives every case's expected result, 1 otherwise, 2 on bad usage.

A case may carry "pyspf": the result pyspf is known to give where it deliberately departs from
RFC 7208 as the table reads it, with a "note" saying why. Such a case passes when pyspf gives
exactly that result, and fails when pyspf starts agreeing (so stale notes do not linger).
Explanations are compared for expected "fail" results; an expected "" means no exp= text, where
pyspf reports its default explanation.
"""

import ipaddress
import json
import sys

import spf


def normalise(name):
    return name.lower().rstrip(".")


class TableDns:
    """The zone of one case, answering in the shape spf.DNSLookup returns."""

    def __init__(self, case):
        self.records = {}
        for name, rrsets in case.get("zone", {}).items():
            for rtype, values in rrsets.items():
                self.records.setdefault((normalise(name), rtype), []).extend(values)
        for address, names in case.get("ptr", {}).items():
            reverse = ipaddress.ip_address(address).reverse_pointer
            self.records.setdefault((reverse, "PTR"), []).extend(names)
        self.failing = {normalise(n) for n in case.get("fail", [])}

    def lookup(self, name, qtype, strict=True, timeout=None):
        name = normalise(name)
        if name in self.failing:
            raise spf.TempError("DNS timeout (from the case table)")
        answers = []
        for value in self.records.get((name, qtype), []):
            if qtype in ("TXT", "SPF"):
                value = (value.encode("utf-8"),)  # one character-string per record
            elif qtype == "MX":
                value = (value[0], value[1])
            answers.append(((name, qtype), value))
        return answers


def run_pyspf(case):
    dns = TableDns(case)
    spf.DNSLookup = dns.lookup
    helo_identity = case.get("identity", "mailfrom") == "helo"
    sender = "" if helo_identity else case.get("sender", "")
    query = spf.query(i=case["ip"], s=sender, h=case.get("helo", ""), receiver=case.get("receiver") or None)
    if "now" in case:
        query.t = str(case["now"])
    result, _code, explanation = query.check()
    return result, explanation


def accepted(value):
    return value if isinstance(value, list) else [value]


def check_case(case):
    """Returns (ok, message)."""
    try:
        result, explanation = run_pyspf(case)
    except Exception as e:  # pyspf raising is a disagreement too
        return False, "pyspf raised %s: %s" % (type(e).__name__, e)
    if "pyspf" in case:
        if result in accepted(case["result"]):
            return False, "pyspf now gives the expected %s; drop the case's \"pyspf\" field" % result
        if result not in accepted(case["pyspf"]):
            return False, "pyspf gives %s, the table says it gives %s" % (result, case["pyspf"])
        return True, "deliberate difference: pyspf gives %s, we give %s (%s)" % (
            result, case["result"], case.get("note", "no note"))
    if result not in accepted(case["result"]):
        return False, "pyspf gives %s, expected %s" % (result, case["result"])
    if case["result"] == "fail" and "explanation" in case:
        want = case["explanation"] or spf.EXPLANATIONS["fail"]
        if explanation != want:
            return False, "pyspf explains %r, expected %r" % (explanation, want)
    return True, result


def main(argv):
    args = [a for a in argv[1:] if a != "-v"]
    verbose = "-v" in argv[1:]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: pyspf_table.py cases.json [-v]", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    failures = 0
    deliberate = 0
    for case in cases:
        ok, message = check_case(case)
        if not ok:
            failures += 1
        if "pyspf" in case and ok:
            deliberate += 1
        if not ok or verbose or "pyspf" in case:
            print("%-8s %s: %s" % ("ok" if ok else "MISMATCH", case["name"], message))
    print("%d cases, %d agree with pyspf, %d deliberate differences, %d mismatches" % (
        len(cases), len(cases) - failures - deliberate, deliberate, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
