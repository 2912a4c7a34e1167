"""Test PKI with the openssl CLI, and a small HTTPS server (MTA-STS policies).

    ca = make_ca(tmp_path)                                      # (ca_cert, ca_key)
    cert, key = make_cert(tmp_path, ca, ["mx1.example.test"])   # signed by the CA, serverAuth
    web = HttpsServer("127.0.0.1", 0, *make_cert(tmp_path, ca, ["mta-sts.example.test"]),
                      {"/.well-known/mta-sts.txt": ("text/plain", policy)}).start()
    ... web.port, web.requests ...
    web.stop()

Certificates are valid from an hour ago (make_cert's not_before/not_after choose other dates,
e.g. an expired one). tlsa_data(cert) gives the data of a TLSA record (DANE).
"""
import datetime
import hashlib
import http.server
import ipaddress
import pathlib
import re
import shutil
import ssl
import subprocess
import tempfile
import threading

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def _run(*args, input=None):
    r = subprocess.run([OPENSSL, *map(str, args)], capture_output=True, input=input, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(map(str, args))} failed ({r.returncode}):\n"
                           f"{r.stderr.decode(errors='replace')}{r.stdout.decode(errors='replace')}")
    return r.stdout


def _stem(text):
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text.replace("*", "wildcard")).strip("_") or "cert"


def make_key(path, key_type="ec"):
    """A private key (PKCS#8 PEM): "ec" (P-256) or "rsa" (2048 bits)."""
    if key_type == "ec":
        _run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path)
    elif key_type == "rsa":
        _run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path)
    else:
        raise ValueError(f"key_type {key_type!r}: expected 'ec' or 'rsa'")
    return pathlib.Path(path)


def _asn1_time(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%SZ")


def _sign(dir, csr, out, extensions, ca_cert, ca_key, not_before, not_after):
    """Issues `csr` with `openssl ca` (which, unlike `x509 -req`, takes both dates); ca_cert None:
    self-signed with ca_key (the CSR's key)."""
    with tempfile.TemporaryDirectory(dir=dir, prefix=".ca-") as db:
        db = pathlib.Path(db)
        (db / "index.txt").write_text("")
        cnf = db / "ca.cnf"
        ext = "\n".join(f"{k} = {v}" for k, v in extensions.items())
        cnf.write_text(f"""[ca]
default_ca = test_ca
[test_ca]
database = {db}/index.txt
new_certs_dir = {db}
rand_serial = yes
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[any]
commonName = supplied
[ext]
{ext}
""")
        args = ["ca", "-batch", "-config", cnf, "-in", csr, "-out", out, "-notext", "-extensions", "ext",
                "-startdate", _asn1_time(not_before), "-enddate", _asn1_time(not_after), "-preserveDN"]
        if ca_cert is None:
            args += ["-selfsign", "-keyfile", ca_key]
        else:
            args += ["-cert", ca_cert, "-keyfile", ca_key]
        _run(*args)


def _dates(not_before, not_after, days):
    now = datetime.datetime.now(datetime.timezone.utc)
    nb = not_before or now - datetime.timedelta(hours=1)
    na = not_after or now + datetime.timedelta(days=days)
    return nb, na


def make_ca(dir, name="Atrium Interop Test CA", key_type="ec", days=3650):
    """A self-signed CA certificate and its key in `dir`: (ca_cert_path, ca_key_path)."""
    dir = pathlib.Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    stem = _stem(name)
    key = make_key(dir / f"{stem}.key", key_type)
    csr = dir / f"{stem}.csr"
    cert = dir / f"{stem}.pem"
    _run("req", "-new", "-key", key, "-subj", f"/CN={name}", "-out", csr)
    nb, na = _dates(None, None, days)
    _sign(dir, csr, cert, {"basicConstraints": "critical, CA:TRUE", "keyUsage": "critical, keyCertSign, cRLSign",
                           "subjectKeyIdentifier": "hash"}, None, key, nb, na)
    csr.unlink()
    return cert, key


def make_cert(dir, ca, names, key_type="ec", days=90, not_before=None, not_after=None, client=False, chain=False,
              stem=None):
    """A certificate for DNS names (and IP addresses) `names`, signed by `ca` ((cert, key) as
    make_ca returns; None: self-signed), SHA-256, extendedKeyUsage serverAuth (and clientAuth if
    `client`), valid from an hour ago for `days` unless not_before/not_after (datetimes) say
    otherwise. `chain`: the CA certificate follows in the cert file. Returns (cert_path, key_path)."""
    if isinstance(names, str):
        names = [names]
    if not names:
        raise ValueError("make_cert needs at least one name")
    dir = pathlib.Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    stem = stem or _stem(names[0])
    key = make_key(dir / f"{stem}.key", key_type)
    csr = dir / f"{stem}.csr"
    cert = dir / f"{stem}.pem"
    _run("req", "-new", "-key", key, "-subj", f"/CN={names[0]}", "-out", csr)
    sans = []
    for n in names:
        try:
            sans.append(f"IP:{ipaddress.ip_address(n)}")
        except ValueError:
            sans.append(f"DNS:{n}")
    ext = {"basicConstraints": "critical, CA:FALSE",
           "keyUsage": "critical, digitalSignature" + (", keyEncipherment" if key_type == "rsa" else ""),
           "extendedKeyUsage": "serverAuth" + (", clientAuth" if client else ""),
           "subjectAltName": ", ".join(sans),
           "subjectKeyIdentifier": "hash"}
    if ca is not None:
        ext["authorityKeyIdentifier"] = "keyid"
    nb, na = _dates(not_before, not_after, days)
    _sign(dir, csr, cert, ext, ca[0] if ca else None, ca[1] if ca else key, nb, na)
    csr.unlink()
    if chain and ca is not None:
        cert.write_bytes(cert.read_bytes() + pathlib.Path(ca[0]).read_bytes())
    return cert, key


def cert_der(cert):
    """The DER of the first certificate in a PEM file."""
    return ssl.PEM_cert_to_DER_cert(pathlib.Path(cert).read_text())


def spki_der(cert):
    """The DER SubjectPublicKeyInfo of a certificate."""
    pub = _run("x509", "-in", cert, "-noout", "-pubkey")
    return _run("pkey", "-pubin", "-outform", "DER", input=pub)


def tlsa_data(cert, usage=3, selector=1, mtype=1):
    """The data of a TLSA record for `cert`, e.g. "3 1 1 <sha256 of the SPKI>" (DANE-EE)."""
    der = spki_der(cert) if selector == 1 else cert_der(cert)
    digest = {0: lambda d: d, 1: lambda d: hashlib.sha256(d).digest(), 2: lambda d: hashlib.sha512(d).digest()}[mtype]
    return f"{usage} {selector} {mtype} {digest(der).hex()}"


class HttpsServer:
    """GET over TLS from a dict: files = {path: (content_type, body)} or
    {path: (status, content_type, body)}; other paths answer 404. `files` may be changed while
    the server runs. Counts requests (.requests) and logs (path, Host header) in .request_log."""

    def __init__(self, address, port, cert, key, files=None):
        self.host = address
        self.port = port
        self.files = dict(files or {})
        self.requests = 0
        self.request_log = []
        self.tls_errors = []
        self.ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ssl_context.load_cert_chain(str(cert), str(key))
        self._httpd = None
        self._thread = None

    def start(self):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                with lock:
                    owner.requests += 1
                    owner.request_log.append((self.path, self.headers.get("Host")))
                entry = owner.files.get(path)
                if entry is None:
                    status, ctype, body = 404, "text/plain", b"not found\n"
                elif len(entry) == 3:
                    status, ctype, body = entry
                else:
                    status, (ctype, body) = 200, entry
                if isinstance(body, str):
                    body = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address):
                request.settimeout(30)
                try:
                    tls = owner.ssl_context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError) as e:
                    owner.tls_errors.append(str(e))
                    return
                try:
                    super().finish_request(tls, client_address)
                finally:
                    try:
                        tls.close()
                    except OSError:
                        pass

            def handle_error(self, request, client_address):
                pass

        lock = threading.Lock()
        try:
            self._httpd = Server((self.host, self.port), Handler)
        except OSError as e:
            raise RuntimeError(f"HttpsServer cannot listen on {self.host}:{self.port}: {e}") from e
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"https-{self.port}", daemon=True)
        self._thread.start()
        return self

    def url(self, path="/", host=None):
        return f"https://{host or self.host}:{self.port}{path}"

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
