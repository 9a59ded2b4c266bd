#!/usr/bin/python3
# Writes the seed corpus of fuzz-helper-options: Manager.Connect (and Agent.Relogin answers)
# as marshalled D-Bus messages, valid ones and the mistakes the integration tests also make.
# Usage: make-helper-options-corpus.py DIR   (uses Debian's python3-gi)
import os
import sys

from gi.repository import Gio, GLib

PIN = "pin-sha256:" + "A" * 43 + "="
GOOD = {
    "Gateway": GLib.Variant("s", "https://vpn.example.com/"),
    "Address": GLib.Variant("s", "192.0.2.1"),
    "Cookie": GLib.Variant("s", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTI="),
    "ServerCertPin": GLib.Variant("s", PIN),
}


def message(options, member="Connect"):
    m = Gio.DBusMessage.new_method_call("org.sslvpn.Helper1", "/org/sslvpn/Helper1",
                                        "org.sslvpn.Helper1.Manager", member)
    m.set_serial(1)
    m.set_body(GLib.Variant("(a{sv})", (options,)))
    return m.to_blob(Gio.DBusCapabilityFlags.NONE)


def variants():
    yield "good", dict(GOOD)
    yield "good-full", dict(GOOD, NoDtls=GLib.Variant("b", True),
                            UserAgent=GLib.Variant("s", "AnyConnect Linux_64 4.10.07061"))
    yield "ipv6", dict(GOOD, Gateway=GLib.Variant("s", "https://[2001:db8::1]:8443/grp"),
                       Address=GLib.Variant("s", "2001:db8::1"))
    yield "relogin", {"Cookie": GOOD["Cookie"], "ServerCertPin": GOOD["ServerCertPin"]}
    yield "prepared", {k: v for k, v in GOOD.items() if k not in ("Cookie", "ServerCertPin")}
    for key in GOOD:
        d = dict(GOOD)
        del d[key]
        yield "missing-" + key, d
    yield "wrong-type", dict(GOOD, Gateway=GLib.Variant("u", 7))
    yield "unknown-key", dict(GOOD, Extra=GLib.Variant("s", "x"))
    yield "bad-pin", dict(GOOD, ServerCertPin=GLib.Variant("s", "sha1:00"))
    yield "bad-host", dict(GOOD, Gateway=GLib.Variant("s", "https://bad host/"))
    yield "http", dict(GOOD, Gateway=GLib.Variant("s", "http://vpn.example.com/"))
    yield "cookie-semicolon", dict(GOOD, Cookie=GLib.Variant("s", "a;b"))
    yield "long-cookie", dict(GOOD, Cookie=GLib.Variant("s", "A" * 5000))
    yield "nested", dict(GOOD, NoDtls=GLib.Variant("v", GLib.Variant("b", True)))
    yield "fd", dict(GOOD, ClientCertFd=GLib.Variant("h", 0))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, options in variants():
        with open(os.path.join(out, name), "wb") as f:
            f.write(message(options))


main()
