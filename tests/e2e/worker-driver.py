#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Plays sslvpn-helper for one sslvpn-worker, inside the lab's client namespace.

    ip netns exec CLIENT_NS worker-driver.py SCENARIO  (environment: see main())

It creates a tun device, a SOCK_SEQPACKET socketpair, forks and execs the worker as an
unprivileged user (fd 3 = socket, fd 4 = tun, groups cleared, NO_NEW_PRIVS), speaks the
core/tunnel/worker-msg.h protocol (numbers read from the header, so they cannot drift), applies the
configuration the worker reports with `ip` (test code may), and checks what the scenario
expects.  Exit status 0 = the scenario passed; the reason for a failure is on stderr.
"""
import ctypes
import fcntl
import ipaddress
import json
import os
import pwd
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time

SRC = os.environ["SRCDIR"]
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
PR_SET_NO_NEW_PRIVS = 38


def load_enums():
    msg_h = open(os.path.join(SRC, "core/tunnel/worker-msg.h")).read()
    types = {m[0]: int(m[1]) for m in re.findall(r"\b(WMSG_[A-Z_]+)\s*=\s*(\d+)", msg_h)}
    body = re.search(r"enum worker_attr \{(.*?)\};", msg_h, re.S).group(1)
    attrs, n = {}, 0
    for name, val in re.findall(r"\b(WATTR_[A-Z0-9_]+)\s*(?:=\s*(\d+))?", body):
        n = int(val) if val else n + 1
        attrs[name] = n
    err_h = open(os.path.join(SRC, "core/base/error.h")).read()
    names = re.findall(r"X\((ERR_[A-Z_]+),\s*\"(\w+)\"", err_h)
    errors = {code: i + 1 for i, (code, _) in enumerate(names)}
    return types, attrs, errors


T, A, E = load_enums()
TNAME = {v: k for k, v in T.items()}
ANAME = {v: k for k, v in A.items()}
ENAME = {v: k for k, v in E.items()}
FIXED = {"WATTR_ADDR4": 4, "WATTR_ADDR6": 16, "WATTR_DNS4": 4, "WATTR_DNS6": 16,
         "WATTR_INCLUDE4": 5, "WATTR_EXCLUDE4": 5, "WATTR_INCLUDE6": 17, "WATTR_EXCLUDE6": 17}
U32 = {"WATTR_PORT", "WATTR_NO_DTLS", "WATTR_REASON", "WATTR_PREFIX4", "WATTR_PREFIX6",
       "WATTR_MTU", "WATTR_DTLS_MTU", "WATTR_BASE_MTU", "WATTR_STATE", "WATTR_TRANSPORT",
       "WATTR_ERROR"}
U64 = {"WATTR_TX_BYTES", "WATTR_RX_BYTES"}
STR = {"WATTR_HOST", "WATTR_ADDRESS", "WATTR_PIN", "WATTR_COOKIE", "WATTR_USER_AGENT",
       "WATTR_DOMAIN", "WATTR_BANNER", "WATTR_DETAIL"}


def log(*a):
    print("#", *a, file=sys.stderr, flush=True)


def fail(msg):
    print("FAIL:", msg, file=sys.stderr, flush=True)
    sys.exit(1)


def encode(mtype, attrs):
    body = b""
    for name, value in attrs:
        if name in U32:
            v = struct.pack("=I", value)
        elif name in U64:
            v = struct.pack("=Q", value)
        elif name in STR:
            v = value.encode() + b"\0"
        else:
            v = value
        body += struct.pack("=HH", A[name], len(v)) + v + b"\0" * (-len(v) % 4)
    return struct.pack("=HHI", T[mtype], 0, len(body)) + body


def decode(data):
    mtype, reserved, plen = struct.unpack_from("=HHI", data)
    if reserved != 0 or plen != len(data) - 8:
        fail("malformed message from the worker")
    out, off = [], 8
    while off < len(data):
        a, ln = struct.unpack_from("=HH", data, off)
        v = data[off + 4: off + 4 + ln]
        name = ANAME.get(a, str(a))
        if name in U32:
            v = struct.unpack("=I", v)[0]
        elif name in U64:
            v = struct.unpack("=Q", v)[0]
        elif name in STR:
            if not v.endswith(b"\0"):
                fail("string without NUL")
            v = v[:-1].decode()
        out.append((name, v))
        off += 4 + ln + (-ln % 4)
    return TNAME.get(mtype, str(mtype)), out


def attr(attrs, name, default=None):
    for n, v in attrs:
        if n == name:
            return v
    return default


def attrs_all(attrs, name):
    return [v for n, v in attrs if n == name]


class Worker:
    def __init__(self, tun_name, user, log_path, debug=False, as_root=False):
        self.tun_name = tun_name
        self.tun = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
        ifr = struct.pack("16sH22x", tun_name.encode(), IFF_TUN | IFF_NO_PI)
        fcntl.ioctl(self.tun, TUNSETIFF, ifr)
        self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log_path = log_path
        logfd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        env = {"PATH": "/usr/bin:/bin"}
        for k, v in os.environ.items():
            if k.endswith("SAN_OPTIONS"):
                env[k] = v
        if debug:
            env["SSLVPN_DEBUG"] = "1"
        pw = pwd.getpwnam(user)
        worker = os.environ["WORKER"]
        self.pid = os.fork()
        if self.pid == 0:
            try:
                s = fcntl.fcntl(child.fileno(), fcntl.F_DUPFD, 100)
                t = fcntl.fcntl(self.tun, fcntl.F_DUPFD, 100)
                os.dup2(s, 3)
                os.dup2(t, 4)
                os.dup2(logfd, 2)
                devnull = os.open("/dev/null", os.O_RDWR)
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
                os.closerange(5, 65536)
                if not as_root:
                    os.setgroups([])
                    os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
                    os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                    os._exit(126)
                os.execve(worker, [worker], env)
            finally:
                os._exit(127)
        child.close()
        os.close(logfd)
        self.status = None
        self.last_state = None
        self.events = []
        self.start_time = time.monotonic()

    def send(self, mtype, attrs=(), fds=()):
        data = encode(mtype, attrs)
        if fds:
            self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                        struct.pack("=%di" % len(fds), *fds))])
        else:
            self.sock.send(data)

    def recv(self, timeout):
        # DTLS: WMSG_MTU and a transport change while connected (STATE connected
        # after STATE connected) are events of the data channel, not steps of a scenario:
        # they are kept in self.events as (monotonic time, type, attrs) and not returned.
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while True:
            r, _, _ = select.select([self.sock], [], [], max(0, deadline - time.monotonic()))
            if not r:
                return None
            data = self.sock.recv(300000)
            if not data:
                return ("EOF", [])
            m = decode(data)
            log("worker ->", m[0], [(n, v) for n, v in m[1] if n not in ("WATTR_BLOB",)])
            if m[0] == "WMSG_STATE":
                st = attr(m[1], "WATTR_STATE")
                again = st == 2 and self.last_state == 2
                self.last_state = st
                if again:
                    self.events.append((time.monotonic(), m[0], m[1]))
                    continue
            if m[0] == "WMSG_MTU":
                self.events.append((time.monotonic(), m[0], m[1]))
                continue
            return m

    def expect(self, want, timeout, skip=("WMSG_STATS",)):
        """Returns the first message of type `want`; fails on anything unexpected."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                fail("timed out waiting for %s" % want)
            m = self.recv(left)
            if m is None:
                fail("timed out waiting for %s" % want)
            if m[0] == want:
                return m[1]
            if m[0] in skip:
                continue
            if m[0] == "WMSG_ERROR":
                code = attr(m[1], "WATTR_ERROR")
                fail("worker error %s: %s" % (ENAME.get(code, code), attr(m[1], "WATTR_DETAIL")))
            fail("expected %s, got %s" % (want, m[0]))

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = st
                return os.waitstatus_to_exitcode(st)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        fail("worker did not exit within %s s" % timeout)

    def close(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self.sock.close()
        os.close(self.tun)


def run(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        fail("%s: %s" % (" ".join(cmd), r.stderr.strip()))
    return r


def start_msg(cookie, pin=None):
    env = os.environ
    return [("WATTR_HOST", env["LAB_GATEWAY"]), ("WATTR_PORT", int(env.get("LAB_PORT", "443"))),
            ("WATTR_ADDRESS", env["LAB_SERVER_IP"]),
            ("WATTR_PIN", pin or env["LAB_SERVER_CERT_PIN"]), ("WATTR_COOKIE", cookie)]


def apply_config(w, cfg):
    """What the helper would do, with `ip`: addresses, MTU, include routes."""
    dev = w.tun_name
    a4 = attr(cfg, "WATTR_ADDR4")
    if a4:
        run("ip", "addr", "add", "%s/%d" % (socket.inet_ntop(socket.AF_INET, a4),
                                            attr(cfg, "WATTR_PREFIX4")), "dev", dev)
    a6 = attr(cfg, "WATTR_ADDR6")
    if a6:
        run("ip", "-6", "addr", "add", "%s/%d" % (socket.inet_ntop(socket.AF_INET6, a6),
                                                  attr(cfg, "WATTR_PREFIX6")), "dev", dev,
            "nodad")
    run("ip", "link", "set", "dev", dev, "mtu", str(attr(cfg, "WATTR_MTU")), "up")
    for r in attrs_all(cfg, "WATTR_INCLUDE4"):
        run("ip", "route", "replace", "%s/%d" % (socket.inet_ntop(socket.AF_INET, r[:4]), r[4]),
            "dev", dev)
    for r in attrs_all(cfg, "WATTR_INCLUDE6"):
        run("ip", "-6", "route", "replace",
            "%s/%d" % (socket.inet_ntop(socket.AF_INET6, r[:16]), r[16]), "dev", dev)


def check_config(cfg):
    env = os.environ
    a4 = socket.inet_ntop(socket.AF_INET, attr(cfg, "WATTR_ADDR4"))
    if ipaddress.ip_address(a4) not in ipaddress.ip_network(env["LAB_VPN_POOL"]):
        fail("address %s not from the pool %s" % (a4, env["LAB_VPN_POOL"]))
    routes = ["%s/%d" % (socket.inet_ntop(socket.AF_INET, r[:4]), r[4])
              for r in attrs_all(cfg, "WATTR_INCLUDE4")]
    routes += ["%s/%d" % (socket.inet_ntop(socket.AF_INET6, r[:16]), r[16])
               for r in attrs_all(cfg, "WATTR_INCLUDE6")]
    for want in env["LAB_ENGINEERING_ROUTES"].split():
        if want not in routes:
            fail("route %s missing from %s" % (want, routes))
    dns = [socket.inet_ntop(socket.AF_INET, d) for d in attrs_all(cfg, "WATTR_DNS4")]
    if env["LAB_DNS"] not in dns:
        fail("DNS %s missing from %s" % (env["LAB_DNS"], dns))
    if env["LAB_DOMAIN"] not in attrs_all(cfg, "WATTR_DOMAIN"):
        fail("domain %s missing" % env["LAB_DOMAIN"])
    if attr(cfg, "WATTR_BANNER", "").strip() != env["LAB_BANNER"]:
        fail("banner %r" % attr(cfg, "WATTR_BANNER"))
    if attr(cfg, "WATTR_DTLS_MTU"):
        fail("a DTLS MTU without DTLS")


def ping(host, v6=False, count=3):
    cmd = ["ping", "-6" if v6 else "-4", "-c", str(count), "-i", "0.2", "-W", "2", host]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail("ping %s failed: %s" % (host, r.stdout.strip().splitlines()[-2:]))


def connect(w, cookie, timeout=20, extra=()):
    w.send("WMSG_START", start_msg(cookie) + list(extra))
    st = w.expect("WMSG_STATE", timeout)
    if attr(st, "WATTR_STATE") != 1:
        fail("first state %s, want connecting" % st)
    cfg = w.expect("WMSG_CONFIG", timeout)
    st = w.expect("WMSG_STATE", timeout)
    if attr(st, "WATTR_STATE") != 2 or attr(st, "WATTR_TRANSPORT") != 1:
        fail("state %s, want connected over TLS" % st)
    w.connected_at = time.monotonic()
    return cfg


def stats_until(w, pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = w.recv(deadline - time.monotonic())
        if m and m[0] == "WMSG_STATS":
            tx, rx = attr(m[1], "WATTR_TX_BYTES"), attr(m[1], "WATTR_RX_BYTES")
            if pred(tx, rx):
                return tx, rx
        elif m and m[0] != "WMSG_STATS":
            fail("unexpected %s" % m[0])
    fail("no matching statistics")


def final_stats(w, timeout=10):
    """The statistics a leaving worker sends last, then the end of the socket."""
    stats = None
    while True:
        m = w.recv(timeout)
        if m is None:
            fail("timed out waiting for the worker to leave")
        if m[0] == "EOF":
            break
        if m[0] != "WMSG_STATS":
            fail("unexpected %s while leaving" % m[0])
        stats = m[1]
    if stats is None:
        fail("no final statistics")
    return stats


def stop(w, expect_code=0):
    w.send("WMSG_STOP")
    stats = final_stats(w)
    code = w.wait_exit(10)
    if code != expect_code:
        fail("exit status %s" % code)
    return stats


def occtl(*args):
    return run(os.path.join(SRC, "tests/lab/lab.sh"), "occtl", os.environ["LAB_DIR"], *args)


def ocserv_worker_pids():
    out = occtl("--json", "show", "users").stdout
    return [int(u["ID"]) for u in json.loads(out or "[]")
            if u.get("Username") == os.environ["LAB_USER"]]


# ---- scenarios -------------------------------------------------------------------------

def sc_basic(w, cookie):
    cfg = connect(w, cookie)
    check_config(cfg)
    apply_config(w, cfg)
    ping(os.environ["LAB_LAN_HOST"])
    ping(os.environ["LAB_LAN_HOST6"], v6=True)
    tx, rx = stats_until(w, lambda tx, rx: tx >= 6 * 84 and rx >= 6 * 84, 5)
    log("traffic: tx %d rx %d" % (tx, rx))
    st = stop(w)
    if attr(st, "WATTR_TX_BYTES") < tx:
        fail("final statistics went backwards")
    # ocserv saw the user leave (DISCONNECT 0xb0 ends the session).
    time.sleep(0.5)
    if ocserv_worker_pids():
        fail("ocserv still lists the session after STOP")


def sc_bad_pin(w, cookie):
    w.send("WMSG_START", start_msg(cookie, pin="pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
    w.expect("WMSG_STATE", 10)
    m = w.recv(20)
    if not m or m[0] != "WMSG_ERROR" or attr(m[1], "WATTR_ERROR") != E["ERR_CERT_PIN_MISMATCH"]:
        fail("expected CertPinMismatch, got %s" % (m,))
    log("detail:", attr(m[1], "WATTR_DETAIL"))
    final_stats(w)
    if w.wait_exit(10) != 1:
        fail("exit status after the pin mismatch")


def prepared_start(w):
    """START without cookie and pin: the worker opens TCP + TLS and waits (a prepared
    connection, what the CLI asks for while its login runs)."""
    start = [a for a in start_msg("unused") if a[0] not in ("WATTR_COOKIE", "WATTR_PIN")]
    w.send("WMSG_START", start)
    st = w.expect("WMSG_STATE", 10)
    if attr(st, "WATTR_STATE") != 1:
        fail("first state %s, want connecting" % st)
    deadline = time.monotonic() + 10
    while "state connecting -> prepared" not in open(w.log_path).read():
        if time.monotonic() > deadline:
            fail("the worker did not prepare its TLS link")
        time.sleep(0.05)
    m = w.recv(0.5)
    if m and m[0] != "WMSG_STATS":
        fail("unexpected %s while prepared" % m[0])


def sc_prepared(w, cookie):
    prepared_start(w)
    if "CONNECT /CSCOSSLC" in open(w.log_path).read():
        fail("a CONNECT before the cookie came")
    time.sleep(1)  # the gateway keeps an idle TLS link open meanwhile
    w.send("WMSG_SET_COOKIE", [("WATTR_COOKIE", cookie),
                               ("WATTR_PIN", os.environ["LAB_SERVER_CERT_PIN"])])
    st = w.expect("WMSG_STATE", 10)
    if attr(st, "WATTR_STATE") != 1:
        fail("state %s after the cookie, want connecting" % st)
    cfg = w.expect("WMSG_CONFIG", 20)
    st = w.expect("WMSG_STATE", 10)
    if attr(st, "WATTR_STATE") != 2:
        fail("not connected: %s" % st)
    if "connecting afresh" in open(w.log_path).read():
        fail("the prepared link was not used")
    apply_config(w, cfg)
    ping(os.environ["LAB_LAN_HOST"], count=2)
    stop(w)


def sc_prepared_bad_pin(w, cookie):
    prepared_start(w)
    w.send("WMSG_SET_COOKIE", [("WATTR_COOKIE", cookie), ("WATTR_PIN",
                               "pin-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")])
    w.expect("WMSG_STATE", 10)
    m = w.recv(20)
    if not m or m[0] != "WMSG_ERROR" or attr(m[1], "WATTR_ERROR") != E["ERR_CERT_PIN_MISMATCH"]:
        fail("expected CertPinMismatch, got %s" % (m,))
    final_stats(w)
    if w.wait_exit(10) != 1:
        fail("exit status after the pin mismatch")
    if "CONNECT /CSCOSSLC" in open(w.log_path).read():
        fail("the cookie went out on the unverified link")


def sc_cookie_rejected(w, cookie):
    # A cookie of a session that was closed with DISCONNECT 0xb0: ocserv refuses it with 401.
    w.send("WMSG_START", start_msg(os.environ["E2E_OLD_COOKIE"]))
    w.expect("WMSG_STATE", 10)
    w.expect("WMSG_COOKIE_REJECTED", 20)
    w.send("WMSG_SET_COOKIE", [("WATTR_COOKIE", cookie)])
    w.expect("WMSG_STATE", 10)
    cfg = w.expect("WMSG_CONFIG", 20)
    st = w.expect("WMSG_STATE", 10)
    if attr(st, "WATTR_STATE") != 2:
        fail("not connected after the new cookie")
    apply_config(w, cfg)
    ping(os.environ["LAB_LAN_HOST"], count=2)
    stop(w)


def sc_gateway_kick(w, cookie):
    cfg = connect(w, cookie)
    apply_config(w, cfg)
    occtl("disconnect", "user", os.environ["LAB_USER"])
    # ocserv ends the session: either it says so (GatewayClosed) or the TLS link drops, the
    # reconnect finds the cookie invalidated (401) and the worker asks for a new login.
    m = w.recv(30)
    while m and m[0] == "WMSG_STATS":
        m = w.recv(30)
    if m and m[0] == "WMSG_ERROR":
        if attr(m[1], "WATTR_ERROR") != E["ERR_GATEWAY_CLOSED"]:
            fail("error %s" % ENAME.get(attr(m[1], "WATTR_ERROR")))
        log("gateway closed:", attr(m[1], "WATTR_DETAIL"))
        print("outcome: GatewayClosed")
        final_stats(w)
        if w.wait_exit(10) != 1:
            fail("exit status")
        return
    if not m or m[0] != "WMSG_STATE" or attr(m[1], "WATTR_STATE") != 3:
        fail("expected an error or reconnecting, got %s" % (m,))
    w.expect("WMSG_COOKIE_REJECTED", 30)
    print("outcome: reconnect, then CookieRejected")
    stop(w)


def sc_dpd_dead(w, cookie):
    cfg = connect(w, cookie)
    apply_config(w, cfg)
    pids = ocserv_worker_pids()
    if len(pids) != 1:
        fail("ocserv sessions: %s" % pids)
    os.kill(pids[0], signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        st = w.expect("WMSG_STATE", 60)
        if attr(st, "WATTR_STATE") != 3:
            fail("expected reconnecting, got %s" % st)
        log("DPD death noticed after %.1f s" % (time.monotonic() - t0))
        cfg2 = w.expect("WMSG_CONFIG", 60)
        st = w.expect("WMSG_STATE", 20)
        if attr(st, "WATTR_STATE") != 2:
            fail("not connected again")
        if attr(cfg2, "WATTR_ADDR4") != attr(cfg, "WATTR_ADDR4"):
            log("note: the gateway gave another address")
    finally:
        os.kill(pids[0], signal.SIGCONT)
    ping(os.environ["LAB_LAN_HOST"], count=2)
    print("reconnected after %.1f s" % (time.monotonic() - t0))
    stop(w)


def sc_dpd_idle(w, cookie):
    cfg = connect(w, cookie)
    apply_config(w, cfg)
    dpd = int(os.environ["E2E_DPD"])
    cpu0 = cpu_ticks(w.pid)
    time.sleep(3 * dpd + 1)
    # Idle means asleep in poll: no spinning on a timer or a ready descriptor.
    idle_cpu = cpu_ticks(w.pid) - cpu0
    if idle_cpu > os.sysconf("SC_CLK_TCK") // 2:
        fail("the idle worker used %d clock ticks" % idle_cpu)
    m = w.recv(0.1)
    while m and m[0] == "WMSG_STATS":
        m = w.recv(0.1)
    if m:
        fail("unexpected %s while idle" % m[0])
    ping(os.environ["LAB_LAN_HOST"], count=2)
    stop(w)
    text = open(w.log_path).read()
    if text.count("DPD response from the gateway") < 2:
        fail("no DPD exchange in the log")


def cpu_ticks(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def sc_sigterm(w, cookie):
    connect(w, cookie)
    os.kill(w.pid, signal.SIGTERM)
    final_stats(w)
    if w.wait_exit(10) != 0:
        fail("exit status after SIGTERM")


def sc_helper_gone(w, cookie):
    connect(w, cookie)
    w.sock.shutdown(socket.SHUT_RDWR)
    if w.wait_exit(10) != 0:
        fail("exit status after the helper went away")


def sc_privileged(w, cookie):
    m = w.recv(10)
    if not m or m[0] != "WMSG_ERROR" or attr(m[1], "WATTR_ERROR") != E["ERR_ACCESS_DENIED"]:
        fail("expected AccessDenied, got %s" % (m,))
    if w.wait_exit(10) != 1:
        fail("exit status")


def ping_steady(host, seconds, interval=0.01):
    """Pings for `seconds`; returns (sent, received)."""
    count = int(seconds / interval)
    r = subprocess.run(["ping", "-4", "-q", "-c", str(count), "-i", str(interval), "-W", "1",
                        host], capture_output=True, text=True)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    if not m:
        fail("ping printed no summary: %s" % r.stdout.strip()[-200:])
    return int(m.group(1)), int(m.group(2))


def only_stats(w, what):
    """Nothing but statistics may have come from the worker: no error, no state other than
    connected (Worker.recv keeps repeated "connected" aside, as w.events)."""
    m = w.recv(0.2)
    while m:
        if m[0] != "WMSG_STATS":
            fail("%s: unexpected %s %s" % (what, m[0], m[1]))
        m = w.recv(0.2)


def sc_rekey_ssl(w, cookie, cfg=None):
    """X-CSTP-Rekey-Method ssl on a TLS 1.2 connection (docs/protocol.md "CSTP rekey"): the
    worker renegotiates on the same connection each rekey period; pings keep flowing and no new
    tunnel is made."""
    rekey = int(os.environ["E2E_REKEY"])
    if cfg is None:
        cfg = connect(w, cookie)
        apply_config(w, cfg)
    start = len(open(w.log_path).read())
    t0 = time.monotonic()
    sent, got = ping_steady(os.environ["LAB_LAN_HOST"], 2.5 * rekey)
    log("pings for %.1f s: %d sent, %d answered" % (time.monotonic() - t0, sent, got))
    if sent - got > 3:
        fail("%d of %d pings lost across the renegotiations" % (sent - got, sent))
    only_stats(w, "during the renegotiations")
    text = open(w.log_path).read()
    if re.search(r"new tunnel|interrupted the TLS renegotiation|link lost", text[start:]):
        fail("the worker built a new tunnel during the pings")
    # "N so far" counts the renegotiations of the current TLS connection.
    counts = [int(c) for c in re.findall(r"TLS renegotiated \(TLS1\.2, [^,]*, (\d+) so far\)",
                                         text)]
    if len(re.findall(r"TLS renegotiated", text[start:])) < 2:
        fail("fewer than 2 renegotiations in %.0f s of pings" % (2.5 * rekey))
    pids = ocserv_worker_pids()
    if len(pids) != 1:
        fail("ocserv sessions: %s" % pids)
    # The gateway's side of this connection (its worker process logs as ocserv[PID]).
    gw = len(re.findall(r"ocserv\[%d\]: worker\[[^]]*\]: \S+ TLS rehandshake completed" % pids[0],
                        open(os.environ["LAB_OCSERV_LOG"], errors="replace").read()))
    if gw != counts[-1]:
        fail("ocserv completed %d rehandshakes on this connection, the worker %d" %
             (gw, counts[-1]))
    print("renegotiated %d times; %d/%d pings answered" % (len(counts), got, sent))
    if counts[-1] > (time.monotonic() - w.connected_at) / (rekey - 1) + 1:
        fail("%d renegotiations: more than one per rekey period" % counts[-1])
    stop(w)


def sc_rekey_ssl_tls(w, cookie):
    """The same with NoDtls, so that everything crosses the TLS connection while it
    renegotiates: first checked TCP transfers from the LAN (tests/e2e/xfer.py), then pings.
    Under a full TCP stream a record may still reach us before the gateway's answer to our
    hello, whatever the wait for quiet; GnuTLS then abandons the renegotiation and the worker
    builds a new tunnel with the cookie (worker/README.md).  One such fallback is allowed in
    the transfer phase, with every byte intact; none in the ping phase."""
    rekey = int(os.environ["E2E_REKEY"])
    cfg = connect(w, cookie, extra=[("WATTR_NO_DTLS", 1)])
    apply_config(w, cfg)
    xfer = os.path.join(SRC, "tests/e2e/xfer.py")
    t0, moved = time.monotonic(), 0
    while time.monotonic() - t0 < 2.2 * rekey:
        r = subprocess.run(["/usr/bin/python3", xfer, "down", os.environ["LAB_LAN_HOST"],
                            os.environ["E2E_XFER_PORT"], str(8 << 20), str(moved)],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            fail("transfer %d during the renegotiations: %s" % (moved, (r.stdout + r.stderr)
                                                                 .strip()[-300:]))
        moved += 1
    log("%d checked transfers of 8 MiB in %.1f s" % (moved, time.monotonic() - t0))
    fallbacks, state = 0, 2
    m = w.recv(0.2)
    while m:
        if m[0] == "WMSG_STATE" and attr(m[1], "WATTR_STATE") in (2, 3):
            state = attr(m[1], "WATTR_STATE")
            fallbacks += state == 3
        elif m[0] not in ("WMSG_STATS", "WMSG_CONFIG"):
            fail("during the transfers: unexpected %s %s" % (m[0], m[1]))
        m = w.recv(0.2 if state == 2 else 20)
    text = open(w.log_path).read()
    why = re.findall(r"<4>link lost: (.*)|<6>(.*): building a new tunnel", text)
    if fallbacks > 1 or len(why) != fallbacks or state != 2:
        fail("%d new tunnels during the transfers (%s), state %d" % (fallbacks, why, state))
    waits = re.findall(r"handshake after waiting (\d+) ms for quiet", text)
    print("transfers: %d x 8 MiB intact, waits for quiet %s ms%s;" % (
        moved, "/".join(waits),
        ", one new tunnel (%s)" % "".join(why[0]) if fallbacks else ""))
    sc_rekey_ssl(w, None, cfg=cfg)


def sc_rekey_new_tunnel(w, cookie):
    """X-CSTP-Rekey-Method new-tunnel: at the rekey time the worker builds a new TLS connection
    with the same cookie (reconnecting -> connected, same address), without a new login."""
    rekey = int(os.environ["E2E_REKEY"])
    cfg = connect(w, cookie)
    apply_config(w, cfg)
    t0 = time.monotonic()
    st = w.expect("WMSG_STATE", rekey + 10)
    took = time.monotonic() - t0
    if attr(st, "WATTR_STATE") != 3:
        fail("expected reconnecting, got %s" % st)
    if took < rekey - 1:
        fail("new tunnel after %.1f s, before the rekey time (%d s)" % (took, rekey))
    cfg2 = w.expect("WMSG_CONFIG", 20)
    st = w.expect("WMSG_STATE", 20)
    if attr(st, "WATTR_STATE") != 2:
        fail("not connected after the new tunnel: %s" % st)
    if attr(cfg2, "WATTR_ADDR4") != attr(cfg, "WATTR_ADDR4"):
        fail("the new tunnel has another address")
    ping(os.environ["LAB_LAN_HOST"], count=2)
    if "rekey time reached: building a new tunnel" not in open(w.log_path).read():
        fail("no rekey in the worker log")
    print("new tunnel after %.1f s (rekey time %d s)" % (took, rekey))
    stop(w)


def sc_iperf(w, cookie):
    """Throughput (not part of the test suite): iperf3 to E2E_IPERF_SERVER through the tunnel."""
    cfg = connect(w, cookie)
    apply_config(w, cfg)
    cpu0 = cpu_ticks(w.pid)
    r = run("iperf3", "-c", os.environ["E2E_IPERF_SERVER"], "-t", os.environ.get("E2E_IPERF_TIME", "10"),
            "-J", *os.environ.get("E2E_IPERF_ARGS", "").split())
    res = json.loads(r.stdout)
    cpu = (cpu_ticks(w.pid) - cpu0) / os.sysconf("SC_CLK_TCK")
    print("iperf3: %.0f Mbit/s sent, %.0f Mbit/s received; worker CPU %.2f s" % (
        res["end"]["sum_sent"]["bits_per_second"] / 1e6,
        res["end"]["sum_received"]["bits_per_second"] / 1e6, cpu))
    stop(w)


SCENARIOS = {
    "iperf": sc_iperf,
    "basic": sc_basic,
    "bad-pin": sc_bad_pin,
    "cookie-rejected": sc_cookie_rejected,
    "gateway-kick": sc_gateway_kick,
    "dpd-dead": sc_dpd_dead,
    "dpd-idle": sc_dpd_idle,
    "sigterm": sc_sigterm,
    "helper-gone": sc_helper_gone,
    "privileged": sc_privileged,
    "prepared": sc_prepared,
    "prepared-bad-pin": sc_prepared_bad_pin,
    "rekey-ssl": sc_rekey_ssl,
    "rekey-ssl-tls": sc_rekey_ssl_tls,
    "rekey-new-tunnel": sc_rekey_new_tunnel,
}


def main():
    name = sys.argv[1]
    cookie = os.environ["E2E_COOKIE"]
    w = Worker("swk%d" % (os.getpid() % 1000), os.environ.get("E2E_USER", "nobody"),
               os.environ["E2E_LOG"], debug=os.environ.get("E2E_DEBUG") == "1",
               as_root=name == "privileged")
    try:
        SCENARIOS[name](w, cookie)
    finally:
        w.close()
    # Secrets never reach the log (docs/architecture.md "Trust boundary").
    text = open(w.log_path).read()
    if cookie in text or "webvpn=" in text:
        fail("the cookie appears in the worker's log")
    if "Segmentation" in text or "ERROR: AddressSanitizer" in text or "seccomp:" in text:
        fail("the worker log shows a crash:\n" + text[-2000:])


if __name__ == "__main__":
    main()
