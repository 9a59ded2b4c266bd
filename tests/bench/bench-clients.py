#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Side-by-side benchmark: sslvpn against Debian's openconnect, same lab, one run.

    sudo tests/bench/bench-clients.py [--quick] [--out FILE] [--our-side cli|helper|driver]

Brings up the lab gateway (tests/lab/lab.sh: ocserv in a server namespace, a client
namespace), then measures both clients alternately on the same gateway and namespaces:
start to first ping, iperf3 TCP each way over DTLS and over TLS only, client CPU seconds per
GB moved, peak RSS, and with DTLS silently blocked the time to the first ping and when the
tunnel MTU switches.  Prints a table (both clients, the ratio us/them, the target) and writes
JSON.  Everything it starts is stopped by PID, and the lab removed, on exit and on Ctrl-C.
Over 900 lines on purpose: one script a maintainer can copy to a machine and run as is.
See tests/bench/README.md for what each figure means.
"""
import argparse
import datetime
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LAB = os.path.join(SRC, "tests/lab/lab.sh")
OC_SCRIPT = os.path.join(SRC, "tests/lab/oc-script.sh")
SYSBUS = os.path.join(SRC, "tests/lab/sysbus.sh")
DRIVER = os.path.join(SRC, "tests/bench/our-driver.py")
PROBE = os.path.join(SRC, "tests/bench/echo-probe.py")
BUS_NAME = "org.sslvpn.Helper1"
ROOT_PATH = "/org/sslvpn/Helper1"
IFACE_CONN = "org.sslvpn.Helper1.Connection"
GROUP = "engineering"
NFT_TABLE = "sslvpn_bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# How "our side" runs (--our-side, or SSLVPN_BENCH_OUR_SIDE):
#   cli    : `sslvpn connect` -> sslvpn-helper (private system bus) -> sslvpn-worker: the real path
#   helper : `sslvpn auth`, then Manager.Connect called here -> sslvpn-helper -> sslvpn-worker
#   driver : `sslvpn auth`, then tests/bench/our-driver.py plays the helper for sslvpn-worker
OUR_SIDE_DEFAULT = "cli"

VERBOSE = False


def note(*a):
    print("#", *a, file=sys.stderr, flush=True)


def debug(*a):
    if VERBOSE:
        note(*a)


def ns_cmd(ns, *cmd):
    # `ip netns exec` execs the command itself, so a Popen's pid is the command's pid.
    return ["ip", "netns", "exec", ns, *cmd]


def run(cmd, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    r = subprocess.run(cmd, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                                (r.stderr or "").strip()[-500:]))
    return r


def proc_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def proc_cpu(pid):
    """utime + stime of the whole process (all threads), in seconds; None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def proc_status(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def proc_comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def children(ppid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                rest = f.read().rsplit(")", 1)[1].split()
            if int(rest[1]) == ppid and rest[0] not in ("Z", "X"):
                out.append(int(d))
        except (OSError, IndexError, ValueError):
            pass
    return out


def kill_pid(pid, sig=signal.SIGTERM, wait=3.0, popen=None):
    """Signal one process we started, wait for it, SIGKILL if it stays."""
    if pid is None:
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if popen is not None and popen.poll() is not None:
            return
        if popen is None and not proc_alive(pid):
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if popen is not None:
        try:
            popen.wait(2)
        except subprocess.TimeoutExpired:
            pass


def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line.rstrip("\n"))
            if m:
                v = m.group(2)
                if len(v) >= 2 and v[0] == "'" and v[-1] == "'":
                    v = v[1:-1]
                env[m.group(1)] = v
    return env


class Cleanup:
    """Undo actions, run newest first, each once, whatever happens."""

    def __init__(self):
        self.actions = []

    def push(self, what, fn):
        self.actions.append((what, fn))
        return len(self.actions) - 1

    def run_now(self, idx):
        what, fn = self.actions[idx]
        self.actions[idx] = (what, None)
        if fn:
            fn()

    def run_all(self):
        while self.actions:
            what, fn = self.actions.pop()
            if fn is None:
                continue
            try:
                fn()
            except Exception as e:  # keep cleaning up
                note("cleanup (%s): %s" % (what, e))


# ---- the lab and its helpers ---------------------------------------------------------------

class Lab:
    def __init__(self, work, cleanup):
        self.dir = os.path.join(work, "lab")
        r = run([LAB, "start", self.dir, "--owner", str(os.getpid())], check=False)
        cleanup.push("lab", lambda: run([LAB, "stop", self.dir], check=False))
        if r.returncode != 0:
            raise RuntimeError("the lab did not start:\n" + (r.stdout + r.stderr)[-1500:])
        self.env = load_env(os.path.join(self.dir, "lab.env"))
        self.cns = self.env["LAB_CLI_NS"]
        self.sns = self.env["LAB_SRV_NS"]

    def sessions(self):
        r = run([LAB, "occtl", self.dir, "--json", "show", "users"], check=False)
        try:
            return json.loads(r.stdout or "[]")
        except ValueError:
            return []

    def wait_no_sessions(self, timeout=8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.sessions():
                return True
            time.sleep(0.1)
        note("ocserv still lists a session after %.0f s" % timeout)
        return False

    def session_worker_pid(self):
        for u in self.sessions():
            try:
                return int(u["ID"])
            except (KeyError, ValueError, TypeError):
                pass
        return None

    def tun_links(self):
        """{name: mtu} of the client namespace's links other than lo and eth0."""
        r = run(["ip", "-n", self.cns, "-o", "link", "show"], check=False)
        out = {}
        for line in r.stdout.splitlines():
            m = re.match(r"^\d+:\s+([^:@]+)[^:]*:.*\bmtu (\d+)", line)
            if m and m.group(1) not in ("lo", "eth0"):
                out[m.group(1)] = int(m.group(2))
        return out


class ReplyProbe:
    """echo-probe.py in the client namespace: an echo request to the LAN host every
    millisecond from before the start until the first echo reply (through the tunnel: the
    gateway filters the LAN from its outside link), whose kernel receive time it reports.
    Not `ping -i`: ping slows to one request per 10 ms while the gateway's "Packet
    filtered" errors arrive, which gave every start a 10 ms grain."""

    def __init__(self, ns, host):
        self.first = None
        self.got = threading.Event()
        self.proc = subprocess.Popen(
            ns_cmd(ns, sys.executable, PROBE, host, "1"), stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError("echo-probe.py did not start")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        line = self.proc.stdout.readline().strip()
        if re.match(r"^\d+\.\d+$", line):
            self.first = float(line)
            self.got.set()

    def wait(self, timeout):
        self.got.wait(timeout)
        return self.first

    def stop(self):
        if self.proc.poll() is None:
            kill_pid(self.proc.pid, signal.SIGKILL, popen=self.proc)
        self.proc.wait()


class MtuPoller:
    """Polls the MTU of the client namespace's tunnel devices; keeps (t, device, mtu) at
    every change, t relative to T0 (wall clock)."""

    def __init__(self, lab, t0, period=0.1):
        self.lab, self.t0, self.period = lab, t0, period
        self.seen = {}
        self.events = []
        self.samples = []
        self.stopped = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopped:
            t = round(time.time() - self.t0, 2)  # taken before the sample: it is no later
            links = self.lab.tun_links()
            self.samples.append((t, links))
            for dev, mtu in links.items():
                if self.seen.get(dev) != mtu:
                    self.seen[dev] = mtu
                    self.events.append((t, dev, mtu))
            time.sleep(self.period)

    def switch(self, after):
        """(t, from, to): the first MTU change after the tunnel worked (time AFTER).  The base
        is the first sample taken after AFTER, so what a client sets while it brings the
        device up never counts."""
        if after is None:
            return None
        base = None
        for t, links in list(self.samples):
            if t <= after:
                continue
            if base is None:
                base = links
                continue
            for dev, mtu in links.items():
                if dev in base and base[dev] != mtu:
                    return (t, base[dev], mtu)
        return None

    def value_after(self, after):
        """The MTU of the (first) tunnel device in the first sample taken after AFTER."""
        for t, links in list(self.samples):
            if after is not None and t > after and links:
                return sorted(links.items())[0][1]
        return None

    def stop(self):
        self.stopped = True
        self.thread.join(3)


class LogFollower:
    """Follows a log file from its current end; every new line gets the wall-clock time at
    which it was read (polled every 50 ms)."""

    def __init__(self, path):
        self.path = path
        self.lines = []
        self.stopped = False
        try:
            self.offset = os.path.getsize(path)
        except OSError:
            self.offset = 0
        self.partial = ""
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopped:
            try:
                with open(self.path, errors="replace") as f:
                    f.seek(self.offset)
                    data = f.read()
                    self.offset = f.tell()
            except OSError:
                data = ""
            if data:
                now = time.time()
                data = self.partial + data
                *done, self.partial = data.split("\n")
                self.lines.extend((now, line) for line in done)
            time.sleep(0.05)

    def stop(self):
        self.stopped = True
        self.thread.join(3)


# ---- the clients ---------------------------------------------------------------------------

class Client:
    name = "?"
    label = "?"

    def start(self, no_dtls):
        raise NotImplementedError

    def wait_up(self, timeout):
        raise NotImplementedError

    def transport(self):
        raise NotImplementedError

    def wait_transport(self, want, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.transport() == want:
                return True
            time.sleep(0.05)
        return self.transport() == want

    def pids(self):
        """{role: pid} of the processes whose CPU and memory count as this client."""
        raise NotImplementedError

    def watch_mtu(self):
        """Starts watching what the client itself says about MTU changes (see mtu_reports)."""

    def mtu_reports(self):
        """[(wall-clock time, MTU)]: each time the client applied an MTU to its device by its
        own account, since watch_mtu().  Empty for openconnect (the device is polled)."""
        return []

    def unwatch_mtu(self):
        pass

    def dead(self):
        """True once the attempt has visibly failed (no point in waiting for a ping)."""
        if getattr(self, "failed", None):
            return True
        p = getattr(self, "proc", None)
        return p is not None and p.poll() not in (None, 0)

    def stop(self):
        raise NotImplementedError


class OpenConnect(Client):
    name = "openconnect"

    def __init__(self, b):
        self.b = b
        self.proc = None
        self.label = "openconnect " + b.versions.get("openconnect", "?")

    def start(self, no_dtls):
        e = self.b.env
        cmd = ns_cmd(self.b.lab.cns, "openconnect", "--cafile", e["LAB_CA"], "--user",
                     e["LAB_USER"], "--passwd-on-stdin", "--authgroup", GROUP, "--script",
                     OC_SCRIPT, "--non-inter")
        if no_dtls:
            cmd.append("--no-dtls")
        cmd.append(e["LAB_GATEWAY"])
        self.connected = threading.Event()
        self.dtls = threading.Event()
        self.lines = []
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self.b.track(self.proc, "openconnect")
        self.proc.stdin.write(e["LAB_PASSWORD"] + "\n")
        self.proc.stdin.close()
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()

    def _read(self, proc):
        log = open(os.path.join(self.b.work, "openconnect.log"), "a")
        for line in proc.stdout:
            log.write("%.3f %s" % (time.time(), line))
            self.lines.append(line)
            if line.startswith("Configured as ") or line.startswith("Connected as "):
                self.connected.set()
            if "Established DTLS connection" in line:
                self.dtls.set()
            elif re.search(r"DTLS (handshake (failed|timed out))|Failed to reconnect DTLS|"
                           r"DTLS Dead Peer Detection", line):
                self.dtls.clear()
        log.close()

    def wait_up(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.connected.is_set():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.02)
        return False

    def transport(self):
        if not self.proc or self.proc.poll() is not None:
            return ""
        return "dtls" if self.dtls.is_set() else "tls"

    def pids(self):
        return {"openconnect": self.proc.pid}

    def stop(self):
        if self.proc:
            # SIGINT: openconnect says goodbye to the gateway (the session ends) and exits.
            kill_pid(self.proc.pid, signal.SIGINT, wait=5, popen=self.proc)
            self.b.untrack(self.proc)
            self.proc = None


class PrivateBus:
    """tests/lab/sysbus.sh: a private system bus with our real policy in the client namespace,
    activating the build's sslvpn-helper (which starts sslvpn-worker as an unprivileged user).
    The helper sees the lab's /etc/netns/<ns>/resolv.conf, never the machine's."""

    def __init__(self, b):
        self.b = b
        self.dir = os.path.join(b.work, "bus")
        os.makedirs(self.dir)
        env = dict(os.environ, SSLVPN_HELPER_IDLE_SECONDS="0")
        env.pop("SSLVPN_DEBUG", None)
        r = run([SYSBUS, "start", self.dir, b.lab.cns, b.args.build], check=False, env=env)
        b.cleanup.push("bus", self.close)
        if r.returncode != 0:
            raise RuntimeError("the private bus did not start: " + r.stderr.strip()[-500:])
        e = load_env(os.path.join(self.dir, "sysbus.env"))
        self.address = e["SYSBUS_ADDRESS"]
        self.helper_log = e["SYSBUS_HELPER_LOG"]
        import gi
        gi.require_version("Gio", "2.0")
        from gi.repository import Gio, GLib
        self.Gio, self.GLib = Gio, GLib
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.helper = None

    def call(self, dest, path, iface, method, args=None, reply=None, timeout_ms=30000):
        r = self.conn.call_sync(dest, path, iface, method, args,
                                self.GLib.VariantType(reply) if reply else None,
                                self.Gio.DBusCallFlags.NONE, timeout_ms, None)
        return r.unpack() if r is not None else None

    def activate_helper(self):
        """Starts sslvpn-helper (D-Bus activation); returns the seconds it took."""
        t = time.monotonic()
        self.call(BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.Peer", "Ping")
        took = time.monotonic() - t
        self.helper = self.call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                self.GLib.Variant("(s)", (BUS_NAME,)), "(u)")[0]
        return took

    def connections(self):
        objs = self.call(BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.ObjectManager",
                         "GetManagedObjects", reply="(a{oa{sa{sv}}})")[0]
        return {p: ifs[IFACE_CONN] for p, ifs in objs.items() if IFACE_CONN in ifs}

    def prop(self, path, name):
        return self.call(BUS_NAME, path, "org.freedesktop.DBus.Properties", "Get",
                         self.GLib.Variant("(ss)", (IFACE_CONN, name)), "(v)")[0]

    def worker(self):
        for pid in children(self.helper or -1):
            if proc_comm(pid) == "sslvpn-worker":
                return pid
        return None

    def close(self):
        # The helper gets SIGTERM (it stops its workers and undoes its network changes), then
        # the bus daemon: both by the PIDs sysbus.sh recorded.
        run([SYSBUS, "stop", self.dir], check=False)


class Ours(Client):
    """Our client; how it is started depends on --our-side (see OUR_SIDE_DEFAULT)."""
    name = "sslvpn"

    def __init__(self, b, side):
        self.b = b
        self.side = side
        self.label = {"cli": "sslvpn connect (helper + worker)",
                      "helper": "sslvpn auth + Manager.Connect (helper + worker)",
                      "driver": "sslvpn auth + our-driver.py (worker only)"}[side]
        self.proc = None
        self.path = None
        self.info = {}
        self.events = []
        self.follower = None

    def _auth(self):
        """`sslvpn auth` in the client namespace: the handoff as a dict."""
        e = self.b.env
        r = run(ns_cmd(self.b.lab.cns, self.b.cli_bin, "auth", "--user", e["LAB_USER"],
                       "--password-stdin", "--group", GROUP, "--cafile", e["LAB_CA"],
                       "--non-interactive", e["LAB_GATEWAY"]),
                input=e["LAB_PASSWORD"] + "\n", env=self.b.cli_env(), timeout=30)
        out = {}
        for line in r.stdout.splitlines():
            m = re.match(r"^([A-Z_0-9]+)='(.*)'$", line)
            if m:
                out[m.group(1)] = m.group(2).replace("'\\''", "'")
        return out

    def start(self, no_dtls):
        e = self.b.env
        self.info = {}
        self.path = None
        self.failed = None
        self.no_dtls = no_dtls
        if self.side == "cli":
            cmd = ns_cmd(self.b.lab.cns, self.b.cli_bin, "connect", "--user", e["LAB_USER"],
                         "--password-stdin", "--group", GROUP, "--cafile", e["LAB_CA"],
                         "--non-interactive")
            if no_dtls:
                cmd.append("--no-dtls")
            cmd.append(e["LAB_GATEWAY"])
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True,
                                         env=self.b.cli_env(), start_new_session=True)
            self.b.track(self.proc, "sslvpn connect")
            self.proc.stdin.write(e["LAB_PASSWORD"] + "\n")
            self.proc.stdin.close()
        elif self.side == "helper":
            h = self._auth()
            self.info["auth_done"] = time.time()
            gw = h.get("GATEWAY", "")
            if not gw.endswith("/") and gw.count("/") == 2:
                gw += "/"  # the helper wants https://host[:port]/path
            bus = self.b.bus
            opts = {"Gateway": bus.GLib.Variant("s", gw),
                    "Address": bus.GLib.Variant("s", h.get("ADDRESS", "")),
                    "Cookie": bus.GLib.Variant("s", h.get("COOKIE", "")),
                    "ServerCertPin": bus.GLib.Variant("s", h.get("SERVER_CERT_PIN", ""))}
            if no_dtls:
                opts["NoDtls"] = bus.GLib.Variant("b", True)
            h.clear()
            try:
                self.path = bus.call(BUS_NAME, ROOT_PATH, "org.sslvpn.Helper1.Manager",
                                     "Connect", bus.GLib.Variant("(a{sv})", (opts,)), "(o)")[0]
            except Exception as ex:
                self.failed = str(ex)
        else:
            env = dict(self.b.cli_env(), SRCDIR=SRC, WORKER=self.b.worker_bin,
                       SSLVPN=self.b.cli_bin, BENCH_GROUP=GROUP,
                       BENCH_NO_DTLS="1" if no_dtls else "0",
                       BENCH_LOG=os.path.join(self.b.work, "worker.log"),
                       **{k: v for k, v in e.items() if k.startswith("LAB_")})
            self.events = []
            self.proc = subprocess.Popen(ns_cmd(self.b.lab.cns, "/usr/bin/python3", DRIVER),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=open(os.path.join(self.b.work, "driver.log"),
                                                     "a"),
                                         text=True, env=env, start_new_session=True)
            self.b.track(self.proc, "our-driver")
            self.proc.stdin.write(e["LAB_PASSWORD"] + "\n")
            self.proc.stdin.close()
            self.up = threading.Event()
            threading.Thread(target=self._read_driver, args=(self.proc,), daemon=True).start()

    def _read_driver(self, proc):
        for line in proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ev["t"] = time.time()
            self.events.append(ev)
            if ev.get("event") == "up":
                self.info = {"worker": ev["worker"], "tun": ev["tun"],
                             "transport": ev["transport"]}
                self.up.set()
            elif ev.get("event") == "state" and ev.get("transport"):
                self.info["transport"] = ev["transport"]
            elif ev.get("event") == "error":
                self.failed = ev.get("detail")

    def watch_mtu(self):
        if self.follower:
            self.follower.stop()
            self.follower = None
        if self.side != "driver":
            self.follower = LogFollower(self.b.bus.helper_log)

    def mtu_reports(self):
        if self.side == "driver":
            return [(ev["t"], ev["mtu"]) for ev in list(self.events) if ev.get("event") == "mtu"]
        if not self.follower:
            return []
        # The worker logs "tun MTU N" exactly when it sends WMSG_MTU (helper/worker/worker-ipc.c).
        return [(t, int(m.group(1))) for t, line in list(self.follower.lines)
                for m in [re.match(r"^<\d>tun MTU (\d+)\s*$", line)] if m]

    def unwatch_mtu(self):
        if self.follower:
            self.follower.stop()
            self.follower = None

    def _bus_connection(self):
        for path, props in self.b.bus.connections().items():
            if props.get("State") in ("connecting", "connected", "reconnecting"):
                return path
        return None

    def wait_up(self, timeout):
        deadline = time.monotonic() + timeout
        if self.side == "driver":
            while time.monotonic() < deadline:
                if self.up.wait(0.05):
                    return True
                if self.proc.poll() is not None:
                    return False
            return False
        if self.side == "cli":
            try:
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            out = self.proc.stdout.read()
            self.b.untrack(self.proc)
            self.proc = None
            if rc != 0:
                self.failed = (out.strip().splitlines() or ["exit %d" % rc])[-1][-300:]
                return False
            self.path = self._bus_connection()
            return self.path is not None
        while self.path and time.monotonic() < deadline:  # helper
            st = self.b.bus.prop(self.path, "State")
            if st == "connected":
                return True
            if st in ("failed", "disconnected"):
                self.failed = "state %s, %s" % (st, self.b.bus.prop(self.path, "LastError"))
                return False
            time.sleep(0.02)
        return False

    def transport(self):
        if self.side == "driver":
            return self.info.get("transport", "")
        try:
            return self.b.bus.prop(self.path, "Transport") if self.path else ""
        except Exception:
            return ""

    def pids(self):
        if self.side == "driver":
            return {"worker": self.info.get("worker")}
        return {"helper": self.b.bus.helper, "worker": self.b.bus.worker()}

    def stop(self):
        if self.side == "driver":
            if self.proc:
                kill_pid(self.proc.pid, signal.SIGTERM, wait=10, popen=self.proc)
                self.b.untrack(self.proc)
                self.proc = None
            return
        if self.proc:  # an `sslvpn connect` that did not return
            kill_pid(self.proc.pid, signal.SIGTERM, popen=self.proc)
            self.b.untrack(self.proc)
            self.proc = None
        path = self.path or self._bus_connection()
        if not path:
            return
        worker = self.b.bus.worker()
        if self.side == "cli":
            r = run(ns_cmd(self.b.lab.cns, self.b.cli_bin, "disconnect"), check=False,
                    env=self.b.cli_env(), timeout=20)
            if r.returncode != 0:
                debug("sslvpn disconnect: %s" % r.stderr.strip())
        if self.side != "cli" or r.returncode != 0:
            try:
                self.b.bus.call(BUS_NAME, path, IFACE_CONN, "Disconnect")
            except Exception as ex:
                debug("Disconnect: %s" % ex)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                st = self.b.bus.prop(path, "State")
            except Exception:
                st = "gone"
            if st in ("disconnected", "failed", "gone") and not (worker and proc_alive(worker)):
                break
            time.sleep(0.05)
        self.path = None


# ---- the benchmark -------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.cleanup = Cleanup()
        self.tracked = {}
        self.results = {}
        self.versions = {}

    def track(self, popen, what):
        self.tracked[popen.pid] = (popen, what)

    def untrack(self, popen):
        self.tracked.pop(popen.pid, None)

    def kill_tracked(self):
        for pid, (popen, what) in list(self.tracked.items()):
            if popen.poll() is None:
                debug("stopping %s (%d)" % (what, pid))
                kill_pid(pid, signal.SIGINT if what == "openconnect" else signal.SIGTERM,
                         wait=5, popen=popen)
        self.tracked.clear()

    def stop_clients(self):
        """Clients first (they say goodbye to the gateway), before the helper and the lab go."""
        for c in (getattr(self, "oc", None), getattr(self, "us", None)):
            if c is None:
                continue
            try:
                c.stop()
            except Exception as e:
                note("stopping %s: %s" % (c.name, e))
        self.kill_tracked()

    def cli_env(self):
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
               "HOME": self.work, "XDG_CONFIG_HOME": os.path.join(self.work, "config"),
               "LANG": "C.UTF-8"}
        if getattr(self, "bus", None):
            env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus.address
        return env

    # -- setup --

    def setup(self):
        a = self.args
        self.work = tempfile.mkdtemp(prefix="sslvpn-bench.")
        os.chmod(self.work, 0o755)
        if not a.keep:
            self.cleanup.push("work dir", lambda: run(["rm", "-rf", self.work], check=False))
        else:
            self.cleanup.push("work dir", lambda: note("kept %s" % self.work))
        self.cleanup.push("processes", self.kill_tracked)
        # The worker runs only as its own user, made here as the package makes it.
        user_script = os.path.join(SRC, "scripts/worker-user.sh")
        made = run([user_script, "ensure"]).stdout.strip()
        if made == "created":
            self.cleanup.push("worker user", lambda: run([user_script, "remove"], check=False))
        build = a.build
        self.cli_bin = os.path.join(build, "cli/sslvpn")
        self.helper_bin = os.path.join(build, "helper/sslvpn-helper")
        self.worker_bin = os.path.join(build, "helper/worker/sslvpn-worker")
        need = [self.cli_bin, self.worker_bin] + ([self.helper_bin] if a.our_side != "driver"
                                                  else [])
        for f in need:
            if not os.access(f, os.X_OK):
                raise RuntimeError("%s is not built (meson setup %s --buildtype=release; "
                                   "ninja -C %s)" % (f, build, build))
        self.versions = {
            "openconnect": run(["openconnect", "--version"], check=False).stdout.split(
                "\n")[0].replace("OpenConnect version ", ""),
            "ocserv": run(["dpkg-query", "-W", "-f", "${Version}", "ocserv"],
                          check=False).stdout.strip(),
            "sslvpn": run(["git", "-C", SRC, "describe", "--always", "--dirty"],
                          check=False).stdout.strip(),
            "kernel": os.uname().release,
        }
        try:
            self.versions["build"] = json.load(open(os.path.join(
                build, "meson-info/intro-buildoptions.json")))
            opts = {o["name"]: o["value"] for o in self.versions["build"]}
            self.versions["build"] = {k: opts.get(k) for k in ("buildtype", "b_sanitize")}
            if opts.get("b_sanitize") not in (None, "none") or opts.get("buildtype") != "release":
                note("WARNING: %s is a %s build with sanitizer %s: measure a release build "
                     "without sanitizers" % (build, opts.get("buildtype"),
                                             opts.get("b_sanitize")))
        except (OSError, ValueError, KeyError):
            pass
        self.results["loadavg_start"] = loadavg()
        if self.results["loadavg_start"][0] > 1.0:
            note("WARNING: load average %.1f: other work shares the 2 cores, expect noisy "
                 "figures" % self.results["loadavg_start"][0])
        t = time.monotonic()
        self.lab = Lab(self.work, self.cleanup)
        self.env = self.lab.env
        note("lab %s up in %.1f s" % (self.env["LAB_ID"], time.monotonic() - t))
        self.bus = None
        if a.our_side in ("cli", "helper"):
            self.bus = PrivateBus(self)
            took = self.bus.activate_helper()
            self.results["helper_activation_s"] = round(took, 3)
            note("sslvpn-helper activated in %.0f ms (pid %d)" % (took * 1000, self.bus.helper))
        self.iperf = subprocess.Popen(
            ns_cmd(self.lab.sns, "iperf3", "-s", "-B", self.env["LAB_LAN_HOST"]),
            stdout=open(os.path.join(self.work, "iperf3-server.log"), "w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        self.cleanup.push("iperf3 server", lambda: kill_pid(self.iperf.pid, popen=self.iperf))
        for _ in range(100):
            r = run(ns_cmd(self.lab.sns, "ss", "-Hltn", "sport = :5201"), check=False)
            if r.stdout.strip():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the iperf3 server did not start")
        self.oc = OpenConnect(self)
        self.us = Ours(self, a.our_side)

    # -- measurements --

    def first_ping(self, client, no_dtls=False, timeout=20.0, mtu_window=None):
        """Starts CLIENT; returns (seconds from command start to the first echo reply, info)."""
        probe = ReplyProbe(self.lab.cns, self.env["LAB_LAN_HOST"])
        mtu = None
        info = {}
        try:
            t0 = time.time()
            if mtu_window:
                mtu = MtuPoller(self.lab, t0)
                client.watch_mtu()
            client.start(no_dtls)
            deadline = time.time() + timeout
            while time.time() < deadline and not client.dead():
                if probe.wait(0.05):
                    break
            first = probe.first
            if client.wait_up(max(1.0, timeout - (time.time() - t0))):
                info["up_s"] = round(time.time() - t0, 3)
            else:
                info["error"] = getattr(client, "failed", None) or "the tunnel did not come up"
            auth_done = getattr(client, "info", {}).get("auth_done")
            if auth_done:
                info["auth_s"] = round(auth_done - t0, 3)
            if mtu_window:
                # Ours must switch; openconnect never does: watch the whole window unless a
                # switch was seen.  The MTU the device has when the tunnel works is the base.
                def base():
                    marks = [x for x in (probe.first and probe.first - t0, info.get("up_s"))
                             if x is not None]
                    return max(marks) if marks else None

                def switch():
                    """[t, from, to, seen how]: the earlier of a change of the device's MTU
                    and the client applying an MTU by its own account, after BASE."""
                    b = base()
                    if b is None:
                        return None
                    found = []
                    dev = mtu.switch(b)
                    if dev:
                        found.append([dev[0], dev[1], dev[2], "device"])
                    for t, m in client.mtu_reports():
                        if t - t0 > b:
                            found.append([round(t - t0, 2), mtu.value_after(b), m, "reported"])
                            break
                    return min(found) if found else None
                while time.time() - t0 < mtu_window and not switch():
                    time.sleep(0.2)
                mtu.stop()
                first = probe.first
                info["mtu_events"] = mtu.events
                info["mtu_reports"] = [(round(t - t0, 2), m) for t, m in client.mtu_reports()]
                info["mtu_switch"] = switch()
                info["window_s"] = mtu_window
            info["transport"] = client.transport()
        finally:
            probe.stop()
            if mtu:
                mtu.stop()
                client.unwatch_mtu()
        return (round(first - t0, 3) if first else None), info

    def phase_startup(self):
        reps = self.args.reps
        res = {c.name: {"runs_s": [], "info": []} for c in (self.oc, self.us)}
        for i in range(reps):
            order = (self.oc, self.us) if i % 2 == 0 else (self.us, self.oc)
            for c in order:
                self.lab.wait_no_sessions()
                try:
                    t, info = self.first_ping(c)
                finally:
                    c.stop()
                res[c.name]["runs_s"].append(t)
                res[c.name]["info"].append(info)
                note("start to first ping, %-11s run %d: %s" % (
                    c.name, i + 1, "%.0f ms" % (t * 1000) if t else "none (%s)" %
                    info.get("error")))
        for c in res.values():
            ok = [t for t in c["runs_s"] if t is not None]
            c["median_s"] = round(statistics.median(ok), 3) if ok else None
        self.results["startup"] = res

    def iperf_run(self, client, reverse):
        pids = {k: v for k, v in client.pids().items() if v}
        gw = self.lab.session_worker_pid()
        cpu0 = {k: proc_cpu(p) for k, p in pids.items()}
        gw0 = proc_cpu(gw) if gw else None
        cmd = ns_cmd(self.lab.cns, "iperf3", "-c", self.env["LAB_LAN_HOST"], "-t",
                     str(self.args.time), "-J")
        if reverse:
            cmd.append("-R")
        # Latency under load: pings to the same host beside the transfer (50 a second: their
        # CPU is lost in the noise).  Receive moderation may hold a packet in a stream; this is
        # what that costs.
        pinger = subprocess.Popen(ns_cmd(self.lab.cns, "ping", "-n", "-i", "0.02",
                                         self.env["LAB_LAN_HOST"]),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  start_new_session=True)
        self.track(pinger, "ping under load")
        try:
            for _ in range(20):
                r = run(cmd, check=False, timeout=self.args.time + 60)
                # The server needs a moment after the previous test before it takes the next.
                if "server is busy" not in r.stdout:
                    break
                time.sleep(0.25)
                cpu0 = {k: proc_cpu(p) for k, p in pids.items()}
                gw0 = proc_cpu(gw) if gw else None
            cpu1 = {k: proc_cpu(p) for k, p in pids.items()}
            gw1 = proc_cpu(gw) if gw else None
        finally:
            pinger.terminate()
            pings, _ = pinger.communicate(timeout=10)
            self.untrack(pinger)
        rtts = [float(m) for m in re.findall(r"time=([0-9.]+) ms", pings)]
        out = {"pids": pids}
        if rtts:
            out["ping_ms"] = round(statistics.median(rtts), 3)
            out["pings"] = len(rtts)
        try:
            j = json.loads(r.stdout)
            if "error" in j:
                raise ValueError(j["error"])
            recv = j["end"]["sum_received"]
            out["bytes"] = recv["bytes"]
            out["mbit_s"] = round(recv["bits_per_second"] / 1e6, 1)
            out["retransmits"] = j["end"]["sum_sent"].get("retransmits")
        except (ValueError, KeyError) as ex:
            out["error"] = "iperf3: %s" % (ex or r.stderr.strip()[-200:])
            return out
        if any(v is None for v in list(cpu0.values()) + list(cpu1.values())) or not pids:
            out["error"] = "a client process vanished during the transfer"
            return out
        out["cpu_s"] = {k: round(cpu1[k] - cpu0[k], 2) for k in pids}
        total = sum(out["cpu_s"].values())
        out["cpu_s_total"] = round(total, 2)
        out["cpu_s_per_gb"] = round(total / (out["bytes"] / 1e9), 2) if out["bytes"] else None
        if gw0 is not None and gw1 is not None:
            out["gateway_cpu_s"] = round(gw1 - gw0, 2)
        return out

    def transfer_once(self, c, transport, no_dtls):
        """One connection of client C: iperf3 upload then download, then its peak RSS."""
        self.lab.wait_no_sessions()
        entry = {}
        try:
            c.start(no_dtls)
            if not c.wait_up(20):
                entry["error"] = getattr(c, "failed", None) or "no tunnel"
                note("%s over %s: %s" % (c.name, transport, entry["error"]))
                return entry
            if transport == "dtls" and not c.wait_transport("dtls", 5):
                note("%s: no DTLS within 5 s, measuring over %s" % (c.name, c.transport() or "?"))
            entry["transport"] = c.transport()
            for direction, reverse in (("upload", False), ("download", True)):
                entry[direction] = self.iperf_run(c, reverse)
                d = entry[direction]
                note("%-11s %-4s %-8s (%s): %s" % (
                    c.name, transport, direction, entry["transport"],
                    d.get("error") or "%.0f Mbit/s, CPU %.2f s = %.2f s/GB" % (
                        d["mbit_s"], d["cpu_s_total"], d["cpu_s_per_gb"])))
            entry["transport_after"] = c.transport()
            hwm = {k: proc_status(p, "VmHWM") for k, p in c.pids().items() if p}
            entry["peak_rss_kib"] = hwm
            entry["peak_rss_kib_total"] = (sum(hwm.values()) if hwm and None not in hwm.values()
                                           else None)
        finally:
            c.stop()
        return entry

    def phase_transfer(self):
        res = {}
        n = self.args.transfer_reps
        for transport, no_dtls, order in (("dtls", False, (self.oc, self.us)),
                                          ("tls", True, (self.us, self.oc))):
            runs = {c.name: [] for c in order}
            for i in range(n):
                for c in (order if i % 2 == 0 else order[::-1]):
                    runs[c.name].append(self.transfer_once(c, transport, no_dtls))
            res[transport] = {name: summarize(rs) for name, rs in runs.items()}
        self.results["transfer"] = res

    def phase_blocked(self):
        cns = self.lab.cns
        rules = ("table netdev %s {\n chain egress {\n  type filter hook egress device \"%s\" "
                 "priority 0; policy accept;\n  meta l4proto udp udp dport %s counter drop\n"
                 " }\n}\n" % (NFT_TABLE, self.env["LAB_CLIENT_IFACE"], self.env["LAB_PORT"]))
        run(["ip", "netns", "exec", cns, "nft", "-f", "-"], input=rules)
        idx = self.cleanup.push("nft table", lambda: run(
            ["ip", "netns", "exec", cns, "nft", "delete", "table", "netdev", NFT_TABLE],
            check=False))
        def dropped():
            r = run(["ip", "netns", "exec", cns, "nft", "list", "table", "netdev", NFT_TABLE],
                    check=False)
            m = re.search(r"counter packets (\d+)", r.stdout)
            return int(m.group(1)) if m else None

        res = {}
        try:
            for c in (self.oc, self.us):
                self.lab.wait_no_sessions()
                before = dropped()
                try:
                    t, info = self.first_ping(c, timeout=self.args.window,
                                              mtu_window=self.args.window)
                finally:
                    c.stop()
                after = dropped()
                info["first_ping_s"] = t
                # How many DTLS packets the client sent into the block (0: it never tried).
                info["udp_dropped"] = (after - before) if None not in (before, after) else None
                res[c.name] = info
                sw = info.get("mtu_switch")
                note("DTLS blocked, %-11s first ping %s, MTU %s, %s UDP packets dropped" % (
                    c.name, "%.2f s" % t if t else "none",
                    "switched at %.1f s (%s -> %s, %s)" % tuple(sw) if sw else
                    "never switched in %.0f s" % self.args.window, info["udp_dropped"]))
        finally:
            self.cleanup.run_now(idx)
        self.results["dtls_blocked"] = res

    # -- report --

    def rows(self):
        R = self.results
        rows = []

        def add(name, unit, oc, us, target, better, note_=""):
            ratio = round(us / oc, 2) if (oc and us is not None) else None
            verdict = ""
            if target is not None and ratio is not None:
                verdict = "PASS" if (ratio <= target if better == "low" else ratio >= target) \
                    else "MISS"
            rows.append({"figure": name, "unit": unit, "openconnect": oc, "sslvpn": us,
                         "ratio": ratio, "target": target, "better": better,
                         "verdict": verdict, "note": note_})

        st = R.get("startup")
        if st:
            add("start to first ping (median of %d)" % self.args.reps, "ms",
                ms(st["openconnect"]["median_s"]), ms(st["sslvpn"]["median_s"]), 0.8, "low")
        tr = R.get("transfer")
        med = " (median of %d)" % self.args.transfer_reps if self.args.transfer_reps > 1 else ""
        if tr:
            for t in ("dtls", "tls"):
                oc, us = tr[t].get("openconnect", {}), tr[t].get("sslvpn", {})
                n = transport_note(oc, us, t)
                for d in ("upload", "download"):
                    add("throughput %s %s%s" % (t.upper(), d, med), "Mbit/s",
                        oc.get(d, {}).get("mbit_s"), us.get(d, {}).get("mbit_s"), 1.0, "high",
                        n)
            for t in ("dtls", "tls"):
                oc, us = tr[t].get("openconnect", {}), tr[t].get("sslvpn", {})
                n = transport_note(oc, us, t)
                for d in ("upload", "download"):
                    add("client CPU per GB, %s %s%s" % (t.upper(), d, med), "s/GB",
                        oc.get(d, {}).get("cpu_s_per_gb"), us.get(d, {}).get("cpu_s_per_gb"),
                        0.3, "low", n)
            for t in ("dtls", "tls"):
                oc, us = tr[t].get("openconnect", {}), tr[t].get("sslvpn", {})
                n = transport_note(oc, us, t)
                for d in ("upload", "download"):
                    add("ping RTT during %s %s, median" % (t.upper(), d), "ms",
                        oc.get(d, {}).get("ping_ms"), us.get(d, {}).get("ping_ms"), None, "low",
                        n)
            for t in ("dtls", "tls"):
                oc, us = tr[t].get("openconnect", {}), tr[t].get("sslvpn", {})
                add("peak RSS, %s runs" % t.upper(), "MiB", mib(oc.get("peak_rss_kib_total")),
                    mib(us.get("peak_rss_kib_total")), 0.5, "low", transport_note(oc, us, t))
        bl = R.get("dtls_blocked")
        if bl:
            oc, us = bl.get("openconnect", {}), bl.get("sslvpn", {})
            rows.append({"figure": "DTLS blocked: first ping", "unit": "s",
                         "openconnect": oc.get("first_ping_s"), "sslvpn": us.get("first_ping_s"),
                         "ratio": ratio_of(us.get("first_ping_s"), oc.get("first_ping_s")),
                         "target": "sslvpn <= 1 s", "better": "low",
                         "verdict": ("PASS" if us.get("first_ping_s") is not None and
                                     us["first_ping_s"] <= 1.0 else "MISS"), "note": ""})

            def sw(i):
                s = i.get("mtu_switch")
                if s:
                    return "%.1f s (%s->%s)" % (s[0], s[1] if s[1] is not None else "?", s[2])
                return "never (%.0f s)" % i.get("window_s", self.args.window) if i else None
            n = ""
            s = us.get("mtu_switch")
            if s and s[3] == "reported" and s[1] == s[2]:
                n = ("MTU switch: the gateway announced the same MTU for CSTP and DTLS, so the "
                     "device's MTU did not change; ours is the moment its worker applied "
                     "X-CSTP-MTU (WMSG_MTU, from its log)")
            rows.append({"figure": "DTLS blocked: MTU switch", "unit": "",
                         "openconnect": sw(oc), "sslvpn": sw(us), "ratio": None,
                         "target": "info", "better": "", "verdict": "", "note": n})
        return rows

    def errors(self):
        R, out = self.results, []
        for name, c in R.get("startup", {}).items():
            for i, info in enumerate(c["info"]):
                if info.get("error"):
                    out.append("%s, start run %d: %s" % (name, i + 1, info["error"]))
        for t, per in R.get("transfer", {}).items():
            for name, summary in per.items():
                for e in summary.get("runs", [summary]):
                    if e.get("error"):
                        out.append("%s, %s transfer: %s" % (name, t.upper(), e["error"]))
                    for d in ("upload", "download"):
                        if e.get(d, {}).get("error"):
                            out.append("%s, %s %s: %s" % (name, t.upper(), d, e[d]["error"]))
        for name, info in R.get("dtls_blocked", {}).items():
            if isinstance(info, dict) and info.get("error"):
                out.append("%s, DTLS blocked: %s" % (name, info["error"]))
        return out

    def print_table(self, rows):
        def fmt(v):
            if v is None:
                return "-"
            if isinstance(v, float):
                return "%.2f" % v if v < 10 else "%.1f" % v if v < 100 else "%.0f" % v
            return str(v)

        head = ("figure", "unit", "openconnect", "sslvpn", "us/them", "target", "")
        lines = [head]
        for r in rows:
            t = r["target"]
            if isinstance(t, (int, float)):
                t = ("<= %.1fx" if r["better"] == "low" else ">= %.1fx") % t
            lines.append((r["figure"] + (" *" if r["note"] else ""), r["unit"],
                          fmt(r["openconnect"]), fmt(r["sslvpn"]),
                          "%.2fx" % r["ratio"] if r["ratio"] is not None else "-", t or "",
                          r["verdict"]))
        w = [max(len(str(l[i])) for l in lines) for i in range(len(head))]
        print()
        print("sslvpn vs %s, ocserv %s, one run, %s" % (
            self.oc.label, self.versions.get("ocserv"), time.strftime("%Y-%m-%d %H:%M")))
        print("our side: %s; build %s (%s); load average %s at the start" % (
            self.us.label, self.args.build, self.versions.get("sslvpn"),
            " ".join("%.2f" % x for x in self.results.get("loadavg_start", []))))
        for i, l in enumerate(lines):
            cells = [str(c).rjust(w[j]) if 2 <= j <= 4 else str(c).ljust(w[j])
                     for j, c in enumerate(l)]
            print("  ".join(cells).rstrip())
            if i == 0:
                print("  ".join("-" * x for x in w))
        notes = sorted({r["note"] for r in rows if r["note"]})
        for n in notes:
            print("* " + n)
        for e in self.errors():
            print("! " + e)
        print("CPU and RSS: openconnect's process; ours: %s." % (
            "the worker only (driver mode)" if self.us.side == "driver" else
            "sslvpn-helper + sslvpn-worker"))


def summarize(runs):
    """The entry of one client and transport: the run itself, or with several runs the median
    of each figure (and the largest peak RSS), the runs kept under "runs"."""
    if len(runs) == 1:
        return runs[0]
    out = {"runs": runs, "transport": "/".join(sorted({r.get("transport") or "?"
                                                       for r in runs}))}

    def med(values):
        values = [v for v in values if v is not None]
        return round(statistics.median(values), 2) if values else None
    for d in ("upload", "download"):
        ok = [r[d] for r in runs if d in r and "error" not in r[d]]
        out[d] = {k: med(x.get(k) for x in ok) for k in ("mbit_s", "cpu_s_total", "cpu_s_per_gb",
                                                          "gateway_cpu_s", "ping_ms")}
    rss = [r.get("peak_rss_kib_total") for r in runs if r.get("peak_rss_kib_total")]
    out["peak_rss_kib_total"] = max(rss) if rss else None
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def ms(s):
    return round(s * 1000) if s is not None else None


def mib(kib):
    return round(kib / 1024, 1) if kib is not None else None


def ratio_of(a, b):
    return round(a / b, 2) if (a is not None and b) else None


def transport_note(oc, us, t):
    seen = (oc.get("transport"), us.get("transport"))
    if seen == (t, t) or not any(seen):
        return ""
    return "%s runs: openconnect's data went over %s, ours over %s" % (
        t.upper(), seen[0] or "?", seen[1] or "?")


def main():
    global VERBOSE
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 1 repetition, 5 s transfers, 35 s DTLS-blocked window")
    p.add_argument("--out", help="JSON output (default /tmp/sslvpn-bench-DATE.json)")
    p.add_argument("--our-side", choices=("cli", "helper", "driver"),
                   default=os.environ.get("SSLVPN_BENCH_OUR_SIDE", OUR_SIDE_DEFAULT),
                   help="how our client runs (default %(default)s)")
    p.add_argument("--build", default=None,
                   help="build directory (default: build-bench, else build, in the tree)")
    p.add_argument("--reps", type=int, help="start-to-first-ping repetitions (default 5)")
    p.add_argument("--time", type=int, help="seconds per iperf3 run (default 10)")
    p.add_argument("--transfer-reps", type=int, default=1,
                   help="iperf3 runs per client, transport and direction; medians (default 1)")
    p.add_argument("--window", type=float,
                   help="DTLS-blocked observation window in seconds (default 40)")
    p.add_argument("--skip", action="append", default=[],
                   choices=("startup", "transfer", "blocked"), help="skip a phase")
    p.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    VERBOSE = a.verbose
    a.reps = a.reps or (1 if a.quick else 5)
    a.time = a.time or (5 if a.quick else 10)
    a.window = a.window or (35.0 if a.quick else 40.0)
    if a.build is None:
        for d in ("build-bench", "build"):
            if os.path.isdir(os.path.join(SRC, d)):
                a.build = os.path.join(SRC, d)
                break
        else:
            a.build = os.path.join(SRC, "build")
    a.build = os.path.abspath(a.build)
    a.out = a.out or "/tmp/sslvpn-bench-%s.json" % time.strftime("%Y%m%d-%H%M%S")
    if os.geteuid() != 0:
        print("bench-clients: needs root (network namespaces, tun, nft)", file=sys.stderr)
        return 2
    for tool in ("openconnect", "ocserv", "iperf3", "nft", "ping", "ip"):
        if run(["sh", "-c", "command -v " + tool], check=False).returncode != 0:
            print("bench-clients: %s is missing (scripts/install-deps.sh)" % tool,
                  file=sys.stderr)
            return 2

    b = Bench(a)

    def on_signal(signo, frame):
        raise SystemExit(128 + signo)
    # Also when started in the background by a shell (which makes SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = time.monotonic()
    status = 0
    try:
        b.setup()
        if "startup" not in a.skip:
            b.phase_startup()
        if "transfer" not in a.skip:
            b.phase_transfer()
        if "blocked" not in a.skip:
            b.phase_blocked()
        b.results["loadavg_end"] = loadavg()
    except KeyboardInterrupt:
        note("interrupted")
        status = 130
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 1
    except Exception as e:
        note("error: %s" % e)
        if VERBOSE:
            import traceback
            traceback.print_exc()
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        b.stop_clients()
        if getattr(b, "bus", None) and os.path.exists(b.bus.helper_log):
            with open(b.bus.helper_log) as f:
                log = f.read()
            b.results["helper_log_tail"] = log[-3000:] if status else None
        b.cleanup.run_all()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    if status not in (0, 1) or not hasattr(b, "us"):
        return status
    rows = b.rows()
    b.print_table(rows)
    if status == 0 and b.errors():
        status = 1
    doc = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "our_side": a.our_side, "build": a.build, "versions": b.versions,
           "cpus": os.cpu_count(), "args": {k: v for k, v in vars(a).items()},
           "duration_s": round(time.monotonic() - started, 1), "rows": rows,
           "results": b.results}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
    print("JSON: %s (%.0f s in all)" % (a.out, doc["duration_s"]))
    return status


if __name__ == "__main__":
    sys.exit(main())
