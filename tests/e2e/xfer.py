#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""TCP transfers whose every byte is checked: SHA-256 of a deterministic stream, both ways.

    xfer.py serve ADDRESS PORT              (until killed; one thread per connection)
    xfer.py up|down HOST PORT BYTES SEED    (exit 0 when the digests match)
    xfer.py udp-echo ADDRESS PORT           (until killed)
    xfer.py udp HOST PORT COUNT SIZE        (exit 0 when every datagram came back intact)

`up`: the client sends BYTES of the stream SEED, the server answers with the SHA-256 of what it
received.  `down`: the server sends them, the client hashes what arrives.  Either side compares
against the digest of the stream it generates itself, so a corrupted, lost, duplicated or
reordered byte fails the transfer; a wrong TCP checksum stalls it (the kernel drops the
segment, the retransmission would be broken the same way) and the timeout fails it.

`udp`: COUNT datagrams of SIZE bytes leave in one sendmsg() with UDP_SEGMENT (one UDP GSO
super-packet: what a tun device with USO hands over whole); the server echoes each; every
datagram must come back exactly once with its bytes (a lost one is sent again, twice at most,
since UDP may lose a packet for reasons of its own).
"""
import hashlib
import random
import socket
import struct
import sys
import threading
import time

CHUNK = 1 << 16
TIMEOUT = 30


def stream(size, seed):
    """The bytes of stream `seed` in chunks (random.Random: fast and the same everywhere)."""
    rng = random.Random(seed)
    left = size
    while left:
        n = min(CHUNK, left)
        yield rng.randbytes(n)
        left -= n


def digest(size, seed):
    h = hashlib.sha256()
    for chunk in stream(size, seed):
        h.update(chunk)
    return h.hexdigest()


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        b = sock.recv(n - len(buf))
        if not b:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += b
    return buf


def recv_hash(sock, size):
    h = hashlib.sha256()
    left = size
    while left:
        b = sock.recv(min(CHUNK, left))
        if not b:
            raise EOFError("connection closed with %d bytes missing" % left)
        h.update(b)
        left -= len(b)
    return h.hexdigest()


def serve_one(conn):
    with conn:
        conn.settimeout(TIMEOUT)
        op, size, seed = struct.unpack("!cQQ", recv_exact(conn, 17))
        if op == b"U":
            conn.sendall(recv_hash(conn, size).encode())
        elif op == b"D":
            for chunk in stream(size, seed):
                conn.sendall(chunk)
            recv_exact(conn, 2)  # "ok": the client has everything before we close


def serve(address, port):
    fam = socket.AF_INET6 if ":" in address else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(8)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve_one, args=(conn,), daemon=True).start()


def client(op, host, port, size, seed):
    want = digest(size, seed)
    t0 = time.monotonic()
    with socket.create_connection((host, port), timeout=TIMEOUT) as s:
        s.sendall(struct.pack("!cQQ", op[0].upper().encode(), size, seed))
        if op == "up":
            for chunk in stream(size, seed):
                s.sendall(chunk)
            got = recv_exact(s, 64).decode()
        else:
            got = recv_hash(s, size)
            s.sendall(b"ok")
    dt = time.monotonic() - t0
    if got != want:
        print("FAIL %s %s: sha256 %s, want %s" % (op, host, got, want))
        return 1
    print("%s %s: %d bytes in %.2f s, sha256 %s...: ok" % (op, host, size, dt, want[:16]))
    return 0


UDP_SEGMENT = 103


def udp_echo(address, port):
    fam = socket.AF_INET6 if ":" in address else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((address, port))
    while True:
        data, peer = s.recvfrom(65535)
        s.sendto(data, peer)


def udp_client(host, port, count, size):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    want = {i: struct.pack("!I", i) + random.Random(i).randbytes(size - 4) for i in range(count)}
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.connect((host, port))
        s.settimeout(0.5)
        for attempt in range(3):
            missing = sorted(want)
            s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, size)
            s.send(b"".join(want[i] for i in missing))
            deadline = time.monotonic() + 2
            while want and time.monotonic() < deadline:
                try:
                    data = s.recv(65535)
                except socket.timeout:
                    continue
                i = struct.unpack("!I", data[:4])[0] if len(data) >= 4 else -1
                if i in want:
                    if data != want[i]:
                        print("FAIL udp %s: datagram %d came back changed" % (host, i))
                        return 1
                    del want[i]
            if not want:
                break
    if want:
        print("FAIL udp %s: %d of %d datagrams never came back" % (host, len(want), count))
        return 1
    print("udp %s: %d x %d bytes in one UDP GSO send: ok" % (host, count, size))
    return 0


def main():
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
        return 0
    if sys.argv[1] == "udp-echo":
        udp_echo(sys.argv[2], int(sys.argv[3]))
        return 0
    if sys.argv[1] == "udp":
        return udp_client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    try:
        return client(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                      int(sys.argv[5]))
    except (OSError, EOFError) as e:
        print("FAIL %s %s: %s" % (sys.argv[1], sys.argv[2], e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
