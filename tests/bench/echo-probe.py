#!/usr/bin/python3
"""Echo requests to HOST every INTERVAL ms until the first echo reply; prints "ready" once
the socket is open, then the reply's kernel receive time (wall clock, seconds) and exits.

Why not `ping -i`: iputils ping waits 10 ms before its next request whenever an ICMP error
is pending on its socket, and before the tunnel is up the lab's gateway answers every
request with "Packet filtered", so a start measured with ping has a 10 ms grain.  A raw
socket never sees those errors as send failures, so the cadence holds.

Usage (inside the client namespace): echo-probe.py HOST [INTERVAL_MS]"""

import os
import select
import socket
import struct
import sys
import time

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def request(ident, seq):
    payload = b"sslvpn-bench-probe".ljust(56, b".")
    head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, checksum(head + payload), ident, seq) + payload


def is_our_reply(data, ident):
    if len(data) < 20:
        return False
    ihl = (data[0] & 0x0F) * 4
    if len(data) < ihl + 8:
        return False
    icmp_type, _, _, rid, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
    return icmp_type == 0 and rid == ident


def main():
    host = sys.argv[1]
    interval = (float(sys.argv[2]) if len(sys.argv) > 2 else 1.0) / 1000.0
    addr = socket.gethostbyname(host)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    ident = os.getpid() & 0xFFFF
    seq = 0
    print("ready", flush=True)
    due = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= due:
            seq = (seq + 1) & 0xFFFF
            try:
                s.sendto(request(ident, seq), (addr, 0))
            except OSError:
                pass  # no route yet: the next tick tries again
            due = max(due + interval, now)
        if not select.select([s], [], [], max(0.0, due - time.monotonic()))[0]:
            continue
        data, anc, _, src = s.recvmsg(2048, 64)
        if src[0] != addr or not is_our_reply(data, ident):
            continue
        t = time.time()
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                sec, nsec = struct.unpack("qq", value[:16])
                t = sec + nsec / 1e9
        print("%.6f" % t, flush=True)
        return 0


if __name__ == "__main__":
    sys.exit(main())
