# SPDX-License-Identifier: GPL-2.0-or-later
"""Test bed for sslvpn-helper: a private system bus with our real policy file, test users,
and a network namespace the helper lives in (so nothing touches this machine's network).

What it builds (all removed again by cleanup(), also on SIGTERM from meson's timeout):
  - users  <tag>a, <tag>b (members of netdev) and <tag>c (not), made with useradd BEFORE the
    bus starts (the bus drops rules naming unknown groups); the netdev group itself when the
    machine has none;
  - a network namespace <tag> with lo and an "uplink" up0 (one end of a veth pair whose other
    end, up0p, stays unconfigured; 192.0.2.2/24, 2001:db8:1::2/64, default routes via .1 /
    ::1), and /etc/netns/<tag>/resolv.conf, which `ip netns exec`
    bind-mounts over /etc/resolv.conf for everything started in the namespace;
  - a dbus-daemon started in that namespace with a system-like config that <include>s
    dbus/org.sslvpn.Helper1.conf from the source tree, and a <servicedir> whose activation
    file starts the build tree's sslvpn-helper with its stderr (and its workers') in a log.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import dbus

BUS_NAME = "org.sslvpn.Helper1"
ROOT_PATH = "/org/sslvpn/Helper1"
IFACE_MANAGER = "org.sslvpn.Helper1.Manager"
IFACE_CONN = "org.sslvpn.Helper1.Connection"
IFACE_AGENT_MGR = "org.sslvpn.Helper1.AgentManager"
ERROR_PREFIX = "org.sslvpn.Helper1.Error."
PIN = "pin-sha256:" + "A" * 43 + "="
HERE = os.path.dirname(os.path.abspath(__file__))
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer")

# The bus configuration every private test bus uses, filled in by _bus().
BUS_CONFIG_TEMPLATE = os.path.join(HERE, "..", "lab", "system-bus.conf.in")

SERVICE = """[D-BUS Service]
Name=org.sslvpn.Helper1
Exec=/bin/sh -c "exec {helper} 2>>{tmp}/helper.log"
User=root
"""

RESOLV_CONF = b"# the test namespace's own resolv.conf\nnameserver 192.0.2.1\nsearch example.org\noptions edns0\n"


class TestFailure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise TestFailure(what)
    print("ok - " + what, flush=True)


def run(*cmd, check_rc=True, **kw):
    p = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if check_rc and p.returncode != 0:
        raise TestFailure("%s failed: %s" % (" ".join(cmd), p.stderr.strip()))
    return p


class Env:
    def __init__(self, source, build, worker=None, idle=60, polkit_uids=None, resolved=False,
                 prepared=None, polkit_hold=()):
        self.source = source
        self.build = build
        self.worker = worker
        self.idle = idle
        self.prepared = prepared
        self.polkit_uids = polkit_uids
        self.polkit_hold = polkit_hold  # roles whose polkit questions are never answered
        self.resolved = resolved
        self.tag = "svh%d" % random.randint(10000, 99999)
        self.ns = self.tag
        self.canary = "CANARY%08x" % random.getrandbits(32)
        self.users = {}
        self.created_users = []
        self.created_netdev = False
        self.procs = []
        self.daemon = None
        self.tmp = None
        self.bus = None

    # -- setup ------------------------------------------------------------------------------

    def setup(self):
        signal.signal(signal.SIGTERM, lambda *a: sys.exit("terminated"))
        self.tmp = tempfile.mkdtemp(prefix="sslvpn-it-")
        os.chmod(self.tmp, 0o755)
        self._users()
        self._netns()
        self._bus()

    def _users(self):
        if run("getent", "group", "netdev", check_rc=False).returncode != 0:
            run("groupadd", "-r", "netdev")
            self.created_netdev = True
        for role, groups in (("member", ["netdev"]), ("member2", ["netdev"]), ("other", [])):
            name = self.tag + {"member": "a", "member2": "b", "other": "c"}[role]
            cmd = ["useradd", "-M", "-N", "-d", "/nonexistent", "-s", "/usr/sbin/nologin"]
            if groups:
                cmd += ["-G", ",".join(groups)]
            run(*cmd, name)
            self.created_users.append(name)
            pw = run("getent", "passwd", name).stdout.split(":")
            self.users[role] = (name, int(pw[2]), int(pw[3]))

    def _netns(self):
        ns = self.ns
        run("ip", "netns", "add", ns)
        self.netns_created = True
        # No duplicate address detection: "tentative" flags would make snapshots race.
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0")
        for cmd in (["link", "set", "lo", "up"],
                    ["link", "add", "up0", "type", "veth", "peer", "name", "up0p"],
                    ["link", "set", "up0p", "up"],
                    ["link", "set", "up0", "up"],
                    ["addr", "add", "192.0.2.2/24", "dev", "up0"],
                    ["-6", "addr", "add", "2001:db8:1::2/64", "dev", "up0", "nodad"],
                    ["route", "add", "default", "via", "192.0.2.1"],
                    ["-6", "route", "add", "default", "via", "2001:db8:1::1"]):
            run("ip", "-n", ns, *cmd)
        os.makedirs("/etc/netns/" + ns, exist_ok=True)
        with open("/etc/netns/%s/resolv.conf" % ns, "wb") as f:
            f.write(RESOLV_CONF)
        os.chmod("/etc/netns/%s/resolv.conf" % ns, 0o644)

    def _bus(self):
        with open(os.path.join(self.tmp, "bus.conf"), "w") as f:
            with open(BUS_CONFIG_TEMPLATE) as t:
                f.write(t.read().replace("@DIR@", self.tmp).replace("@POLICY@", os.path.join(
                    self.source, "dbus", "org.sslvpn.Helper1.conf")))
        os.makedirs(os.path.join(self.tmp, "services"))
        with open(os.path.join(self.tmp, "services", "org.sslvpn.Helper1.service"), "w") as f:
            f.write(SERVICE.format(helper=os.path.join(self.build, "helper", "sslvpn-helper"),
                                   tmp=self.tmp))
        self.address = "unix:path=%s/system_bus_socket" % self.tmp
        env = dict(os.environ)
        env.update({
            "DBUS_SYSTEM_BUS_ADDRESS": self.address,
            "SSLVPN_HELPER_IDLE_SECONDS": str(self.idle),
            "SSLVPN_HELPER_PREPARED_SECONDS": str(self.prepared or 60),
            "SSLVPN_HELPER_STATE_DIR": os.path.join(self.tmp, "state"),
            "SSLVPN_DEBUG": "1",
        })
        if self.worker:
            env["SSLVPN_WORKER"] = self.worker
        else:
            env["SSLVPN_WORKER"] = os.path.join(HERE, "fake-worker.py")
        self.daemon_log = open(os.path.join(self.tmp, "daemon.log"), "w")
        self.daemon = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "dbus-daemon", "--nofork", "--print-address",
             "--config-file=" + os.path.join(self.tmp, "bus.conf")],
            stdout=subprocess.PIPE, stderr=self.daemon_log, env=env, text=True)
        # It prints its address once it listens.
        if not self.daemon.stdout.readline().startswith("unix:"):
            raise TestFailure("the private bus did not start")
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        self.bus = dbus.bus.BusConnection(self.address)
        if self.polkit_uids is not None:
            uids = [self.users[r][1] if r in self.users else int(r) for r in self.polkit_uids]
            held = ["hold=%d" % self.users[r][1] for r in self.polkit_hold]
            p = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fake-polkit.py")] +
                                 held + [str(u) for u in uids],
                                 stdout=subprocess.PIPE, text=True, env=env)
            self.procs.append(p)
            self.polkit = p
            check(p.stdout.readline().strip() == "ready", "fake polkit on the bus")
        if self.resolved:
            p = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fake-resolved.py")],
                                 stdout=subprocess.PIPE, text=True, env=env)
            self.procs.append(p)
            self.resolved_proc = p
            check(json.loads(p.stdout.readline()) == {"ready": True},
                  "fake systemd-resolved on the bus")

    # -- teardown ---------------------------------------------------------------------------

    def helper_pid(self):
        try:
            return int(self.bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                              "org.freedesktop.DBus",
                                              "GetConnectionUnixProcessID", "s", [BUS_NAME]))
        except dbus.exceptions.DBusException:
            return None

    def stop_helper(self, timeout=20):
        """SIGTERM, as systemd would; returns once it is gone."""
        pid = self.helper_pid()
        if not pid:
            return None
        os.kill(pid, signal.SIGTERM)
        for _ in range(timeout * 10):
            if not os.path.exists("/proc/%d" % pid) or \
                    open("/proc/%d/stat" % pid).read().split(")")[-1].split()[0] == "Z":
                return pid
            time.sleep(0.1)
        raise TestFailure("the helper did not exit on SIGTERM")

    def logs(self):
        out = {}
        for name in ("helper.log", "daemon.log"):
            try:
                with open(os.path.join(self.tmp, name), errors="replace") as f:
                    out[name] = f.read()
            except OSError:
                out[name] = ""
        return out

    def check_logs(self):
        logs = self.logs()
        for name, text in logs.items():
            for mark in SANITIZER_MARKS:
                check(mark not in text, "no %s report in %s" % (mark, name))
            check(self.canary not in text, "the canary secret appears nowhere in " + name)

    def cleanup(self, dump_logs=False):
        try:
            if self.bus:
                try:
                    self.stop_helper()
                except TestFailure as e:
                    print("# " + str(e))
        finally:
            for p in self.procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            if self.daemon and self.daemon.poll() is None:
                self.daemon.terminate()
                try:
                    self.daemon.wait(5)
                except subprocess.TimeoutExpired:
                    self.daemon.kill()
            if getattr(self, "netns_created", False):
                # Anything left in the namespace (a stuck worker) would keep it alive.
                for pid in run("ip", "netns", "pids", self.ns, check_rc=False).stdout.split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:
                        pass
                run("ip", "netns", "del", self.ns, check_rc=False)
            shutil.rmtree("/etc/netns/" + self.ns, ignore_errors=True)
            for name in self.created_users:
                run("userdel", name, check_rc=False)
            if self.created_netdev:
                run("groupdel", "netdev", check_rc=False)
            if dump_logs and self.tmp:
                for name, text in self.logs().items():
                    print("# ---- %s ----" % name)
                    for line in text.splitlines()[-200:]:
                        print("# " + line)
            if self.tmp:
                shutil.rmtree(self.tmp, ignore_errors=True)

    # -- calls ------------------------------------------------------------------------------

    def client(self, role, req, timeout=60):
        """Runs bus_client.py as a test user ("root" runs it without setpriv)."""
        cmd = ["/usr/bin/python3", os.path.join(HERE, "bus_client.py")]
        if role != "root":
            name, uid, gid = self.users[role]
            cmd = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--init-groups", "--"] + cmd
        env = {"DBUS_SYSTEM_BUS_ADDRESS": self.address, "PATH": "/usr/bin:/bin", "HOME": "/"}
        p = subprocess.run(cmd, input=json.dumps(req), capture_output=True, text=True, env=env,
                           timeout=timeout)
        if p.returncode != 0:
            raise TestFailure("client as %s failed: %s" % (role, p.stderr.strip()[-2000:]))
        return json.loads(p.stdout)

    def client_bg(self, role, req):
        """bus_client.py as a test user in the background (cleanup() kills it)."""
        name, uid, gid = self.users[role]
        cmd = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--init-groups", "--",
               "/usr/bin/python3", os.path.join(HERE, "bus_client.py")]
        env = {"DBUS_SYSTEM_BUS_ADDRESS": self.address, "PATH": "/usr/bin:/bin", "HOME": "/"}
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env=env)
        p.stdin.write(json.dumps(req))
        p.stdin.close()
        p.stdin = None
        self.procs.append(p)
        return p

    def call(self, role, path, iface, method, signature="", args=(), **kw):
        return self.client(role, dict(op="call", path=path, iface=iface, method=method,
                                      signature=signature, args=list(args), **kw))

    def connect(self, role, options, **kw):
        """options: {key: (type, value)}; returns the client's JSON result."""
        pairs = [[k, {"t": t, "v": v} if t != "bytes" else {"t": "bytes", "n": v}]
                 for k, (t, v) in options.items()]
        return self.call(role, ROOT_PATH, IFACE_MANAGER, "Connect", "a{sv}",
                         [{"t": "a{sv}", "v": pairs}], **kw)

    def good_options(self, cookie_prefix, **over):
        o = {"Gateway": ("s", "https://vpn.lab.test/"), "Address": ("s", "198.18.0.10"),
             "Cookie": ("s", cookie_prefix + "-" + self.canary), "ServerCertPin": ("s", PIN)}
        o.update(over)
        return o

    def start_agent(self, role, path, reply, seconds=60):
        cmd = ["/usr/bin/python3", os.path.join(HERE, "bus_client.py")]
        name, uid, gid = self.users[role]
        cmd = ["setpriv", "--reuid=%d" % uid, "--regid=%d" % gid, "--init-groups", "--"] + cmd
        env = {"DBUS_SYSTEM_BUS_ADDRESS": self.address, "PATH": "/usr/bin:/bin", "HOME": "/"}
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             env=env)
        p.stdin.write(json.dumps(dict(op="agent", path=path, reply=reply, seconds=seconds)))
        p.stdin.close()
        p.stdin = None  # communicate() must not flush it later
        self.procs.append(p)
        line = json.loads(p.stdout.readline())
        check(line["event"] == "registered", "%s's agent registered" % role)
        return p

    # -- root's view ------------------------------------------------------------------------

    def get(self, path, iface, prop):
        return self.bus.call_blocking(BUS_NAME, path, "org.freedesktop.DBus.Properties", "Get",
                                      "ss", [iface, prop])

    def get_all(self, path, iface=IFACE_CONN):
        return self.bus.call_blocking(BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                      "GetAll", "s", [iface])

    def wait_state(self, path, states, timeout=20):
        deadline = time.time() + timeout
        state = None
        while time.time() < deadline:
            state = str(self.get(path, IFACE_CONN, "State"))
            if state in states:
                return state
            time.sleep(0.1)
        raise TestFailure("%s stayed %s (wanted %s)" % (path, state, "/".join(states)))

    def ping(self):
        """The helper still answers (its own dispatch, not just libdbus's Peer)."""
        v = self.get(ROOT_PATH, IFACE_MANAGER, "Version")
        return isinstance(v, dbus.String) and len(v) > 0

    def has_owner(self):
        return bool(self.bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner", "s",
                                           [BUS_NAME]))

    def activate(self):
        self.bus.call_blocking(BUS_NAME, ROOT_PATH, "org.freedesktop.DBus.Peer", "Ping", "", [])

    # -- the namespace's network ------------------------------------------------------------

    def ip(self, *args):
        return run("ip", "-n", self.ns, *args).stdout

    def resolv_conf_path(self):
        return "/etc/netns/%s/resolv.conf" % self.ns

    def snapshot(self):
        """Everything the helper may change, to compare before and after."""
        state = {}
        for args in (("-4", "addr"), ("-6", "addr"), ("-4", "route", "show", "table", "all"),
                     ("-6", "route", "show", "table", "all"), ("link",)):
            state[" ".join(args)] = self.ip(*args)
        p = self.resolv_conf_path()
        st = os.lstat(p)
        with open(p, "rb") as f:
            state["resolv.conf"] = (f.read(), st.st_mode, st.st_uid, st.st_gid)
        return state

    def tun_links(self):
        return re.findall(r"^\d+: (sslvpn\d+)", self.ip("link"), re.M)


def main(cases, argv):
    """Runs the case named in argv: CASE --source DIR --build DIR [--worker PATH]."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(cases))
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--worker")
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("needs root (users, network namespaces)", file=sys.stderr)
        return 1
    fn, kw = cases[a.case]
    if kw.get("real_worker"):
        kw = dict(kw)
        del kw["real_worker"]
        if not a.worker or not os.access(a.worker, os.X_OK):
            print("not ok - the real sslvpn-worker is not built (%s)" % a.worker)
            return 1
        kw["worker"] = a.worker
    env = Env(a.source, a.build, **kw)
    failed = True
    try:
        env.setup()
        fn(env)
        env.stop_helper()
        env.check_logs()
        failed = False
    except (TestFailure, subprocess.TimeoutExpired, dbus.exceptions.DBusException) as e:
        print("not ok - %s" % e, flush=True)
    finally:
        env.cleanup(dump_logs=failed)
    return 1 if failed else 0
