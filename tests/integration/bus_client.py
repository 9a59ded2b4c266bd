#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A D-Bus client the integration tests run as a test user (through setpriv).

Reads one JSON request on stdin, prints JSON on stdout.  Requests:
  {"op": "call", "path": P, "iface": I, "method": M, "signature": S, "args": [...]}
      args use a small typed encoding so that tests can send wrong types on purpose:
      {"t": "s", "v": "x"}, {"t": "b", ...}, {"t": "i"|"u"|"t", ...}, {"t": "o", ...},
      {"t": "h", "path": FILE} (an fd opened here), {"t": "as", "v": [...]},
      {"t": "a{sv}", "v": [[key, typed value], ...]}  (a list: keys may repeat)
      {"t": "bytes", "n": N, "fill": "x"} (a string of N copies of fill, built here)
  {"op": "agent", "path": P, "reply": {"Cookie": "..."} or {"error": NAME}, "seconds": N}
      registers an Agent, prints one JSON line per event, answers Relogin as told.
Output of "call": {"ok": true, "result": [...]} or {"ok": false, "error": NAME, "message": M}.
"""
import json
import os
import sys

import dbus
import dbus.service

BUS_NAME = "org.sslvpn.Helper1"


def typed(a, level=0):
    t = a["t"]
    if t == "s":
        return dbus.String(a["v"], variant_level=level)
    if t == "bytes":
        return dbus.String(a.get("fill", "x") * a["n"], variant_level=level)
    if t == "b":
        return dbus.Boolean(a["v"], variant_level=level)
    if t == "i":
        return dbus.Int32(a["v"], variant_level=level)
    if t == "u":
        return dbus.UInt32(a["v"], variant_level=level)
    if t == "t":
        return dbus.UInt64(a["v"], variant_level=level)
    if t == "o":
        return dbus.ObjectPath(a["v"], variant_level=level)
    if t == "h":
        fd = os.open(a["path"], os.O_RDONLY)
        return dbus.types.UnixFd(fd, variant_level=level)
    if t == "as":
        return dbus.Array(a["v"], signature="s", variant_level=level)
    if t == "a{sv}":
        # A list of pairs, so that a test can repeat a key: build the dict by hand.
        d = dbus.Dictionary(signature="sv", variant_level=level)
        pairs = [(k, typed(v, 1)) for k, v in a["v"]]
        if len({k for k, _ in pairs}) != len(pairs):
            return DuplicateKeys(pairs)
        for k, v in pairs:
            d[k] = v
        return d
    raise ValueError("unknown type " + t)


class DuplicateKeys:
    def __init__(self, pairs):
        self.pairs = pairs


def plain(v):
    if isinstance(v, (dbus.Array, list)):
        if getattr(v, "signature", None) == "y":
            return bytes(v).decode("latin-1")
        return [plain(x) for x in v]
    if isinstance(v, (dbus.Dictionary, dict)):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Int32, dbus.UInt32, dbus.UInt64, dbus.Int64, dbus.Byte, int)):
        return int(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, str)):
        return str(v)
    return repr(v)


def call(bus, req):
    args = [typed(a) for a in req.get("args", [])]
    if any(isinstance(a, DuplicateKeys) for a in args):
        return call_raw_duplicates(bus, req, args)
    try:
        reply = bus.call_blocking(req.get("dest", BUS_NAME), req["path"], req["iface"],
                                  req["method"], req.get("signature", ""), args,
                                  timeout=req.get("timeout", 30))
    except dbus.exceptions.DBusException as e:
        return {"ok": False, "error": e.get_dbus_name(), "message": e.get_dbus_message()}
    if reply is None:
        reply = []
    elif not isinstance(reply, tuple):
        reply = [reply]
    return {"ok": True, "result": [plain(x) for x in reply]}


def call_raw_duplicates(bus, req, args):
    # dbus-python dictionaries cannot hold a key twice; GLib can write such a message.
    from gi.repository import Gio, GLib
    conn = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
    (dup,) = [a for a in args if isinstance(a, DuplicateKeys)]
    b = GLib.VariantBuilder.new(GLib.VariantType.new("a{sv}"))
    for k, v in dup.pairs:
        b.add_value(GLib.Variant.new_dict_entry(GLib.Variant("s", k),
                                                GLib.Variant("v", GLib.Variant("s", str(v)))))
    try:
        r = conn.call_sync(req.get("dest", BUS_NAME), req["path"], req["iface"], req["method"],
                           GLib.Variant.new_tuple(b.end()), None, Gio.DBusCallFlags.NONE,
                           30000, None)
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e) or str(e)
        return {"ok": False, "error": name, "message": e.message}
    return {"ok": True, "result": [str(r)]}


class Agent(dbus.service.Object):
    def __init__(self, bus, path, reply):
        super().__init__(bus, path)
        self.reply = reply

    @dbus.service.method("org.sslvpn.Helper1.Agent", in_signature="oss",
                         out_signature="a{sv}")
    def Relogin(self, connection, gateway, reason):
        event({"event": "relogin", "connection": str(connection), "gateway": str(gateway),
               "reason": str(reason)})
        if "error" in self.reply:
            raise dbus.exceptions.DBusException(self.reply.get("message", "no"),
                                                name=self.reply["error"])
        return dbus.Dictionary({k: dbus.String(v) for k, v in self.reply.items()},
                               signature="sv")

    @dbus.service.method("org.sslvpn.Helper1.Agent", in_signature="o", out_signature="")
    def Cancel(self, connection):
        event({"event": "cancel", "connection": str(connection)})


def event(e):
    sys.stdout.write(json.dumps(e) + "\n")
    sys.stdout.flush()


def agent(req):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    Agent(bus, req["path"], req["reply"])
    loop = GLib.MainLoop()

    def registered(*a):
        event({"event": "registered"})

    def failed(e):
        event({"event": "register-failed", "error": e.get_dbus_name()})
        loop.quit()

    bus.call_async(BUS_NAME, "/org/sslvpn/Helper1", "org.sslvpn.Helper1.AgentManager",
                   "RegisterAgent", "o", [dbus.ObjectPath(req["path"])], registered, failed)
    GLib.timeout_add(int(req.get("seconds", 30) * 1000), loop.quit)
    loop.run()
    event({"event": "exit"})


def main():
    req = json.loads(sys.stdin.read())
    if req["op"] == "agent":
        agent(req)
        return
    bus = dbus.SystemBus()
    print(json.dumps(call(bus, req)))


if __name__ == "__main__":
    main()
