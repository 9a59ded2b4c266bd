#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A minimal org.freedesktop.resolve1 for the private test bus: records the per-link calls
sslvpn-helper makes (one JSON line each on stdout) and answers them.

usage: fake-resolved.py
"""
import ipaddress
import json

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


def out(**kw):
    print(json.dumps(kw), flush=True)


class Manager(dbus.service.Object):
    @dbus.service.method("org.freedesktop.resolve1.Manager", in_signature="ia(iay)",
                         out_signature="")
    def SetLinkDNS(self, ifindex, addresses):
        out(call="SetLinkDNS", ifindex=int(ifindex),
            servers=[str(ipaddress.ip_address(bytes(a))) for _, a in addresses],
            families=[int(f) for f, _ in addresses])

    @dbus.service.method("org.freedesktop.resolve1.Manager", in_signature="ia(sb)",
                         out_signature="")
    def SetLinkDomains(self, ifindex, domains):
        out(call="SetLinkDomains", ifindex=int(ifindex),
            domains=[[str(d), bool(r)] for d, r in domains])

    @dbus.service.method("org.freedesktop.resolve1.Manager", in_signature="i", out_signature="")
    def RevertLink(self, ifindex):
        out(call="RevertLink", ifindex=int(ifindex))


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    manager = Manager(bus, "/org/freedesktop/resolve1")
    # Kept referenced: a collected BusName gives the name up.
    name = dbus.service.BusName("org.freedesktop.resolve1", bus)
    out(ready=True)
    GLib.MainLoop().run()
    del manager, name


if __name__ == "__main__":
    main()
