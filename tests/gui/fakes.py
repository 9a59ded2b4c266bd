# SPDX-License-Identifier: GPL-2.0-or-later
"""Stand-ins on the test's private session bus (dbus-run-session): a StatusNotifierWatcher,
a notification server, and org.sslvpn.Helper1 (the app talks to it when SSLVPN_HELPER_BUS=session).
They record what the app does so tests can assert it.  dbus-python on the GLib main loop."""
import os
import subprocess
import sys
import time

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

PROPS = 'org.freedesktop.DBus.Properties'
OBJMGR = 'org.freedesktop.DBus.ObjectManager'
HELPER = 'org.sslvpn.Helper1'


def bus():
    return dbus.SessionBus()


def iterate(seconds=0.05):
    """Runs the main loop for a while (serves the fakes)."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ctx.iteration(False)
        time.sleep(0.005)


def wait_until(cond, timeout=10.0, what='condition'):
    ctx = GLib.MainContext.default()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        while ctx.pending():
            ctx.iteration(False)
        try:
            v = cond()
        except dbus.exceptions.DBusException:
            v = None
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError('timed out waiting for ' + what)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
            print('not ok %d - %s' % (self.n, name))
            if diag is not None:
                for line in str(diag).splitlines():
                    print('# ' + line)
        else:
            print('ok %d - %s' % (self.n, name))
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, 'got %r, want %r' % (got, want))

    def skip_all(self, why):
        print('1..0 # SKIP ' + why)
        sys.exit(77)

    def done(self):
        print('1..%d' % self.n)
        sys.exit(1 if self.failed else 0)


class Watcher(dbus.service.Object):
    """org.kde.StatusNotifierWatcher."""
    IFACE = 'org.kde.StatusNotifierWatcher'

    def __init__(self):
        self.registrations = []
        self.name = None
        dbus.service.Object.__init__(self, bus(), '/StatusNotifierWatcher')
        self.claim()

    def claim(self):
        self.name = dbus.service.BusName(self.IFACE, bus())

    def release(self):
        bus().release_name(self.IFACE)
        self.name = None

    @dbus.service.method(IFACE, in_signature='s', sender_keyword='sender')
    def RegisterStatusNotifierItem(self, service, sender=None):
        self.registrations.append((str(service), str(sender)))
        self.StatusNotifierItemRegistered(service)

    @dbus.service.method(IFACE, in_signature='s')
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(IFACE, signature='s')
    def StatusNotifierItemRegistered(self, service):
        pass

    @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
    def Get(self, iface, prop):
        return self.GetAll(iface)[prop]

    @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        return {'RegisteredStatusNotifierItems': dbus.Array([r[0] for r in self.registrations], signature='s'),
                'IsStatusNotifierHostRegistered': True, 'ProtocolVersion': dbus.Int32(0)}


class Notifications(dbus.service.Object):
    """org.freedesktop.Notifications: records (summary, body)."""
    IFACE = 'org.freedesktop.Notifications'

    def __init__(self):
        self.sent = []
        self.name = dbus.service.BusName(self.IFACE, bus())
        dbus.service.Object.__init__(self, bus(), '/org/freedesktop/Notifications')

    @dbus.service.method(IFACE, in_signature='susssasa{sv}i', out_signature='u')
    def Notify(self, app, replaces, icon, summary, body, actions, hints, timeout):
        self.sent.append((str(summary), str(body)))
        return dbus.UInt32(len(self.sent))

    @dbus.service.method(IFACE, in_signature='u')
    def CloseNotification(self, nid):
        pass

    @dbus.service.method(IFACE, out_signature='as')
    def GetCapabilities(self):
        return ['body', 'actions']

    @dbus.service.method(IFACE, out_signature='ssss')
    def GetServerInformation(self):
        return ('fake', 'sslvpn', '1', '1.2')

    def summaries(self):
        return [s for s, _ in self.sent]


CONN_DEFAULTS = {
    'State': 'connecting', 'Transport': '', 'Gateway': '', 'Interface': '', 'Address': '',
    'Address6': '', 'Mtu': dbus.UInt32(0), 'Routes': dbus.Array([], signature='s'),
    'Dns': dbus.Array([], signature='s'), 'Domains': dbus.Array([], signature='s'),
    'Banner': '', 'BytesSent': dbus.UInt64(0), 'BytesReceived': dbus.UInt64(0),
    'ConnectedSince': dbus.UInt64(0), 'LastError': '', 'Owner': dbus.UInt32(os.getuid()),
    'Warnings': dbus.Array([], signature='s'),
}


class Connection(dbus.service.Object):
    IFACE = HELPER + '.Connection'

    def __init__(self, helper, path, props):
        self.helper = helper
        self.path = path
        self.props = dict(CONN_DEFAULTS)
        self.props.update({k: self.typed(k, v) for k, v in props.items()})
        self.disconnects = 0
        dbus.service.Object.__init__(self, bus(), path)

    @staticmethod
    def typed(k, v):
        """The contract's D-Bus type for a Python value (the app's proxies check them)."""
        if isinstance(v, list):
            return dbus.Array(v, signature='s')
        if k in ('BytesSent', 'BytesReceived', 'ConnectedSince'):
            return dbus.UInt64(v)
        if k in ('Mtu', 'Owner'):
            return dbus.UInt32(v)
        return v

    def set(self, **changes):
        for k, v in changes.items():
            self.props[k] = self.typed(k, v)
        self.PropertiesChanged(self.IFACE, {k: self.props[k] for k in changes}, [])

    @dbus.service.method(IFACE)
    def Disconnect(self):
        self.disconnects += 1
        GLib.idle_add(lambda: self.set(State='disconnecting') and False)
        GLib.timeout_add(100, lambda: self.set(State='disconnected', Interface='') and False)

    @dbus.service.method(IFACE, out_signature='ay')
    def GetPostAuthXml(self):
        return dbus.ByteArray(b'')

    @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
    def Get(self, iface, prop):
        return self.props[prop]

    @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        return self.props if iface == self.IFACE else {}

    @dbus.service.signal(PROPS, signature='sa{sv}as')
    def PropertiesChanged(self, iface, changed, invalidated):
        pass


class Helper(dbus.service.Object):
    """org.sslvpn.Helper1 on the session bus: Manager, AgentManager, ObjectManager."""

    def __init__(self):
        self.connects = []   # the options of every Manager.Connect
        self.agents = []     # (sender, path)
        self.conns = {}
        self.next_id = 1
        self.connect_error = None
        dbus.service.Object.__init__(self, bus(), '/org/sslvpn/Helper1')
        self.name = dbus.service.BusName(HELPER, bus())

    def add(self, **props):
        path = '/org/sslvpn/Helper1/connection/%d' % self.next_id
        self.next_id += 1
        c = Connection(self, path, props)
        self.conns[path] = c
        self.InterfacesAdded(dbus.ObjectPath(path), {Connection.IFACE: c.props})
        self.PropertiesChanged(HELPER + '.Manager', {'Connections': self._paths()}, [])
        return c

    def remove(self, c):
        del self.conns[c.path]
        c.remove_from_connection()
        self.InterfacesRemoved(dbus.ObjectPath(c.path), [Connection.IFACE])

    def _paths(self):
        return dbus.Array([dbus.ObjectPath(p) for p in self.conns], signature='o')

    @dbus.service.method(HELPER + '.Manager', in_signature='a{sv}', out_signature='o')
    def Connect(self, options):
        self.connects.append({str(k): (str(v) if isinstance(v, dbus.String) else bool(v) if isinstance(v, dbus.Boolean) else v) for k, v in options.items()})
        if self.connect_error:
            raise dbus.exceptions.DBusException('fake', name=self.connect_error)
        c = self.add(Gateway=options['Gateway'], State='connecting')
        return dbus.ObjectPath(c.path)

    @dbus.service.method(HELPER + '.AgentManager', in_signature='o', sender_keyword='sender')
    def RegisterAgent(self, path, sender=None):
        self.agents.append((str(sender), str(path)))

    @dbus.service.method(HELPER + '.AgentManager', in_signature='o', sender_keyword='sender')
    def UnregisterAgent(self, path, sender=None):
        pass

    def relogin(self, conn, reply, error, reason='CookieRejected'):
        """Calls the last registered agent's Relogin asynchronously."""
        sender, path = self.agents[-1]
        agent = bus().get_object(sender, path)
        agent.Relogin(dbus.ObjectPath(conn.path), conn.props['Gateway'], reason,
                      dbus_interface=HELPER + '.Agent', reply_handler=reply,
                      error_handler=error, timeout=300)

    def cancel_relogin(self, conn):
        sender, path = self.agents[-1]
        bus().get_object(sender, path).Cancel(dbus.ObjectPath(conn.path),
                                             dbus_interface=HELPER + '.Agent')

    @dbus.service.method(OBJMGR, out_signature='a{oa{sa{sv}}}')
    def GetManagedObjects(self):
        return {dbus.ObjectPath(p): {Connection.IFACE: c.props} for p, c in self.conns.items()}

    @dbus.service.signal(OBJMGR, signature='oa{sa{sv}}')
    def InterfacesAdded(self, path, ifaces):
        pass

    @dbus.service.signal(OBJMGR, signature='oas')
    def InterfacesRemoved(self, path, ifaces):
        pass

    @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
    def Get(self, iface, prop):
        return self.GetAll(iface)[prop]

    @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        if iface == HELPER + '.Manager':
            return {'Connections': self._paths(), 'Version': '0.1.0-fake'}
        return {}

    @dbus.service.signal(PROPS, signature='sa{sv}as')
    def PropertiesChanged(self, iface, changed, invalidated):
        pass


class App:
    """sslvpn-gtk as a child process, with its actions over the session bus."""

    def __init__(self, args=(), env=None, netns=None):
        cmd = [os.environ.get('SSLVPN_GTK', 'sslvpn-gtk')] + list(args)
        if netns:
            cmd = ['ip', 'netns', 'exec', netns] + cmd
        e = dict(os.environ)
        e.update(env or {})
        self.log = open(os.path.join(os.environ.get('SSLVPN_TEST_TMP', '/tmp'), 'app.log'), 'w')
        self.proc = subprocess.Popen(cmd, env=e, stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: bus().name_has_owner('org.sslvpn.Client'), 20, 'the app on the bus')
        self.actions = dbus.Interface(bus().get_object('org.sslvpn.Client', '/org/sslvpn/Client'),
                                      'org.gtk.Actions')

    def action(self, name, param=None):
        params = [] if param is None else [param]
        self.actions.Activate(name, dbus.Array(params, signature='v'),
                              dbus.Dictionary({}, signature='sv'))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            try:
                self.action('quit')
            except dbus.exceptions.DBusException:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()
