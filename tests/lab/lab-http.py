#!/usr/bin/python3
"""Raw HTTPS probe for the lab's ocserv, run inside the client namespace.

Speaks just enough of the aggregate-auth protocol
(docs/protocol.md "Phases 2 and 3: the aggregate-auth login") to log in the way openconnect
does, and keeps every response byte for byte, so we can record what ocserv 1.1.6
really sends and check what it does to a profile download.

  lab-http.py login --ca CA [--group G] [--switch-group G2] [--user U] [--password P]...
                    [--otp CODE]... [--ua UA] [--save DIR] HOST
      prints shell lines: STATUS=..., COOKIE_webvpn=..., ROUNDS=...; exits 1 unless the login
      succeeded. STATUS=failed: the last answer was a "Login failed." form (wrong password,
      retries left); STATUS=more: the server wants another answer; STATUS=401: refused.
      --save keeps every request body and raw response as DIR/NN-name.*
  lab-http.py connect --ca CA --cookie 'webvpn=...' [--no-dtls] [--save FILE] HOST
      sends openconnect's CONNECT, saves the response head byte for byte, hangs up
  lab-http.py get --ca CA --cookie 'webvpn=...' [--timeout S] [--out F] [--save F] HOST PATH
      prints STATUS=, the headers (one per line, '# ' prefixed), BODY_LEN= and END= (how the
      response ended: eof = connection closed before Content-Length bytes arrived, timeout,
      ok+open = complete and the connection stays open, ok+eof = complete, then closed);
      --out writes the body, --save the raw response.

Uses only the Python standard library (Debian's /usr/bin/python3).
"""

import argparse
import os
import socket
import ssl
import sys

DEFAULT_UA = "Open AnyConnect VPN Agent v9.01-3"
VERSION = "v9.01-3"


def connect(host, ca, timeout):
    ctx = ssl.create_default_context(cafile=ca)
    raw = socket.create_connection((host, 443), timeout=timeout)
    return ctx.wrap_socket(raw, server_hostname=host)


class Response:
    def __init__(self):
        self.raw = b""
        self.status = None
        self.reason = ""
        self.headers = []
        self.body = b""
        self.end = "ok"

    def header(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]


def read_response(sock):
    """Reads one response; body delimited by Content-Length (ocserv always sends one)."""
    r = Response()
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                r.end = "eof"
                r.raw = buf
                return r
            buf += chunk
    except socket.timeout:
        r.end = "timeout"
        r.raw = buf
        return r
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    r.status = int(parts[1])
    r.reason = parts[2] if len(parts) > 2 else ""
    for line in lines[1:]:
        k, _, v = line.partition(":")
        r.headers.append((k.strip(), v.strip()))
    length = r.header("Content-Length")
    want = int(length[0]) if length else None
    body = rest
    try:
        while want is None or len(body) < want:
            chunk = sock.recv(65536)
            if not chunk:
                r.end = "eof"
                break
            body += chunk
    except socket.timeout:
        r.end = "timeout"
    r.body = body
    r.raw = head + b"\r\n\r\n" + body
    return r


def request(sock, method, host, path, cookies, ua, body=None, extra=()):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"User-Agent: {ua}"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    lines += ["Accept: */*", "Accept-Encoding: identity", "X-Transcend-Version: 1"]
    if body is not None:
        lines += ["X-Aggregate-Auth: 1", "Content-Type: application/xml; charset=utf-8",
                  f"Content-Length: {len(body)}"]
    lines += list(extra)
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
    sock.sendall(data)


def update_cookies(cookies, resp):
    for v in resp.header("Set-Cookie"):
        nv = v.split(";", 1)[0]
        name, _, value = nv.partition("=")
        if value:
            cookies[name] = value
        else:
            cookies.pop(name, None)


def xml_escape(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def init_doc(host, group):
    gs = f"<group-select>{xml_escape(group)}</group-select>" if group else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<config-auth client="vpn" type="init" '
            f'aggregate-auth-version="2"><version who="vpn">{VERSION}</version>'
            f"<device-id>linux-64</device-id><group-access>https://{host}/</group-access>"
            f"{gs}</config-auth>").encode()


def reply_doc(fields, group):
    inner = "".join(f"<{k}>{xml_escape(v)}</{k}>" for k, v in fields)
    gs = f"<group-select>{xml_escape(group)}</group-select>" if group else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<config-auth client="vpn" '
            f'type="auth-reply" aggregate-auth-version="2"><version who="vpn">{VERSION}'
            f"</version><device-id>linux-64</device-id><auth>{inner}</auth>{gs}"
            f"</config-auth>").encode()


class Session:
    def __init__(self, args):
        self.args = args
        self.cookies = {}
        self.sock = None
        self.n = 0

    def post(self, path, body, name):
        for attempt in (0, 1):
            if self.sock is None:
                self.sock = connect(self.args.host, self.args.ca, self.args.timeout)
            request(self.sock, "POST", self.args.host, path, self.cookies, self.args.ua, body)
            resp = read_response(self.sock)
            if resp.status is not None or attempt:
                break
            self.sock.close()  # server closed a kept-alive connection: retry once
            self.sock = None
        update_cookies(self.cookies, resp)
        self.n += 1
        if self.args.save:
            base = os.path.join(self.args.save, f"{self.n:02d}-{name}")
            with open(base + ".request.xml", "wb") as f:
                f.write(body)
            with open(base + ".response", "wb") as f:
                f.write(resp.raw)
        if resp.header("Connection") and resp.header("Connection")[0].lower() == "close":
            self.sock.close()
            self.sock = None
        return resp


def field_names(body):
    """Names of the input elements of an ocserv form (ocserv's forms are regular)."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)
    return [i.get("name") for i in root.iter("input")], root


def cmd_login(args):
    s = Session(args)
    group = args.group
    resp = s.post("/", init_doc(args.host, None), "init")
    if args.switch_group:
        group = args.switch_group
        resp = s.post("/", init_doc(args.host, group), "init-group-" + group)
    # Answers in the order the forms ask for them: the user name, each --password in turn
    # (a wrong one gets "Login failed." and another password form), then each --otp.
    secrets = [("username", args.user)]
    secrets += [("password", p) for p in (args.password or ["alice-pass"])]
    secrets += [("password", o) for o in (args.otp or [])]
    rounds = 0
    status = None
    while resp.status == 200 and rounds < 8:
        names, root = field_names(resp.body)
        auth = root.find("auth")
        if auth is not None and auth.get("id") == "success":
            break
        if not secrets:
            msg = auth.findtext("message") if auth is not None else ""
            status = "failed" if msg.startswith("Login failed") else "more"
            print(f"MESSAGE='{msg}'")
            break
        fields = []
        for name in names:
            want, value = secrets.pop(0) if secrets else (name, "")
            if want != name and not (want == "password" and name.endswith("password")):
                sys.exit(f"lab-http.py: expected a {want} field, got {name}")
            fields.append((name, value))
        rounds += 1
        resp = s.post("/auth", reply_doc(fields, group), f"reply-{rounds}")
    print(f"STATUS={status or resp.status}")
    print(f"ROUNDS={rounds}")
    print(f"END={resp.end}")
    for k, v in s.cookies.items():
        print(f"COOKIE_{k}='{v}'")
    if status or resp.status != 200:
        sys.exit(1)


def cmd_get(args):
    sock = connect(args.host, args.ca, args.timeout)
    cookies = dict(c.split("=", 1) for c in args.cookie) if args.cookie else {}
    request(sock, "GET", args.host, args.path, cookies, args.ua)
    resp = read_response(sock)
    if resp.end == "ok":
        # Does the server close, or keep the connection for the next request?
        try:
            sock.settimeout(0.5)
            extra = sock.recv(1)
            resp.end = "ok+eof" if extra == b"" else "ok+data"
        except socket.timeout:
            resp.end = "ok+open"
        except (ssl.SSLError, OSError):
            resp.end = "ok+reset"
    print(f"STATUS={resp.status}")
    print(f"REASON='{resp.reason}'")
    for k, v in resp.headers:
        print(f"# {k}: {v}")
    print(f"BODY_LEN={len(resp.body)}")
    print(f"END={resp.end}")
    if args.out:
        with open(args.out, "wb") as f:
            f.write(resp.body)
    if args.save:
        with open(args.save, "wb") as f:
            f.write(resp.raw)


def cmd_connect(args):
    sock = connect(args.host, args.ca, args.timeout)
    cookies = dict(c.split("=", 1) for c in args.cookie) if args.cookie else {}
    extra = ["X-CSTP-Version: 1", "X-CSTP-Hostname: lab-client",
             "X-CSTP-Accept-Encoding: oc-lz4,lzs", "X-CSTP-Base-MTU: 1500", "X-CSTP-MTU: 1390",
             "X-CSTP-Address-Type: IPv6,IPv4", "X-CSTP-Full-IPv6-Capability: true"]
    if not args.no_dtls:
        extra += ["X-DTLS-Master-Secret: " + os.urandom(48).hex().upper(),
                  "X-DTLS-CipherSuite: PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:"
                  "OC-DTLS1_2-AES128-GCM:AES256-SHA:AES128-SHA",
                  "X-DTLS12-CipherSuite: ECDHE-RSA-AES256-GCM-SHA384:"
                  "ECDHE-RSA-AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-GCM-SHA256",
                  "X-DTLS-Accept-Encoding: oc-lz4,lzs"]
    lines = [f"CONNECT /CSCOSSLC/tunnel HTTP/1.1", f"Host: {args.host}",
             f"User-Agent: {args.ua}"]
    lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    sock.sendall(("\r\n".join(lines + extra) + "\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    head = buf.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    if args.save:
        with open(args.save, "wb") as f:
            f.write(head)
    print("STATUS=" + head.split(b" ", 2)[1].decode() if b" " in head else "STATUS=none")
    sock.close()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("login", "get", "connect"):
        sp = sub.add_parser(name)
        sp.add_argument("--ca", required=True)
        sp.add_argument("--ua", default=DEFAULT_UA)
        sp.add_argument("--timeout", type=float, default=5.0)
        sp.add_argument("host")
    lp = sub.choices["login"]
    lp.add_argument("--group")
    lp.add_argument("--switch-group")
    lp.add_argument("--user", default="alice")
    lp.add_argument("--password", action="append")
    lp.add_argument("--otp", action="append")
    lp.add_argument("--save")
    gp = sub.choices["get"]
    gp.add_argument("--cookie", action="append")
    gp.add_argument("--out")
    gp.add_argument("--save")
    gp.add_argument("path")
    cp = sub.choices["connect"]
    cp.add_argument("--cookie", action="append")
    cp.add_argument("--no-dtls", action="store_true")
    cp.add_argument("--save")
    args = p.parse_args()
    {"login": cmd_login, "get": cmd_get, "connect": cmd_connect}[args.cmd](args)


if __name__ == "__main__":
    main()
