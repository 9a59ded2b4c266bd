#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The tray item against a fake StatusNotifierWatcher, with a stand-in helper on the session
bus: registration (and again when the watcher comes back), Status/IconName/ToolTip per state
whoever started the connection, the dbusmenu layout, menu clicks triggering the app actions,
and the desktop notifications of connect, drop and reconnect; the re-login agent's
registration and its rule that only the helper's bus name may call it.  TAP output."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dbus  # noqa: E402
import fakes  # noqa: E402
from fakes import wait_until  # noqa: E402

SNI = 'org.kde.StatusNotifierItem'
MENU = 'com.canonical.dbusmenu'

t = fakes.Tap()
# A gateway used before: the menu offers it.  Nothing listens there, so the login fails fast.
cfg = os.path.join(os.environ['XDG_CONFIG_HOME'], 'sslvpn')
os.makedirs(cfg, exist_ok=True)
with open(os.path.join(cfg, 'preferences.xml'), 'w') as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sslvpn-preferences version="1">'
            '<global><last-gateway>https://127.0.0.1:9</last-gateway></global>'
            '<gateway url="https://127.0.0.1:9"><last-used>1700000000</last-used></gateway>'
            '</sslvpn-preferences>\n')
watcher = fakes.Watcher()
notes = fakes.Notifications()
helper = fakes.Helper()
app = fakes.App(env={'SSLVPN_HELPER_BUS': 'session'})


def item():
    return dbus.SessionBus().get_object(watcher.registrations[-1][0], '/StatusNotifierItem')


def prop(name):
    return item().Get(SNI, name, dbus_interface=fakes.PROPS)


def menu_items():
    menu = dbus.SessionBus().get_object(watcher.registrations[-1][0], '/MenuBar')
    rev, layout = menu.GetLayout(0, -1, dbus.Array([], signature='s'), dbus_interface=MENU)
    out = {}
    for child in layout[2]:
        cid, props, _ = child
        out[int(cid)] = {str(k): v for k, v in props.items()}
    return out


def click(item_id):
    menu = dbus.SessionBus().get_object(watcher.registrations[-1][0], '/MenuBar')
    menu.Event(item_id, 'clicked', dbus.String('', variant_level=1), dbus.UInt32(0),
               dbus_interface=MENU)


try:
    wait_until(lambda: watcher.registrations, 15, 'RegisterStatusNotifierItem')
    name, sender = watcher.registrations[0]
    t.ok(name.startswith('org.kde.StatusNotifierItem-') and name.endswith('-1'),
         'registered with its own bus name', name)
    t.eq(dbus.SessionBus().get_name_owner(name), sender, 'the name belongs to the caller')
    t.eq(str(prop('Id')), 'org.sslvpn.Client', 'Id')
    t.eq(str(prop('Title')), 'SSL VPN', 'Title')
    t.eq(str(prop('Status')), 'Active', 'Status when disconnected')
    t.eq(str(prop('IconName')), 'org.sslvpn.Client-disconnected-symbolic', 'icon when disconnected')
    tip = prop('ToolTip')
    t.eq(str(tip[3]), 'VPN not connected', 'tooltip when disconnected')
    t.eq(str(prop('Menu')), '/MenuBar', 'Menu path')

    # The re-login agent registers with the helper and serves the helper's bus name only:
    # anyone else could otherwise pop up a login prompt.
    wait_until(lambda: helper.agents, 10, 'Agent registration')
    agent_owner, agent_path = helper.agents[-1]
    t.eq(agent_path, '/org/sslvpn/Client/Agent', 'the agent registers its path with the helper')
    stranger = dbus.bus.BusConnection(os.environ['DBUS_SESSION_BUS_ADDRESS'])
    some_conn = dbus.ObjectPath('/org/sslvpn/Helper1/connection/99')
    for method, args in (('Relogin', (some_conn, 'https://vpn.lab.test', 'CookieRejected')),
                         ('Cancel', (some_conn,))):
        try:
            stranger.get_object(agent_owner, agent_path).get_dbus_method(
                method, fakes.HELPER + '.Agent')(*args, timeout=5)
            got = 'an answer'
        except dbus.exceptions.DBusException as e:
            got = e.get_dbus_name()
        t.eq(got, fakes.HELPER + '.Error.AccessDenied',
             'Agent.%s from another bus name is refused' % method)
    stranger.close()
    try:
        dbus.SessionBus().get_object(agent_owner, agent_path).Cancel(
            some_conn, dbus_interface=fakes.HELPER + '.Agent', timeout=5)
        got = 'an answer'
    except dbus.exceptions.DBusException as e:
        got = e.get_dbus_name()
    t.eq(got, 'an answer', "Agent.Cancel from the helper's own bus name is served")

    items = menu_items()
    t.eq(sorted(items), [1, 2, 3, 4, 5], 'menu has five entries')
    t.eq(str(items[1]['label']), 'Connect to https://127.0.0.1:9', 'Connect names the last gateway')
    t.eq(bool(items[1]['enabled']), True, 'Connect enabled while disconnected')
    t.eq(str(items[2]['label']), 'Disconnect', 'Disconnect entry')
    t.eq(bool(items[2]['enabled']), False, 'Disconnect disabled while disconnected')
    t.eq(str(items[3]['type']), 'separator', 'a separator')
    t.eq(str(items[4]['label']), 'Show Window', 'Show Window entry')
    t.eq(str(items[5]['label']), 'Quit', 'Quit entry')

    # Connect from the menu runs app.connect with that gateway: the login starts and fails.
    click(1)
    wait_until(lambda: str(prop('IconName')) == 'org.sslvpn.Client-error-symbolic', 15,
               'the failed login to show in the tray')
    t.eq(str(prop('Status')), 'NeedsAttention', 'menu Connect ran a login (it failed: nothing listens)')

    # A connection someone else started (the CLI): the tray shows it, no notification for
    # a state that was already there.
    conn = helper.add(State='connected', Gateway='https://vpn.lab.test', Transport='dtls',
                      Interface='sslvpn0', Address='198.51.100.7/24', ConnectedSince=1700000000)
    wait_until(lambda: str(prop('IconName')) == 'org.sslvpn.Client-connected-symbolic', 10,
               'connected icon')
    t.ok(True, 'icon follows a connection the app did not start')
    t.eq(str(prop('ToolTip')[3]), 'VPN connected: https://vpn.lab.test', 'tooltip when connected')
    items = menu_items()
    t.eq(bool(items[2]['enabled']), True, 'Disconnect enabled while connected')
    t.eq(bool(items[1]['enabled']), False, 'Connect disabled while connected')
    t.eq(notes.sent, [], 'no notification for a connection found already up')

    conn.set(State='reconnecting', LastError='DeadPeer')
    wait_until(lambda: str(prop('Status')) == 'NeedsAttention', 10, 'NeedsAttention')
    t.eq(str(prop('IconName')), 'org.sslvpn.Client-connecting-symbolic', 'icon when reconnecting')
    wait_until(lambda: 'VPN Reconnecting' in notes.summaries(), 10, 'reconnecting notification')
    t.ok(True, 'notification on reconnecting')
    conn.set(State='connected')
    wait_until(lambda: 'VPN Reconnected' in notes.summaries(), 10, 'reconnected notification')
    t.ok(True, 'notification on reconnect')
    t.eq(str(prop('Status')), 'Active', 'Active again')

    # Menu: Disconnect goes through app.disconnect to the helper's Disconnect.
    click(2)
    wait_until(lambda: conn.disconnects == 1, 10, 'Connection.Disconnect')
    t.ok(True, 'menu Disconnect calls the helper')
    wait_until(lambda: str(prop('IconName')) == 'org.sslvpn.Client-disconnected-symbolic', 10,
               'disconnected icon')
    t.ok(True, 'icon back to disconnected')
    helper.remove(conn)

    # A tunnel that drops.
    conn2 = helper.add(State='connecting', Gateway='https://vpn.lab.test')
    fakes.iterate(0.3)
    conn2.set(State='connected', ConnectedSince=1700000000)
    wait_until(lambda: 'VPN Connected' in notes.summaries(), 10, 'connected notification')
    t.ok(True, 'notification on connect')
    conn2.set(State='failed', LastError='GatewayClosed')
    wait_until(lambda: 'VPN Connection Lost' in notes.summaries(), 10, 'drop notification')
    body = [b for s, b in notes.sent if s == 'VPN Connection Lost'][0]
    t.ok('The gateway ended the session.' in body, 'drop notification says why', body)
    wait_until(lambda: str(prop('IconName')) == 'org.sslvpn.Client-error-symbolic', 10, 'error icon')
    t.eq(str(prop('Status')), 'NeedsAttention', 'NeedsAttention after a drop')

    # The watcher goes away and comes back: the item registers again.
    watcher.release()
    fakes.iterate(0.3)
    watcher.claim()
    wait_until(lambda: len(watcher.registrations) >= 2, 10, 'second registration')
    t.eq(watcher.registrations[-1][0], name, 'registered again when the watcher reappeared')

    # Show Window via the menu maps the window (the app starts without one here? it has one).
    click(4)
    fakes.iterate(0.3)
    t.ok(app.alive(), 'Show Window keeps the app running')

    # Quit via the menu ends the app.
    click(5)
    wait_until(lambda: not app.alive(), 10, 'the app to quit')
    t.ok(True, 'menu Quit ends the app')
except AssertionError as e:
    t.ok(False, str(e), app.log_text()[-3000:])
finally:
    app.stop()


def visible_windows(pid):
    import a11y  # xdotool + xwininfo; ignores GTK's 1x1 client leader window
    return a11y._windows(pid)


# "Start in the tray": the first start shows only the tray item; app.show brings the window.
with open(os.path.join(cfg, 'preferences.xml'), 'w') as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sslvpn-preferences version="1">'
            '<global><start-in-tray>true</start-in-tray></global></sslvpn-preferences>\n')
n_before = len(watcher.registrations)
app = fakes.App(env={'SSLVPN_HELPER_BUS': 'session'})
try:
    wait_until(lambda: len(watcher.registrations) > n_before, 15, 'the tray item')
    fakes.iterate(1.0)
    t.eq(visible_windows(app.proc.pid), [], 'start in the tray: no window at start')
    app.action('show')
    wait_until(lambda: visible_windows(app.proc.pid), 10, 'the window after app.show')
    t.ok(True, 'app.show opens the window')
except AssertionError as e:
    t.ok(False, str(e), app.log_text()[-3000:])
finally:
    app.stop()
t.done()
