#!/usr/bin/python3
# Regenerates the dkimpy-made vectors in data/ (run once by hand; the unit tests only read the
# files). Signs data/message.eml with Debian's python3-dkim using the checked-in test keys and
# checks each result with dkimpy's own verifier before writing it.
import base64
import os
import subprocess
import sys

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'data')
# RFC 8032 section 7.1 test 1 secret key, also used by RFC 8463 Appendix A.
ED25519_SEED = b'nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A='
ED25519_PUBLIC = b'11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo='


def read(name):
    with open(os.path.join(DATA, name), 'rb') as f:
        return f.read()


def write(name, content):
    with open(os.path.join(DATA, name), 'wb') as f:
        f.write(content)


def rsa_record(pem_name):
    der = subprocess.run(['openssl', 'pkey', '-in', os.path.join(DATA, pem_name), '-pubout', '-outform', 'DER'],
                         check=True, capture_output=True).stdout
    return b'v=DKIM1; k=rsa; p=' + base64.b64encode(der)


DNS = {
    b'rsa2048._domainkey.example.org.': rsa_record('test_rsa2048.pem'),
    b'rsa1024._domainkey.example.org.': rsa_record('test_rsa1024.pem'),
    b'rsa512._domainkey.example.org.': rsa_record('test_rsa512.pem'),
    b'ed._domainkey.example.org.': b'v=DKIM1; k=ed25519; p=' + ED25519_PUBLIC,
    b'arc._domainkey.example.org.': rsa_record('test_rsa2048.pem'),
    b'arc._domainkey.example.net.': rsa_record('test_rsa1024.pem'),
    b'arc._domainkey.example.com.': rsa_record('test_rsa2048.pem'),
}


def dnsfunc(name, timeout=5):
    return DNS.get(name)


def dkim_vector(out, selector, key, algorithm, canon, minkey=1024, expect=True):
    message = read('message.eml')
    header = dkim.sign(message, selector, b'example.org', key, canonicalize=canon,
                       signature_algorithm=algorithm)
    signed = header + message
    ok = dkim.DKIM(signed, minkey=minkey).verify(dnsfunc=dnsfunc)
    if ok != expect:
        sys.exit('dkimpy does not verify its own %s' % out)
    write(out, signed)


def arc_chain(out):
    message = read('message.eml')
    hops = [(b'mx1.example.org', b'example.org', b'spf=pass smtp.mailfrom=example.org', 'test_rsa2048.pem'),
            (b'mx2.example.net', b'example.net', b'arc=pass', 'test_rsa1024.pem'),
            (b'mx3.example.com', b'example.com', b'arc=pass', 'test_rsa2048.pem')]
    for srv_id, domain, results, pem in hops:
        message = b'Authentication-Results: ' + srv_id + b'; ' + results + b'\r\n' + message
        headers = dkim.arc_sign(message, b'arc', domain, read(pem), srv_id, timestamp=1704189600)
        if not headers:
            sys.exit('dkimpy made no ARC set for %s' % domain.decode())
        message = b''.join(headers) + message
    cv, _, reason = dkim.arc_verify(message, dnsfunc=dnsfunc)
    if cv != dkim.CV_Pass:
        sys.exit('dkimpy does not verify its own ARC chain: %s' % reason)
    write(out, message)


def main():
    # One "name record" line per key, for the tests' StaticResolver.
    write('keys.txt', b''.join(name.rstrip(b'.') + b' ' + record + b'\n' for name, record in DNS.items()))
    dkim_vector('dkimpy_rsa_relaxed.eml', b'rsa2048', read('test_rsa2048.pem'), b'rsa-sha256', (b'relaxed', b'relaxed'))
    dkim_vector('dkimpy_rsa_simple.eml', b'rsa2048', read('test_rsa2048.pem'), b'rsa-sha256', (b'simple', b'simple'))
    dkim_vector('dkimpy_ed25519.eml', b'ed', ED25519_SEED, b'ed25519-sha256', (b'relaxed', b'relaxed'))
    dkim_vector('dkimpy_rsa512.eml', b'rsa512', read('test_rsa512.pem'), b'rsa-sha256', (b'relaxed', b'relaxed'),
                minkey=512)
    dkim_vector('dkimpy_rsa_sha1.eml', b'rsa1024', read('test_rsa1024.pem'), b'rsa-sha1', (b'relaxed', b'relaxed'))
    arc_chain('dkimpy_arc3.eml')


if __name__ == '__main__':
    main()
