#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration tests of sslvpn-helper on a private system bus (see harness.py).

usage: test-helper.py CASE --source SRCDIR --build BUILDDIR [--worker PATH]

Every case ends with the helper stopped by SIGTERM and its log (workers included) and the bus
daemon's log checked for sanitizer reports and for the canary planted in every cookie.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (ERROR_PREFIX, IFACE_AGENT_MGR, IFACE_CONN, IFACE_MANAGER,  # noqa: E402
                     PIN, ROOT_PATH, check, TestFailure)

INVALID = ERROR_PREFIX + "InvalidArgs"
DENIED = ERROR_PREFIX + "AccessDenied"
MIB = 1024 * 1024
DOC_NS = "{http://www.freedesktop.org/dbus/1.0/doc.dtd}"


def error_of(r):
    return None if r["ok"] else r["error"]


def conn_path(r):
    if not r["ok"]:
        raise TestFailure("Connect failed: %s: %s" % (r["error"], r["message"]))
    return r["result"][0]


def disconnect(env, role, path):
    return env.call(role, path, IFACE_CONN, "Disconnect")


def worker_pid(env):
    helper = env.helper_pid()
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(helper)], capture_output=True,
                         text=True).stdout.split()
    pids = [int(p) for p in out]
    check(len(pids) == 1, "the helper has one worker child")
    return pids[0]


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)


def check_restored(env, before, what):
    after = env.snapshot()
    for key in before:
        if before[key] != after[key]:
            print("# before %s:\n# %s" % (key, str(before[key]).replace("\n", "\n# ")))
            print("# after %s:\n# %s" % (key, str(after[key]).replace("\n", "\n# ")))
        check(before[key] == after[key], "%s: %s is as before" % (what, key))
    check(env.tun_links() == [], "%s: no tun device left" % what)


class Monitor:
    """gdbus monitor on the helper's name: the signals a tray would see."""

    def __init__(self, env):
        # Line-buffered: the output must survive the SIGTERM that ends it.
        self.p = subprocess.Popen(["stdbuf", "-oL", "gdbus", "monitor", "--system", "--dest",
                                   harness.BUS_NAME],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                  env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=env.address))
        env.procs.append(self.p)
        time.sleep(0.3)

    def text(self):
        self.p.terminate()
        return self.p.communicate(timeout=5)[0]


# ------------------------------------------------------------------------------------------
# Introspection

def summary(iface):
    """Members and signatures of an <interface> element, for a readable diff."""
    out = []
    for m in iface:
        if m.tag in ("method", "signal"):
            args = ["%s:%s:%s" % (a.get("name"), a.get("type"), a.get("direction", ""))
                    for a in m if a.tag == "arg"]
            out.append("%s %s(%s)" % (m.tag, m.get("name"), ", ".join(args)))
        elif m.tag == "property":
            out.append("property %s %s %s" % (m.get("name"), m.get("type"), m.get("access")))
    return out


def interfaces(xml_text):
    root = ET.fromstring(xml_text)
    return {i.get("name"): i for i in root.findall("interface")}, root


def introspect(env, path):
    return str(env.bus.call_blocking(harness.BUS_NAME, path,
                                     "org.freedesktop.DBus.Introspectable", "Introspect", "",
                                     []))


def case_introspection(env):
    xml_file = os.path.join(env.source, "dbus", "org.sslvpn.Helper1.xml")
    subprocess.run(["xmllint", "--noout", xml_file], check=True)
    with open(xml_file) as f:
        file_ifaces, _ = interfaces(f.read())
    check(set(file_ifaces) == {IFACE_MANAGER, IFACE_CONN, IFACE_AGENT_MGR,
                               "org.sslvpn.Helper1.Agent"}, "the XML file has the four interfaces")
    for name, iface in file_ifaces.items():
        for el in [iface] + [m for m in iface if m.tag != DOC_NS + "doc"] + \
                [a for m in iface for a in m if a.tag == "arg"]:
            check(el.find(DOC_NS + "doc") is not None,
                  "%s %s %s has a <doc:doc>" % (name, el.tag, el.get("name")))

    path = conn_path(env.connect("member", env.good_options("hang")))
    live = {}
    for p in (ROOT_PATH, path):
        text = introspect(env, p)
        tmp = os.path.join(env.tmp, "live.xml")
        with open(tmp, "w") as f:
            f.write(text)
        subprocess.run(["xmllint", "--noout", tmp], check=True)
        ifaces, root = interfaces(text)
        live[p] = (ifaces, root)
    root_ifaces, root_node = live[ROOT_PATH]
    conn_ifaces, _ = live[path]
    for name, ifaces in ((IFACE_MANAGER, root_ifaces), (IFACE_AGENT_MGR, root_ifaces),
                         (IFACE_CONN, conn_ifaces)):
        check(name in ifaces, "%s is served" % name)
        check(summary(ifaces[name]) == summary(file_ifaces[name]),
              "live %s has the file's members and signatures" % name)
        ifaces[name].tail = file_ifaces[name].tail = None
        check(ET.tostring(ifaces[name]) == ET.tostring(file_ifaces[name]),
              "live %s equals the file's, documentation included" % name)
    check("org.sslvpn.Helper1.Agent" not in root_ifaces, "Agent is not served by the helper")
    for std in ("org.freedesktop.DBus.ObjectManager", "org.freedesktop.DBus.Properties",
                "org.freedesktop.DBus.Introspectable"):
        check(std in root_ifaces, "%s is served at the root object" % std)
    check([n.get("name") for n in root_node.findall("node")] == ["connection"],
          "the root object lists its connection child")
    for p, child in (("/", "org"), ("/org", "sslvpn"), ("/org/sslvpn", "Helper1"),
                     (ROOT_PATH + "/connection", path.rsplit("/", 1)[1])):
        _, node = interfaces(introspect(env, p))
        check(child in [n.get("name") for n in node.findall("node")],
              "%s lists %s" % (p, child))
    check(disconnect(env, "member", path)["ok"], "the owner disconnects")
    env.wait_state(path, ["disconnected"])


# ------------------------------------------------------------------------------------------
# Activation and idle exit

def case_activation_idle(env):
    check(not env.has_owner(), "nobody owns the name before the first call")
    env.activate()
    check(env.has_owner(), "a call activates the helper")
    pid = env.helper_pid()
    check(pid and os.path.exists("/proc/%d" % pid), "the activated helper runs")
    start = time.time()
    while env.has_owner() and time.time() - start < 20:
        time.sleep(0.2)
    check(not env.has_owner(), "the idle helper left the bus after %.1f s" % (time.time() - start))
    time.sleep(0.5)
    gone = not os.path.exists("/proc/%d" % pid) or \
        open("/proc/%d/stat" % pid).read().split(")")[-1].split()[0] == "Z"
    check(gone, "the idle helper exited")
    env.activate()
    check(env.has_owner() and env.ping(), "the next call starts a new helper")

    # A second helper refuses to start while the name is taken.
    p = subprocess.run([os.path.join(env.build, "helper", "sslvpn-helper")], capture_output=True,
                       text=True, env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=env.address),
                       timeout=30)
    check(p.returncode == 3 and "already owned" in p.stderr,
          "a second helper exits (3) with a clear error while the name is taken")
    check(env.ping(), "the first one carries on")

    # Ended connections are removed (InterfacesRemoved) when the idle helper exits.
    mon = Monitor(env)
    path = conn_path(env.connect("member", env.good_options("hang")))
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])
    start = time.time()
    while env.has_owner() and time.time() - start < 20:
        time.sleep(0.2)
    check(not env.has_owner(), "the helper exits when idle after a connection ended")
    signals = mon.text()
    check("InterfacesAdded" in signals and "InterfacesRemoved" in signals,
          "InterfacesAdded and InterfacesRemoved were emitted")


# ------------------------------------------------------------------------------------------
# Connect's options

def case_invalid_args(env):
    env.activate()
    cert = os.path.join(env.tmp, "cert.pem")
    with open(cert, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\n")
    empty = os.path.join(env.tmp, "empty")
    open(empty, "w").close()
    os.chmod(cert, 0o644)
    os.chmod(empty, 0o644)

    bad = []
    # Without both Cookie and ServerCertPin the connection is prepared (case "prepared").
    for key in ("Gateway", "Address", "Cookie", "ServerCertPin"):
        o = env.good_options("hang")
        del o[key]
        bad.append(("missing " + key, o))
    for key, t, v in (("Gateway", "i", 1), ("Address", "as", ["192.0.2.1"]), ("Cookie", "u", 7),
                      ("ServerCertPin", "b", True), ("NoDtls", "s", "yes"),
                      ("UserAgent", "i", 3), ("ClientCertFd", "s", "/etc/passwd")):
        bad.append(("%s of type %s" % (key, t), env.good_options("hang", **{key: (t, v)})))
    for key in ("Gateway", "Address", "Cookie", "ServerCertPin", "UserAgent"):
        bad.append(("1 MiB %s" % key, env.good_options("hang", **{key: ("bytes", MIB)})))
    big_key = env.good_options("hang")
    big_key["K" * MIB] = ("s", "x")
    bad.append(("a 1 MiB key", big_key))
    for pin in ("sha256:" + "A" * 43 + "=", "pin-sha256:" + "A" * 43, "pin-sha256:" + "A" * 44,
                "pin-sha256:" + "A" * 42 + "B=", "pin-sha256:" + "A" * 42 + "*=",
                "PIN-SHA256:" + "A" * 43 + "=", "pin-sha256:" + "A" * 43 + "==", ""):
        bad.append(("pin %r" % pin, env.good_options("hang", ServerCertPin=("s", pin))))
    for url in ("http://vpn.lab.test/", "https://vpn_lab.test/", "https://-vpn.lab.test/",
                "https://vpn..lab.test/", "https://user@vpn.lab.test/", "https://vpn.lab.test",
                "https://VPN.lab.test/", "https://vpn.lab.test:443/", "https://vpn.lab.test:0/",
                "https://vpn.lab.test:65536/", "https://[::1/", "https://vpn.lab.test/a b",
                "https://vpn.lab.test/#x", "https://vpn.lab.test/\n", "https:///",
                "https://1.2.3/", "vpn.lab.test", ""):
        bad.append(("gateway %r" % url, env.good_options("hang", Gateway=("s", url))))
    for addr in ("vpn.lab.test", "0.0.0.0", "224.0.0.1", "::", "ff02::1", "1.2.3", "",
                 "192.0.2.1 ", "fe80::1%lo", "255.255.255.255"):
        bad.append(("address %r" % addr, env.good_options("hang", Address=("s", addr))))
    bad.append(("address not the gateway's literal",
                env.good_options("hang", Gateway=("s", "https://192.0.2.9/"),
                                 Address=("s", "192.0.2.10"))))
    for cookie in ("", "a b", "a;b", "a\nb", "x" * 4097, "caf\u00e9"):
        bad.append(("cookie of %d bytes with %r" % (len(cookie), cookie[:4]),
                    env.good_options("hang", Cookie=("s", cookie))))
    for ua in ("", "a\nb", "u" * 257):
        bad.append(("user agent %r" % ua[:8], env.good_options("hang", UserAgent=("s", ua))))
    bad.append(("unknown key", env.good_options("hang", Foo=("s", "bar"))))
    many = env.good_options("hang")
    for i in range(40):
        many["Extra%d" % i] = ("s", "x")
    bad.append(("40 keys", many))
    bad.append(("key without certificate",
                env.good_options("hang", ClientKeyFd=("h", cert))))
    for name, path in (("a directory", "/"), ("a device", "/dev/null"), ("empty", empty)):
        bad.append(("certificate fd to %s" % name,
                    env.good_options("hang", ClientCertFd=("h", path))))

    for what, opts in bad:
        pairs = []
        for k, (t, v) in opts.items():
            if t == "bytes":
                pairs.append([k, {"t": "bytes", "n": v}])
            elif t == "h":
                pairs.append([k, {"t": "h", "path": v}])
            else:
                pairs.append([k, {"t": t, "v": v}])
        r = env.call("member", ROOT_PATH, IFACE_MANAGER, "Connect", "a{sv}",
                     [{"t": "a{sv}", "v": pairs}])
        check(error_of(r) == INVALID, "%s -> InvalidArgs (%s)" % (what, r.get("message", "")[:90]))
        check(env.ping(), "the helper still answers after: " + what)

    r = env.call("member", ROOT_PATH, IFACE_MANAGER, "Connect", "a{sv}",
                 [{"t": "a{sv}", "v": [["Gateway", {"t": "s", "v": "https://a.test/"}],
                                       ["Gateway", {"t": "s", "v": "https://b.test/"}]]}])
    check(error_of(r) == INVALID, "a repeated key -> InvalidArgs")
    r = env.call("member", ROOT_PATH, IFACE_MANAGER, "Connect", "s", [{"t": "s", "v": "x"}])
    check(error_of(r) == INVALID, "Connect(s) -> InvalidArgs")
    r = env.call("other", ROOT_PATH, IFACE_MANAGER, "Connect", "a{sv}",
                 [{"t": "a{sv}", "v": [["Gateway", {"t": "i", "v": 1}]]}])
    check(error_of(r) == INVALID, "options are checked before the caller is")
    r = env.call("member", ROOT_PATH, "org.freedesktop.DBus.Properties", "Set", "ssv",
                 [{"t": "s", "v": IFACE_MANAGER}, {"t": "s", "v": "Version"},
                  {"t": "s", "v": "9"}])
    check(error_of(r) == "org.freedesktop.DBus.Error.AccessDenied",
          "the bus policy refuses Properties.Set")
    r = env.call("member", ROOT_PATH, IFACE_MANAGER, "Frobnicate")
    check(error_of(r) == "org.freedesktop.DBus.Error.AccessDenied",
          "the bus policy refuses unknown methods")
    r = env.call("root", ROOT_PATH, "org.freedesktop.DBus.Properties", "Set", "ssv",
                 [{"t": "s", "v": IFACE_MANAGER}, {"t": "s", "v": "Version"},
                  {"t": "s", "v": "9"}])
    check(error_of(r) == "org.freedesktop.DBus.Error.PropertyReadOnly",
          "the helper refuses Properties.Set")
    check(list(env.get(ROOT_PATH, IFACE_MANAGER, "Connections")) == [],
          "no connection object was created by any of them")
    check("created for uid" not in env.logs()["helper.log"], "no connection was started")


# ------------------------------------------------------------------------------------------
# Who may do what

def case_access(env):
    before = env.snapshot()
    r = env.connect("other", env.good_options("hang"))
    check(error_of(r) == DENIED, "a user outside netdev may not Connect")
    path = conn_path(env.connect("member", env.good_options("hang")))
    props = env.get_all(path)
    check(int(props["Owner"]) == env.users["member"][1], "Owner is the caller's uid")
    check(str(props["State"]) == "connecting", "the new connection is connecting")
    check(str(props["Gateway"]) == "https://vpn.lab.test/", "Gateway is shown")
    check(re.match(r"sslvpn\d+$", str(props["Interface"])), "it has a tun device")
    check("Cookie" not in props and env.canary not in repr(props), "no cookie in the properties")
    check(path in [str(p) for p in env.get(ROOT_PATH, IFACE_MANAGER, "Connections")],
          "it is in Connections")
    objs = env.bus.call_blocking(harness.BUS_NAME, ROOT_PATH,
                                 "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "",
                                 [])
    check(path in [str(p) for p in objs], "GetManagedObjects lists it")

    for role in ("member2", "other"):
        check(error_of(disconnect(env, role, path)) == DENIED, "%s may not Disconnect it" % role)
        r = env.call(role, path, IFACE_CONN, "GetPostAuthXml")
        check(error_of(r) == DENIED, "%s may not read its post-auth XML" % role)
    check(str(env.get(path, IFACE_CONN, "State")) == "connecting", "it is still connecting")
    r = env.call("member", path, IFACE_CONN, "GetPostAuthXml")
    check(r["ok"] and r["result"] == [""], "the owner reads the (empty) post-auth XML")
    r = env.call("root", path, IFACE_CONN, "GetPostAuthXml")
    check(r["ok"], "root reads the post-auth XML")
    r = env.connect("member2", env.good_options("hang"))
    check(error_of(r) == ERROR_PREFIX + "Busy", "a second tunnel is Busy")
    check(disconnect(env, "member", path)["ok"], "the owner may Disconnect")
    env.wait_state(path, ["disconnected"])
    check(error_of(disconnect(env, "member", path)) == ERROR_PREFIX + "NotFound",
          "disconnecting twice -> NotFound")

    # Client certificate and key reach the worker as file descriptors, and nothing else does.
    cert = os.path.join(env.tmp, "client.pem")
    key = os.path.join(env.tmp, "client.key")
    for f, size in ((cert, 123), (key, 45)):
        with open(f, "w") as fh:
            fh.write("x" * size)
        os.chmod(f, 0o644)
    opts = env.good_options("hang")
    pairs = [[k, {"t": t, "v": v}] for k, (t, v) in opts.items()]
    pairs += [["ClientCertFd", {"t": "h", "path": cert}], ["ClientKeyFd", {"t": "h", "path": key}]]
    r = env.call("member", ROOT_PATH, IFACE_MANAGER, "Connect", "a{sv}",
                 [{"t": "a{sv}", "v": pairs}])
    path_fd = conn_path(r)
    deadline = time.time() + 10
    while "received 2 fds" not in env.logs()["helper.log"] and time.time() < deadline:
        time.sleep(0.1)
    check("received 2 fds (regular files of [123, 45] bytes)" in env.logs()["helper.log"],
          "the worker got the certificate and key files with WMSG_START")
    check(disconnect(env, "member", path_fd)["ok"], "Disconnect")
    env.wait_state(path_fd, ["disconnected"])

    path2 = conn_path(env.connect("member2", env.good_options("hang")))
    check(path2 != path, "a new connection gets a new path")
    check(disconnect(env, "root", path2)["ok"], "root may Disconnect anyone's connection")
    env.wait_state(path2, ["disconnected"])
    check_restored(env, before, "after the access checks")


def case_polkit(env):
    env.activate()
    path = conn_path(env.connect("other", env.good_options("hang")))
    check(True, "polkit lets the non-member it allows Connect")
    check(disconnect(env, "other", path)["ok"], "and Disconnect")
    env.wait_state(path, ["disconnected"])
    r = env.connect("member", env.good_options("hang"))
    check(error_of(r) == DENIED, "when polkit runs, polkit decides (netdev member denied)")
    env.polkit.terminate()
    out = env.polkit.communicate(timeout=5)[0]
    check(re.search(r"kind=system-bus-name uid=%d action=org.sslvpn.Helper1.connect flags=1 -> "
                    r"True" % env.users["other"][1], out),
          "the helper asked polkit about the caller's bus name, interaction allowed")
    check(re.search(r"uid=%d .* -> False" % env.users["member"][1], out),
          "and about the member")


def case_pending_quota(env):
    """polkit never answers member (a prompt nobody answers): member's waiting Connect calls
    are capped per uid, so member2 can still connect."""
    env.activate()
    waiting = [env.client_bg("member", dict(
        op="call", path=ROOT_PATH, iface=IFACE_MANAGER, method="Connect", signature="a{sv}",
        args=[{"t": "a{sv}", "v": [[k, {"t": t, "v": v}] for k, (t, v) in
                                  env.good_options("hang").items()]}], timeout=120))
        for _ in range(4)]
    for _ in waiting:
        check(env.polkit.stdout.readline().startswith("hold uid=%d" % env.users["member"][1]),
              "one of member's Connect calls waits for polkit")
    for _ in range(4):
        r = env.connect("member", env.good_options("hang"), timeout=5)
        check(error_of(r) == ERROR_PREFIX + "Busy" and "this user" in r["message"],
              "a fifth waiting Connect of the same uid is Busy at once")
    path = conn_path(env.connect("member2", env.good_options("hang"), timeout=10))
    check(True, "another user still connects while member's prompts wait")
    check(disconnect(env, "member2", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])
    env.polkit.terminate()
    env.polkit.wait(5)
    for p in waiting:
        out = json.loads(p.communicate(timeout=20)[0])
        check(error_of(out) == DENIED, "a prompt that never ended denies")
    path = conn_path(env.connect("member", env.good_options("hang"), timeout=10))
    check(True, "member's quota is free again once its calls have ended")
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])


# ------------------------------------------------------------------------------------------
# A tunnel (fake worker): configuration, DNS, restore

def expect_route(env, dst, dev, family="-4"):
    out = env.ip(family, "route", "get", dst)
    check(("dev %s " % dev) in out, "%s goes via %s" % (dst, dev))


def case_tunnel(env):
    before = env.snapshot()
    mon = Monitor(env)
    path = conn_path(env.connect("member", env.good_options("tunnel")))
    env.wait_state(path, ["connected"])
    deadline = time.time() + 5
    while time.time() < deadline and str(env.get(path, IFACE_CONN, "Transport")) != "dtls":
        time.sleep(0.1)
    p = env.get_all(path)
    tun = str(p["Interface"])
    check(str(p["Address"]) == "198.51.100.7/24", "Address")
    check(str(p["Address6"]) == "2001:db8:100::7/64", "Address6")
    check(int(p["Mtu"]) == 1350, "Mtu follows the worker's WMSG_MTU")
    check(str(p["Transport"]) == "dtls", "Transport follows the worker")
    check(list(map(str, p["Routes"])) == ["0.0.0.0/0", "::/0", "!203.0.113.200/32"], "Routes")
    check(list(map(str, p["Dns"])) == ["203.0.113.53", "2001:db8:2::53"], "Dns")
    check(list(map(str, p["Domains"])) == ["lab.test", "corp.test"], "Domains")
    check(str(p["Banner"]) == "Welcome to the lab.\nAuthorised use only.", "Banner")
    check(int(p["BytesSent"]) == 1000 and int(p["BytesReceived"]) == 2000, "byte counters")
    check(abs(int(p["ConnectedSince"]) - time.time()) < 60, "ConnectedSince")
    check(str(p["LastError"]) == "", "no LastError")

    check(("mtu 1350" in env.ip("link", "show", tun)) and "UP" in env.ip("link", "show", tun),
          "the tun device is up with the MTU")
    check("198.51.100.7/24" in env.ip("-4", "addr", "show", tun), "IPv4 address on the tun")
    check("2001:db8:100::7/64" in env.ip("-6", "addr", "show", tun), "IPv6 address on the tun")
    routes = env.ip("-4", "route")
    check(re.search(r"^0\.0\.0\.0/1 dev %s" % tun, routes, re.M) and
          re.search(r"^128\.0\.0\.0/1 dev %s" % tun, routes, re.M), "IPv4 halves via the tun")
    check(re.search(r"^default via 192\.0\.2\.1 dev up0", routes, re.M),
          "the default route itself is untouched")
    check(re.search(r"^198\.18\.0\.10 via 192\.0\.2\.1 dev up0", routes, re.M),
          "the gateway keeps its old path")
    routes6 = env.ip("-6", "route")
    check(re.search(r"^::/1 dev %s" % tun, routes6, re.M) and
          re.search(r"^8000::/1 dev %s" % tun, routes6, re.M), "IPv6 halves via the tun")
    expect_route(env, "8.8.8.8", tun)
    expect_route(env, "198.18.0.10", "up0")
    expect_route(env, "203.0.113.200", "up0")
    expect_route(env, "203.0.113.1", tun)
    expect_route(env, "2001:db8:ffff::1", tun, "-6")

    with open(env.resolv_conf_path(), "rb") as f:
        resolv = f.read().decode()
    check(re.search(r"^nameserver 203\.0\.113\.53$", resolv, re.M) and
          re.search(r"^nameserver 2001:db8:2::53$", resolv, re.M), "resolv.conf has the servers")
    check("192.0.2.1" not in resolv, "and not the old server")
    check(re.search(r"^search lab\.test corp\.test example\.org$", resolv, re.M),
          "resolv.conf searches the pushed domains first")
    check(re.search(r"^options edns0$", resolv, re.M), "resolv.conf keeps the options")
    check(os.path.exists(os.path.join(env.tmp, "state", "resolv.conf.orig")),
          "the original is kept in the state directory")

    wpid = worker_pid(env)
    st = proc_status(wpid)
    check(st["Uid"].split()[1] != "0" and st["Gid"].split()[1] != "0",
          "the worker runs without root (euid %s)" % st["Uid"].split()[1])
    check(st["NoNewPrivs"].strip() == "1", "the worker has no_new_privs")
    check(int(st["CapEff"], 16) == 0 and int(st["CapPrm"], 16) == 0,
          "the worker has no capabilities")
    check(st["Groups"].strip() == "", "the worker has no supplementary groups")
    check(os.readlink("/proc/%d/fd/4" % wpid) == "/dev/net/tun", "fd 4 is the tun device")
    check(os.readlink("/proc/%d/fd/3" % wpid).startswith("socket:"), "fd 3 is the socket")

    r = env.call("member", path, IFACE_CONN, "GetPostAuthXml")
    check(r["ok"] and r["result"] == ["<config-auth><opaque>secret-ish</opaque></config-auth>"],
          "the owner gets the post-auth XML untouched")
    check(error_of(env.call("member2", path, IFACE_CONN, "GetPostAuthXml")) == DENIED,
          "another user does not")

    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])
    time.sleep(0.3)
    check(not os.path.exists("/proc/%d" % wpid), "the worker is gone")
    check_restored(env, before, "after Disconnect")
    check(not os.path.exists(os.path.join(env.tmp, "state", "resolv.conf.orig")),
          "the state directory is clean")
    p = env.get_all(path)
    check(str(p["Banner"]) == "Welcome to the lab.\nAuthorised use only." and
          str(p["Address"]) == "" and list(p["Routes"]) == [],
          "the ended object keeps the banner, not the network properties")
    signals = mon.text()
    check("InterfacesAdded" in signals and path in signals, "InterfacesAdded was emitted")
    for state in ("connected", "disconnecting", "disconnected"):
        check("'State': <'%s'>" % state in signals, "PropertiesChanged announced %s" % state)
    check("'Mtu': <uint32 1350>" in signals, "PropertiesChanged announced the MTU change")
    check(env.canary not in signals, "no cookie in any signal")


def case_resolved(env):
    before = env.snapshot()
    path = conn_path(env.connect("member", env.good_options("tunnel")))
    env.wait_state(path, ["connected"])
    ifindex = int(re.match(r"(\d+):", env.ip("link", "show", str(env.get(path, IFACE_CONN,
                                                                        "Interface")))).group(1))
    check(env.snapshot()["resolv.conf"] == before["resolv.conf"],
          "with systemd-resolved on the bus, resolv.conf is not touched")
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])
    time.sleep(0.3)
    env.resolved_proc.terminate()
    calls = [json.loads(line) for line in env.resolved_proc.communicate(timeout=5)[0].splitlines()]
    check(calls[0] == {"call": "SetLinkDNS", "ifindex": ifindex,
                       "servers": ["203.0.113.53", "2001:db8:2::53"], "families": [2, 10]},
          "SetLinkDNS got the tunnel's link and servers")
    check(calls[1] == {"call": "SetLinkDomains", "ifindex": ifindex,
                       "domains": [["lab.test", False], ["corp.test", False], [".", True]]},
          "SetLinkDomains got the search domains, and ~. for a full tunnel")
    check(calls[2:] == [{"call": "RevertLink", "ifindex": ifindex}], "RevertLink on Disconnect")
    check_restored(env, before, "after a tunnel with systemd-resolved")


def case_split(env):
    before = env.snapshot()
    path = conn_path(env.connect("member", env.good_options("split")))
    env.wait_state(path, ["connected"])
    p = env.get_all(path)
    tun = str(p["Interface"])
    check(list(map(str, p["Routes"])) == ["10.10.0.0/16", "203.0.113.0/24", "!203.0.113.200/32"],
          "Routes of a split tunnel (the 0.0.0.0/32 marker is not a route)")
    check(str(p["Address6"]) == "" and list(p["Dns"]) == [], "no IPv6, no DNS")
    routes = env.ip("-4", "route")
    check(not re.search(r"^0\.0\.0\.0/1", routes, re.M), "no default halves")
    expect_route(env, "10.10.3.4", tun)
    expect_route(env, "203.0.113.1", tun)
    expect_route(env, "203.0.113.200", "up0")
    expect_route(env, "8.8.8.8", "up0")
    check(env.snapshot()["resolv.conf"] == before["resolv.conf"], "resolv.conf untouched")
    check(env.ip("-6", "route", "show", "dev", tun).strip() == "" or
          "::/1" not in env.ip("-6", "route"), "no IPv6 routes")
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])
    check_restored(env, before, "after a split tunnel")


def case_many_routes(env):
    """Thousands of split routes are applied and removed, and quickly."""
    before = env.snapshot()
    t0 = time.time()
    path = conn_path(env.connect("member", env.good_options("many")))
    env.wait_state(path, ["connected"], timeout=30)
    took_up = time.time() - t0
    tun = str(env.get(path, IFACE_CONN, "Interface"))
    n4 = len(env.ip("-4", "route", "show", "dev", tun).splitlines())
    n6 = len([l for l in env.ip("-6", "route", "show", "dev", tun).splitlines()
              if l.split()[0].endswith("::/48")])
    check(n4 == 2001, "2000 IPv4 include routes (and the address's subnet) on %s (%d)" % (tun, n4))
    check(n6 == 200, "200 IPv6 include routes on %s (%d)" % (tun, n6))
    check(len(env.get(path, IFACE_CONN, "Routes")) == 2220, "Routes lists all 2220")
    expect_route(env, "10.7.207.1", tun)
    expect_route(env, "10.0.3.200", "up0")
    t1 = time.time()
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"], timeout=30)
    took_down = time.time() - t1
    print("# connect with 2220 routes took %.2f s, disconnect %.2f s" % (took_up, took_down),
          flush=True)
    check(took_up < 5 and took_down < 5, "applying and removing them takes seconds at most")
    check_restored(env, before, "after a tunnel with 2220 routes")


def case_worker_crash(env):
    before = env.snapshot()
    path = conn_path(env.connect("member", env.good_options("tunnel")))
    env.wait_state(path, ["connected"])
    check(env.snapshot() != before, "the tunnel changed the network")
    os.kill(worker_pid(env), signal.SIGKILL)
    env.wait_state(path, ["failed"])
    check(str(env.get(path, IFACE_CONN, "LastError")) == "WorkerCrashed", "LastError WorkerCrashed")
    check_restored(env, before, "after kill -9 of the worker")
    check(env.ping(), "the helper carries on")


def case_malformed(env):
    before = env.snapshot()
    path = conn_path(env.connect("member", env.good_options("malformed")))
    env.wait_state(path, ["failed"])
    check(str(env.get(path, IFACE_CONN, "LastError")) == "ProtocolError",
          "a malformed worker message fails the connection (ProtocolError)")
    time.sleep(0.3)
    check(subprocess.run(["ps", "--ppid", str(env.helper_pid())], capture_output=True).returncode
          != 0, "the worker was killed")
    check_restored(env, before, "after a malformed message")

    path = conn_path(env.connect("member", env.good_options("capture")))
    env.wait_state(path, ["failed"])
    check(str(env.get(path, IFACE_CONN, "LastError")) == "ProtocolError",
          "a configuration capturing the gateway's address is refused")
    check_restored(env, before, "after a refused configuration")

    path = conn_path(env.connect("member", env.good_options("error")))
    env.wait_state(path, ["failed"])
    check(str(env.get(path, IFACE_CONN, "LastError")) == "ConnectFailed",
          "the worker's WMSG_ERROR becomes LastError")
    check_restored(env, before, "after a worker error")


def case_sigterm(env):
    before = env.snapshot()
    path = conn_path(env.connect("member", env.good_options("tunnel")))
    env.wait_state(path, ["connected"])
    wpid = worker_pid(env)
    env.stop_helper()
    time.sleep(0.3)
    check(not os.path.exists("/proc/%d" % wpid), "SIGTERM: the worker is gone")
    check_restored(env, before, "after SIGTERM of the helper")
    log = env.logs()["helper.log"]
    check("sslvpn-helper stopped" in log, "the helper exited cleanly")

    # A worker that ignores WMSG_STOP is killed after the grace period.
    env.activate()
    path = conn_path(env.connect("member", env.good_options("ignore")))
    env.wait_state(path, ["connected"])
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"], timeout=15)
    check("did not stop in time" in env.logs()["helper.log"], "the stubborn worker was killed")
    check_restored(env, before, "after killing a stubborn worker")


def case_agent(env):
    before = env.snapshot()
    agent = env.start_agent("member", "/test/agent",
                            {"Cookie": "tunnel-second-" + env.canary})
    r = env.call("member", ROOT_PATH, IFACE_AGENT_MGR, "RegisterAgent", "o",
                 [{"t": "o", "v": "/test/agent2"}])
    check(r["ok"], "another agent object of the same uid registers")
    r = env.call("member", ROOT_PATH, IFACE_AGENT_MGR, "UnregisterAgent", "o",
                 [{"t": "o", "v": "/test/nothing"}])
    check(error_of(r) == ERROR_PREFIX + "NotFound", "unregistering an unknown agent -> NotFound")

    path = conn_path(env.connect("member", env.good_options("reject")))
    env.wait_state(path, ["connected"])
    ev = __import__("json").loads(agent.stdout.readline())
    check(ev == {"event": "relogin", "connection": path, "gateway": "https://vpn.lab.test/",
                 "reason": "CookieRejected"}, "the owner's agent was asked to log in again")
    check(str(env.get(path, IFACE_CONN, "Address")) == "198.51.100.7/24",
          "the new cookie brought the tunnel up")
    check(disconnect(env, "member", path)["ok"], "Disconnect")
    env.wait_state(path, ["disconnected"])
    check_restored(env, before, "after a re-login")

    path = conn_path(env.connect("member2", env.good_options("reject")))
    env.wait_state(path, ["failed"])
    check(str(env.get(path, IFACE_CONN, "LastError")) == "CookieRejected",
          "without an agent of its own uid, a rejected cookie fails the connection")
    check_restored(env, before, "after a rejected cookie")

    env.start_agent("member2", "/test/agent",
                    {"error": ERROR_PREFIX + "Cancelled", "message": "user said no"})
    path = conn_path(env.connect("member2", env.good_options("reject")))
    env.wait_state(path, ["failed"])
    check(str(env.get(path, IFACE_CONN, "LastError")) == "CookieRejected",
          "an agent that refuses fails the connection")
    check_restored(env, before, "after a refused re-login")
    agent.terminate()
    rest = agent.communicate(timeout=5)[0]
    check("relogin" not in rest, "member's agent never served member2's connections")


def agent_attempt(env, role, path):
    """One agent in a bus connection of its own; returns its first event and the process."""
    p = env.client_bg(role, dict(op="agent", path=path, reply={"Cookie": "x"}, seconds=60))
    return json.loads(p.stdout.readline()), p


def case_agent_quota(env):
    ev, _ = agent_attempt(env, "other", "/test/agent")
    check(ev == {"event": "register-failed", "error": DENIED},
          "a user who may not connect may not register an agent")
    for i in range(4):
        env.start_agent("member", "/test/agent%d" % i, {"Cookie": "x"})
    ev, _ = agent_attempt(env, "member", "/test/agent4")
    check(ev == {"event": "register-failed", "error": ERROR_PREFIX + "Busy"},
          "a fifth agent of one uid is Busy, though from a new bus connection")
    env.start_agent("member2", "/test/agent", {"Cookie": "x"})
    check(True, "another user still registers an agent")


# ------------------------------------------------------------------------------------------
# The real worker

def case_prepared(env):
    """Connect without Cookie and ServerCertPin: the worker starts at once and waits; the
    owner's Start brings both (the fake worker logs the pin and runs the cookie's scenario)."""
    before = env.snapshot()
    opts = env.good_options("tunnel")
    cookie = opts.pop("Cookie")
    del opts["ServerCertPin"]
    path = conn_path(env.connect("member", opts))
    check(str(env.get(path, IFACE_CONN, "State")) == "connecting", "prepared: connecting")
    deadline = time.time() + 5
    while time.time() < deadline and "prepared, waiting" not in env.logs()["helper.log"]:
        time.sleep(0.05)
    check("prepared, waiting for the cookie" in env.logs()["helper.log"],
          "the worker runs before Start, without a cookie")

    def start(role, **o):
        return env.call(role, path, IFACE_CONN, "Start", "a{sv}",
                        [{"t": "a{sv}", "v": [[k, {"t": t, "v": v}] for k, (t, v) in o.items()]}])

    check(error_of(start("member2", Cookie=cookie, ServerCertPin=("s", PIN))) == DENIED,
          "another user may not Start it")
    check(error_of(start("member", Cookie=cookie)) == INVALID, "Start without the pin")
    check(error_of(start("member", Cookie=cookie, ServerCertPin=("s", "pin-sha256:x"))) ==
          INVALID, "Start with a malformed pin")
    check(error_of(start("member", Cookie=cookie, ServerCertPin=("s", PIN),
                         Gateway=("s", "https://vpn.lab.test/"))) == INVALID,
          "Start with a key of Connect's")
    r = start("member", Cookie=cookie, ServerCertPin=("s", PIN))
    check(r["ok"], "the owner starts it (%s)" % r.get("message", ""))
    env.wait_state(path, ["connected"])
    check("started with pin %s" % PIN in env.logs()["helper.log"],
          "the worker got the pin with the cookie")
    check(str(env.get(path, IFACE_CONN, "Address")) == "198.51.100.7/24", "configured")
    check(error_of(start("member", Cookie=cookie, ServerCertPin=("s", PIN))) ==
          ERROR_PREFIX + "Busy", "a second Start is refused")
    disconnect(env, "member", path)
    env.wait_state(path, ["disconnected"])

    # Start on an ordinary connection, and a Cookie without its pin at Connect.
    path = conn_path(env.connect("member", env.good_options("tunnel")))
    env.wait_state(path, ["connected"])
    check(error_of(start("member", Cookie=cookie, ServerCertPin=("s", PIN))) ==
          ERROR_PREFIX + "Busy", "Start on a connection that had its cookie is refused")
    disconnect(env, "member", path)
    env.wait_state(path, ["disconnected"])
    o = env.good_options("tunnel")
    del o["ServerCertPin"]
    check(error_of(env.connect("member", o)) == INVALID, "Connect with a cookie but no pin")

    # A prepared connection its owner gives up: Disconnect while the worker waits.
    opts = env.good_options("tunnel")
    del opts["Cookie"], opts["ServerCertPin"]
    path = conn_path(env.connect("member", opts))
    disconnect(env, "member", path)
    env.wait_state(path, ["disconnected"])
    check("stop while prepared" in env.logs()["helper.log"], "the waiting worker was stopped")
    check_restored(env, before, "after the prepared connections")


def case_prepared_timeout(env):
    """A prepared connection whose Start never comes (SSLVPN_HELPER_PREPARED_SECONDS=2 here):
    it fails with Timeout, stops its worker and restores the network."""
    before = env.snapshot()
    opts = env.good_options("tunnel")
    del opts["Cookie"], opts["ServerCertPin"]
    t0 = time.time()
    path = conn_path(env.connect("member", opts))
    env.wait_state(path, ["failed"], timeout=10)
    took = time.time() - t0
    check(1.5 < took < 6, "failed after %.1f s (the limit is 2 s)" % took)
    check(str(env.get(path, IFACE_CONN, "LastError")) == "Timeout", "LastError is Timeout")
    deadline = time.time() + 3
    children = ["?"]
    while time.time() < deadline and children:
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(env.helper_pid())],
                                  capture_output=True, text=True).stdout.split()
        time.sleep(0.1)
    check(not children, "the waiting worker is gone")
    check_restored(env, before, "after the timeout")


def case_worker_refused(env):
    before = env.snapshot()
    mon = Monitor(env)
    opts = env.good_options("real", Gateway=("s", "https://127.0.0.1:44300/"),
                            Address=("s", "127.0.0.1"))
    path = conn_path(env.connect("member", opts))
    check(path in [str(p) for p in env.get(ROOT_PATH, IFACE_MANAGER, "Connections")],
          "the connection object appears")
    env.wait_state(path, ["failed"], timeout=60)
    err = str(env.get(path, IFACE_CONN, "LastError"))
    check(err in ("ConnectFailed", "Timeout", "Io"), "it fails with a sensible LastError (%s)" % err)
    check_restored(env, before, "after a refused connection")
    log = env.logs()["helper.log"]
    m = re.search(r"worker \d+ started \(.*, uid (\d+)\)", log)
    check(m and m.group(1) != "0", "the worker ran without root")
    check(env.canary not in mon.text(), "no cookie in any signal")


CASES = {
    "introspection": (case_introspection, {}),
    "activation-idle": (case_activation_idle, {"idle": 3}),
    "invalid-args": (case_invalid_args, {}),
    "access": (case_access, {}),
    "polkit": (case_polkit, {"polkit_uids": ["other"]}),
    "pending-quota": (case_pending_quota,
                      {"polkit_uids": ["member2"], "polkit_hold": ["member"]}),
    "tunnel": (case_tunnel, {}),
    "split": (case_split, {}),
    "many-routes": (case_many_routes, {}),
    "resolved": (case_resolved, {"resolved": True}),
    "worker-crash": (case_worker_crash, {}),
    "malformed": (case_malformed, {}),
    "sigterm": (case_sigterm, {}),
    "agent": (case_agent, {}),
    "agent-quota": (case_agent_quota, {}),
    "prepared": (case_prepared, {}),
    "prepared-timeout": (case_prepared_timeout, {"prepared": 2}),
    "worker-refused": (case_worker_refused, {"real_worker": True}),
}

if __name__ == "__main__":
    sys.exit(harness.main(CASES, sys.argv[1:]))
