#!/bin/sh
# Regenerates the ocserv-*.txt captures in this directory: raw bytes of real ocserv answers
# (Debian's ocserv 1.1.6), for the HTTP parser's unit tests and fuzz seeds.  Needs root; runs
# ocserv on 127.0.0.1 inside a private network namespace and removes everything afterwards.
# The certificate, password and cookies are throwaway values of that run.
set -eu
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/httpcap.XXXXXX)
ns=httpcap-$$
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	[ -n "${KEEP:-}" ] && cat "$work/ocserv.log" >&2
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link set lo up

cd "$work"
mkdir -p chroot
# The committed test certificate: the webvpnc cookie's sh: then matches pins.txt.
cp "$out/server-ecdsa.pem" server-cert.pem
cp "$out/server-ecdsa-key.pem" server-key.pem
printf 'test\ntest\n' | ocpasswd -c passwd alice
printf '<?xml version="1.0" encoding="UTF-8"?>\n<AnyConnectProfile><ServerList/></AnyConnectProfile>\n' \
	> chroot/profile.xml
cat > ocserv.conf <<CONF
auth = "plain[passwd=$work/passwd]"
listen-host = 127.0.0.1
tcp-port = 4443
udp-port = 4443
run-as-user = nobody
run-as-group = nogroup
chroot-dir = $work/chroot
socket-file = ocserv.sock
occtl-socket-file = $work/occtl.sock
pid-file = $work/ocserv.pid
server-cert = $work/server-cert.pem
server-key = $work/server-key.pem
isolate-workers = false
max-clients = 4
max-same-clients = 0
rate-limit-ms = 0
max-ban-score = 0
min-reauth-time = 0
keepalive = 32400
dpd = 90
mobile-dpd = 1800
try-mtu-discovery = false
cookie-timeout = 300
auth-timeout = 240
device = vpns
ipv4-network = 198.51.100.0/24
dns = 198.51.100.1
route = 203.0.113.0/255.255.255.0
route = 10.0.0.0/255.0.0.0
default-domain = example.com
cisco-client-compat = true
dtls-legacy = true
user-profile = profile.xml
tls-priorities = "NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0"
CONF
ip netns exec "$ns" ocserv -f -c "$work/ocserv.conf" >ocserv.log 2>&1 &
pid=$!
sleep 1.5
ip netns exec "$ns" /usr/bin/python3 - "$out" <<'PY'
import socket, ssl, sys, time

out = sys.argv[1]
UA = "AnyConnect Linux_64 4.10.07061"
INIT = ('<?xml version="1.0" encoding="UTF-8"?>\n<config-auth client="vpn" type="init" '
        'aggregate-auth-version="2"><version who="vpn">4.10.07061</version>'
        '<device-id>linux-64</device-id><group-access>https://vpn.example.com:4443/'
        '</group-access></config-auth>')

def reply(field, value):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<config-auth client="vpn" type="auth-reply" '
            'aggregate-auth-version="2"><version who="vpn">4.10.07061</version>'
            '<device-id>linux-64</device-id><auth><%s>%s</%s></auth></config-auth>'
            % (field, value, field))

def conn():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", 4443)),
                        server_hostname="vpn.example.com")
    return s

def request(s, method, path, cookie=None, body=None, extra=()):
    h = ["%s %s HTTP/1.1" % (method, path), "Host: vpn.example.com:4443", "User-Agent: " + UA]
    if cookie:
        h.append("Cookie: " + cookie)
    h += ["Accept: */*", "Accept-Encoding: identity", "X-Transcend-Version: 1",
          "X-Aggregate-Auth: 1"]
    h += list(extra)
    data = b""
    if body is not None:
        data = body.encode()
        h += ["Content-Type: application/xml; charset=utf-8", "Content-Length: %d" % len(data)]
    s.sendall(("\r\n".join(h) + "\r\n\r\n").encode() + data)

def read(s, quiet=1.0):
    s.settimeout(quiet)
    buf = b""
    while True:
        try:
            d = s.recv(65536)
        except (socket.timeout, TimeoutError):
            break
        except ssl.SSLError:
            break
        if not d:
            break
        buf += d
    return buf

def cookies(resp):
    jar = {}
    for line in resp.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"set-cookie":
            nv = value.strip().split(b";")[0]
            k, _, v = nv.partition(b"=")
            if v:
                jar[k.decode()] = v.decode()
            else:
                jar.pop(k.decode(), None)
    return jar

def save(name, data):
    with open("%s/%s" % (out, name), "wb") as f:
        f.write(data)
    print(name, len(data))

def fmt(jar):
    return "; ".join("%s=%s" % kv for kv in jar.items())

# Wrong password: 401, connection closed.
s = conn()
request(s, "POST", "/", body=INIT)
init = read(s)
save("ocserv-init.txt", init)
jar = cookies(init)
request(s, "POST", "/auth", fmt(jar), reply("username", "alice"))
step = read(s)
save("ocserv-password-form.txt", step)
jar.update(cookies(step))
request(s, "POST", "/auth", fmt(jar), reply("password", "wrong"))
save("ocserv-wrong-password.txt", read(s))
s.close()

# Right password.
s = conn()
request(s, "POST", "/", body=INIT)
jar = cookies(read(s))
request(s, "POST", "/auth", fmt(jar), reply("username", "alice"))
jar.update(cookies(read(s)))
request(s, "POST", "/auth", fmt(jar), reply("password", "test"))
ok = read(s)
save("ocserv-success.txt", ok)
jar.update(cookies(ok))
s.close()

s = conn()
request(s, "GET", "/profiles%2Fprofile.xml", "webvpn=" + jar["webvpn"])
save("ocserv-profile.txt", read(s))
request(s, "GET", "/no-such-thing", "webvpn=" + jar["webvpn"])
save("ocserv-404.txt", read(s))
s.close()

s = conn()
request(s, "CONNECT", "/CSCOSSLC/tunnel", "webvpn=" + "A" * 43 + "=", extra=["X-CSTP-Version: 1"])
save("ocserv-connect-401.txt", read(s))
s.close()

s = conn()
request(s, "CONNECT", "/CSCOSSLC/tunnel", "webvpn=" + jar["webvpn"], extra=[
    "X-CSTP-Version: 1", "X-CSTP-Hostname: laptop1",
    "X-CSTP-Protocol: Copyright (c) 2004 Cisco Systems, Inc.",
    "X-CSTP-Base-MTU: 1500", "X-CSTP-MTU: 1390", "X-CSTP-Address-Type: IPv6,IPv4",
    "X-CSTP-Full-IPv6-Capability: true",
    "X-DTLS-Master-Secret: " + "ab" * 48,
    "X-DTLS-CipherSuite: PSK-NEGOTIATE:OC-DTLS1_2-AES256-GCM:AES256-SHA",
    "X-DTLS12-CipherSuite: ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384"])
head = read(s, 1.0)
# A DPD request makes the gateway answer with a CSTP frame right behind the headers.
s.sendall(b"STF\x01\x00\x00\x03\x00")
save("ocserv-connect.txt", head + read(s, 1.0))
s.sendall(b"STF\x01\x00\x00\x05\x00")  # DISCONNECT... type 5
s.close()
PY
