#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for sslvpn-worker in the helper's integration tests (SSLVPN_WORKER=this file).

It speaks the helper<->worker protocol of core/tunnel/worker-msg.h on fd 3 (it holds the tun device
as fd 4 and never touches it) and plays a scenario chosen by the prefix of the cookie it gets
in WMSG_START, so that the tests can drive the helper through configuration, re-login,
crashes and hostile messages without a gateway.  It never prints the cookie.

  tunnel-...     full tunnel, IPv4 + IPv6, DNS and domains, banner, post-auth XML, stats,
                 then DTLS with a smaller MTU; stops on WMSG_STOP
  split-...      split tunnel (includes and excludes), IPv4 only, no DNS
  many-...       a large split tunnel: 2000 IPv4 and 200 IPv6 includes, 20 IPv4 excludes
  hang-...       says nothing; stops on WMSG_STOP
  reject-...     WMSG_COOKIE_REJECTED; waits for WMSG_SET_COOKIE and then plays "tunnel"
  malformed-...  a configuration, then a malformed message
  capture-...    a configuration that routes the gateway's own address into the tunnel
  error-...      WMSG_ERROR ConnectFailed, exit 1
  ignore-stop-.. like tunnel, but ignores WMSG_STOP (the helper must kill it)
"""
import ipaddress
import os
import select
import socket
import struct
import sys
import time

WMSG = dict(START=1, STOP=2, SET_COOKIE=3, CONFIG=16, STATE=17, MTU=18, STATS=19, ERROR=20,
            COOKIE_REJECTED=21, POST_AUTH_XML=22)
ATTRS = ["HOST", "PORT", "ADDRESS", "PIN", "COOKIE", "NO_DTLS", "USER_AGENT", "REASON",
         "ADDR4", "PREFIX4", "ADDR6", "PREFIX6", "MTU", "DTLS_MTU", "BASE_MTU", "DNS4", "DNS6",
         "DOMAIN", "INCLUDE4", "EXCLUDE4", "INCLUDE6", "EXCLUDE6", "BANNER", "STATE",
         "TRANSPORT", "TX_BYTES", "RX_BYTES", "ERROR", "DETAIL", "BLOB", "DROPPED4", "DROPPED6"]
A = {name: i + 1 for i, name in enumerate(ATTRS)}
STATE_CONNECTED, STATE_RECONNECTING = 2, 3
TRANSPORT_TLS, TRANSPORT_DTLS = 1, 2
ERR_CONNECT = 6  # core/base/error.h: the sixth entry of ERROR_TABLE

sock = socket.socket(fileno=3)


def log(msg):
    sys.stderr.write("<6>fake-worker: %s\n" % msg)
    sys.stderr.flush()


def attr(a, value):
    if isinstance(value, str):
        value = value.encode() + b"\0"
    pad = (-len(value)) % 4
    return struct.pack("=HH", A[a], len(value)) + value + b"\0" * pad


def u32(a, v):
    return attr(a, struct.pack("=I", v))


def u64(a, v):
    return attr(a, struct.pack("=Q", v))


def send(mtype, *attrs):
    payload = b"".join(attrs)
    sock.send(struct.pack("=HHI", WMSG[mtype], 0, len(payload)) + payload)


def recv(timeout=None):
    r, _, _ = select.select([sock], [], [], timeout)
    if not r:
        return None, {}
    data, fds, _, _ = socket.recv_fds(sock, 300000, 4)
    if fds:
        sizes = [os.fstat(fd).st_size for fd in fds]
        log("received %d fds (regular files of %s bytes)" % (len(fds), sizes))
        for fd in fds:
            os.close(fd)
    if not data:
        log("helper closed the socket")
        sys.exit(0)
    mtype, _, length = struct.unpack_from("=HHI", data)
    attrs, off = {}, 8
    while off < len(data):
        a, alen = struct.unpack_from("=HH", data, off)
        attrs.setdefault(a, []).append(data[off + 4:off + 4 + alen])
        off += 4 + alen + ((-alen) % 4)
    return mtype, attrs


def route4(net):
    n = ipaddress.ip_network(net)
    return n.network_address.packed + bytes([n.prefixlen])


def route6(net):
    n = ipaddress.ip_network(net)
    return n.network_address.packed + bytes([n.prefixlen])


def config_full():
    return [
        attr("ADDR4", ipaddress.ip_address("198.51.100.7").packed), u32("PREFIX4", 24),
        attr("ADDR6", ipaddress.ip_address("2001:db8:100::7").packed), u32("PREFIX6", 64),
        u32("MTU", 1400), u32("DTLS_MTU", 1350), u32("BASE_MTU", 1500),
        attr("DNS4", ipaddress.ip_address("203.0.113.53").packed),
        attr("DNS6", ipaddress.ip_address("2001:db8:2::53").packed),
        attr("DOMAIN", "lab.test"), attr("DOMAIN", "corp.test"),
        attr("EXCLUDE4", route4("203.0.113.200/32")),
        attr("BANNER", "Welcome to the lab.\nAuthorised use only."),
    ]


def config_split():
    return [
        attr("ADDR4", ipaddress.ip_address("198.51.100.8").packed), u32("PREFIX4", 24),
        u32("MTU", 1400),
        attr("INCLUDE4", route4("10.10.0.0/16")), attr("INCLUDE4", route4("203.0.113.0/24")),
        attr("EXCLUDE4", route4("203.0.113.200/32")),
        attr("EXCLUDE4", route4("0.0.0.0/32")),
    ]


def config_many():
    cfg = [
        attr("ADDR4", ipaddress.ip_address("198.51.100.9").packed), u32("PREFIX4", 24),
        attr("ADDR6", ipaddress.ip_address("2001:db8:100::9").packed), u32("PREFIX6", 64),
        u32("MTU", 1400),
    ]
    cfg += [attr("INCLUDE4", route4("10.%d.%d.0/24" % (i // 256, i % 256))) for i in range(2000)]
    cfg += [attr("EXCLUDE4", route4("10.0.%d.128/25" % i)) for i in range(20)]
    cfg += [attr("INCLUDE6", route6("2001:db8:%x::/48" % (0x1000 + i))) for i in range(200)]
    return cfg


def wait_stop(ignore=False):
    while True:
        mtype, _ = recv()
        if mtype == WMSG["STOP"] and not ignore:
            log("stop")
            sys.exit(0)
        if mtype == WMSG["STOP"]:
            log("ignoring stop")


def tunnel(ignore_stop=False):
    send("CONFIG", *config_full())
    send("STATE", u32("STATE", STATE_CONNECTED), u32("TRANSPORT", TRANSPORT_TLS))
    send("POST_AUTH_XML", attr("BLOB", b"<config-auth><opaque>secret-ish</opaque></config-auth>"))
    send("STATS", u64("TX_BYTES", 1000), u64("RX_BYTES", 2000))
    time.sleep(0.3)
    send("MTU", u32("MTU", 1350))
    send("STATE", u32("STATE", STATE_CONNECTED), u32("TRANSPORT", TRANSPORT_DTLS))
    wait_stop(ignore_stop)


def main():
    log("started, euid %d" % os.geteuid())
    mtype, attrs = recv(10)
    if mtype != WMSG["START"]:
        log("no START")
        sys.exit(2)
    if A["COOKIE"] not in attrs:
        # A prepared connection: the cookie and the pin come with Connection.Start.
        if A["PIN"] in attrs:
            log("START with a pin but no cookie")
            sys.exit(2)
        log("prepared, waiting for the cookie")
        while True:
            mtype, attrs2 = recv()
            if mtype == WMSG["STOP"]:
                log("stop while prepared")
                sys.exit(0)
            if mtype == WMSG["SET_COOKIE"]:
                break
        if A["PIN"] not in attrs2:
            log("SET_COOKIE without a pin")
            sys.exit(2)
        log("started with pin %s" % attrs2[A["PIN"]][0].rstrip(b"\0").decode())
        attrs[A["COOKIE"]] = attrs2[A["COOKIE"]]
    cookie = attrs[A["COOKIE"]][0].rstrip(b"\0").decode()
    scenario = cookie.split("-", 1)[0]
    log("scenario %s, host %s" % (scenario, attrs[A["HOST"]][0].rstrip(b"\0").decode()))
    if scenario == "tunnel":
        tunnel()
    elif scenario == "ignore":
        tunnel(ignore_stop=True)
    elif scenario == "split":
        send("CONFIG", *config_split())
        send("STATE", u32("STATE", STATE_CONNECTED), u32("TRANSPORT", TRANSPORT_TLS))
        wait_stop()
    elif scenario == "many":
        send("CONFIG", *config_many())
        send("STATE", u32("STATE", STATE_CONNECTED), u32("TRANSPORT", TRANSPORT_TLS))
        wait_stop()
    elif scenario == "hang":
        wait_stop()
    elif scenario == "reject":
        send("COOKIE_REJECTED")
        while True:
            mtype, attrs = recv()
            if mtype == WMSG["SET_COOKIE"]:
                new = attrs[A["COOKIE"]][0].rstrip(b"\0").decode()
                log("got a new cookie for scenario %s" % new.split("-", 1)[0])
                if new.startswith("tunnel-"):
                    tunnel()
                send("COOKIE_REJECTED")
            elif mtype == WMSG["STOP"]:
                sys.exit(0)
    elif scenario == "malformed":
        send("CONFIG", *config_split())
        send("STATE", u32("STATE", STATE_CONNECTED), u32("TRANSPORT", TRANSPORT_TLS))
        time.sleep(0.3)
        sock.send(struct.pack("=HHI", WMSG["STATE"], 0, 8) + struct.pack("=HH", 999, 0) + b"\0" * 4)
        wait_stop()
    elif scenario == "capture":
        cfg = config_split() + [attr("INCLUDE4", route4("198.18.0.10/32"))]
        send("CONFIG", *cfg)
        wait_stop()
    elif scenario == "error":
        send("ERROR", u32("ERROR", ERR_CONNECT), attr("DETAIL", "connection refused (fake)"))
        sys.exit(1)
    else:
        log("unknown scenario")
        sys.exit(2)


if __name__ == "__main__":
    main()
