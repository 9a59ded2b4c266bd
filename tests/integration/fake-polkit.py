#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A minimal org.freedesktop.PolicyKit1 for the private test bus: CheckAuthorization says yes
to the action org.sslvpn.Helper1.connect only for the uids given on the command line (looked
up from the subject's bus name, as polkitd does), and logs each question on stdout.  Questions
about a uid given as hold=UID are never answered, as a prompt nobody answers.

usage: fake-polkit.py [hold=UID]... UID...
"""
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

ACTION = "org.sslvpn.Helper1.connect"


class Authority(dbus.service.Object):
    def __init__(self, bus, allowed, held):
        super().__init__(bus, "/org/freedesktop/PolicyKit1/Authority")
        self.bus = bus
        self.allowed = allowed
        self.held = held
        self.waiting = []

    @dbus.service.method("org.freedesktop.PolicyKit1.Authority",
                         in_signature="(sa{sv})sa{ss}us", out_signature="(bba{ss})",
                         async_callbacks=("reply", "error"))
    def CheckAuthorization(self, subject, action, details, flags, cancel_id, reply, error):
        kind, props = subject
        uid = -1
        if kind == "system-bus-name":
            uid = int(self.bus.get_unix_user(str(props["name"])))
        if uid in self.held:
            self.waiting.append(reply)
            print("hold uid=%d" % uid, flush=True)
            return
        ok = action == ACTION and uid in self.allowed
        print("check kind=%s uid=%d action=%s flags=%d -> %s" % (kind, uid, action, flags, ok),
              flush=True)
        reply((dbus.Boolean(ok), dbus.Boolean(False), dbus.Dictionary({}, signature="ss")))


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    held = {int(a[5:]) for a in sys.argv[1:] if a.startswith("hold=")}
    allowed = {int(a) for a in sys.argv[1:] if not a.startswith("hold=")}
    authority = Authority(bus, allowed, held)
    # Kept referenced: a collected BusName gives the name up.
    name = dbus.service.BusName("org.freedesktop.PolicyKit1", bus)
    print("ready", flush=True)
    GLib.MainLoop().run()
    del authority, name


if __name__ == "__main__":
    main()
