#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""sslvpn-gtk against the real ocserv lab (tests/lab/lab.sh), driven as a person would:
typing and clicking through AT-SPI, the group chosen with app.select-group (a GtkDropDown
cannot be set through AT-SPI).  The app runs in the lab's client network namespace.

  test-lab.py [--lang zh_TW]

Scenarios (TAP):
  otp          a second factor: the one-time password form after the password form.
  login        gateway typed, group changed, user name and password typed, post-login banner
               accepted; without a helper (no system bus) the app says the VPN service is not
               available; the preferences remember user, group and the profile's server list.
  helper       the same against a stand-in helper on the session bus: Manager.Connect gets the
               cookie and the pin; the status view shows the connection; Agent.Relogin brings
               the login back and returns a fresh cookie; Disconnect reaches the helper.
  certificate  untrusted.lab.test: blocked by default with the certificate's details; with
               blocking turned off in Preferences the prompt appears on every connection until
               "Always trust" pins it (preferences.xml); a changed certificate is refused.
Screenshots of every window and dialog go to $SSLVPN_SCREENSHOT_DIR (suffix -<lang>).
Root only (network namespaces)."""
import gettext
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import a11y  # noqa: E402
import fakes  # noqa: E402
from fakes import wait_until  # noqa: E402

lang = 'en'
if '--lang' in sys.argv:
    lang = sys.argv[sys.argv.index('--lang') + 1]
os.environ['SSLVPN_A11Y'] = '1'
os.environ.pop('GTK_A11Y', None)  # run-gui-test.sh turns AT-SPI off for the other tests
if lang != 'en':
    os.environ['LANGUAGE'] = lang
else:
    os.environ.pop('LANGUAGE', None)
tr = gettext.translation('sslvpn', localedir=os.environ.get('SSLVPN_LOCALEDIR'),
                         languages=[lang], fallback=(lang == 'en'))
_ = tr.gettext


def ui(msgid):
    """What a (translated) mnemonic label reads like through AT-SPI."""
    return _(msgid).replace('_', '')


t = fakes.Tap()
if os.geteuid() != 0:
    t.skip_all('needs root for the lab')
src = os.environ['SSLVPN_SOURCE_DIR']
lab_sh = os.path.join(src, 'tests', 'lab', 'lab.sh')
labdir = tempfile.mkdtemp(prefix='sslvpn-gui-lab-')
r = subprocess.run([lab_sh, 'start', labdir, '--owner', str(os.getpid())],
                   capture_output=True, text=True)
if r.returncode != 0:
    print('# ' + r.stderr.replace('\n', '\n# '))
    t.skip_all('the lab did not start')


def lab_env():
    env = {}
    with open(os.path.join(labdir, 'lab.env')) as f:
        for line in f:
            m = re.match(r"^(\w+)='?(.*?)'?$", line.strip())
            if m:
                env[m.group(1)] = m.group(2)
    return env


L = lab_env()
prefs_path = os.path.join(os.environ['XDG_CONFIG_HOME'], 'sslvpn', 'preferences.xml')
NO_SYSTEM_BUS = {'DBUS_SYSTEM_BUS_ADDRESS': 'unix:path=/nonexistent/sslvpn-test'}


def prefs_text():
    try:
        with open(prefs_path) as f:
            return f.read()
    except OSError:
        return ''


def shot(app, name):
    path = a11y.screenshot(app.proc.pid, '%s-%s' % (name, lang))
    if path:
        print('# screenshot ' + path)


def start_app(env=None, args=()):
    app = fakes.App(args=['--cafile', L['LAB_CA']] + list(args), env=env, netns=L['LAB_CLI_NS'])
    return app


class Ui:
    """The app's accessible tree, re-read on demand."""

    def __init__(self):
        self._root = None

    def root(self):
        if self._root is None:
            self._root = a11y.app_root()
        return self._root

    def wait(self, pred, what, timeout=20):
        return a11y.wait_for(self.root, pred, timeout, what)

    def entry(self, name, timeout=20):
        return self.wait(a11y.entry_named(name), 'entry ' + name, timeout)

    def button(self, label, timeout=20):
        want = label

        def pred(o):
            if a11y.role_of(o) not in ('push button', 'button'):
                return False
            n = a11y.name_of(o).replace('_', '')
            return n == want or n.startswith(want + ' ') or n.endswith(' ' + want)
        return self.wait(pred, 'button ' + label, timeout)

    def label(self, text, timeout=20):
        return self.wait(a11y.label_containing(text), 'label ' + text, timeout)

    def click(self, label, timeout=20):
        a11y.click(self.button(label, timeout))

    def type(self, entry, text, timeout=20):
        a11y.type_into(self.entry(entry, timeout), text)


def login_steps(app, u, gateway, group=None, user='alice', password=None, banner=True,
                screenshots=True):
    """From the connect page to the end of the login (banner accepted)."""
    if gateway is not None:
        u.type(_('Gateway address'), gateway)
        if screenshots:
            shot(app, 'connect')
        u.click(ui('_Connect'))
    u.entry('Username')
    if group:
        time.sleep(0.3)
        app.action('select-group', group)
        time.sleep(1.5)  # the gateway answers the new init; the form is rendered anew
    u.type('Username', user)
    if screenshots:
        shot(app, 'login-form')
    u.click(ui('_Log In'))
    u.type('Password', password or L['LAB_PASSWORD'])
    if screenshots:
        shot(app, 'login-password')
    u.click(ui('_Log In'))
    if banner:
        u.label(L['LAB_BANNER'])
        if screenshots:
            shot(app, 'banner')
        u.click(ui('_Accept'))


def scenario_login():
    app = start_app(env=NO_SYSTEM_BUS)
    u = Ui()
    try:
        shot(app, 'connect-empty')
        login_steps(app, u, L['LAB_GATEWAY'], group=L['LAB_GROUP_SALES_LABEL'])
        u.label(_('The VPN service (sslvpn-helper) is not available. Check that it is installed.'))
        t.ok(True, 'login succeeded and the app reached Manager.Connect: helper not available')
        shot(app, 'helper-unavailable')
        p = prefs_text()
        t.ok('<last-user>alice</last-user>' in p, 'user name remembered')
        t.ok('<last-group>sales</last-group>' in p, 'the group picked through the app is the one used', p)
        t.ok('untrusted.lab.test' in p, "the profile's server list is cached")
        t.ok(L['LAB_PASSWORD'] not in p and 'webvpn' not in p, 'no password or cookie stored')
        # The chooser lists the profile's servers next time.
        app.stop()
        app = start_app(env=NO_SYSTEM_BUS)
        u = Ui()
        u.wait(lambda o: a11y.name_of(o) == 'Lab VPN (untrusted)', 'the server list in the chooser')
        t.ok(True, "the gateway chooser shows the cached profile's servers")
        shot(app, 'connect-known')
    except AssertionError as e:
        t.ok(False, 'login scenario: %s' % e, app.log_text()[-2000:])
    finally:
        app.stop()


def scenario_helper():
    helper = fakes.Helper()
    app = start_app(env={'SSLVPN_HELPER_BUS': 'session'}, args=[L['LAB_GATEWAY']])
    u = Ui()
    try:
        # Started with the gateway on the command line; user and group are remembered.
        login_steps(app, u, None, user='alice', screenshots=False)
        wait_until(lambda: helper.connects, 20, 'Manager.Connect')
        o = helper.connects[0]
        t.eq(sorted(o), ['Address', 'Cookie', 'Gateway', 'NoDtls', 'ServerCertPin'],
             'Connect options are exactly the handoff')
        t.eq(o['Gateway'].rstrip('/'), 'https://' + L['LAB_GATEWAY'], 'Gateway')
        t.eq(o['Address'], L['LAB_SERVER_IP'], 'Address is where the login went')
        t.eq(o['ServerCertPin'], L['LAB_SERVER_CERT_PIN'], 'ServerCertPin is the login certificate')
        t.ok(len(o['Cookie']) > 8, 'a session cookie')
        t.eq(o['NoDtls'], False, 'DTLS on by default')
        t.ok(o['Cookie'] not in prefs_text(), 'the cookie is not in the preferences')
        conn = helper.conns['/org/sslvpn/Helper1/connection/1']
        conn.set(State='connected', Transport='dtls', Interface='sslvpn0',
                 Address='198.51.100.2/24', Address6='2001:db8:100::2/64', Mtu=1399,
                 Routes=['203.0.113.64/26'], Dns=[L['LAB_DNS']], BytesSent=123456,
                 BytesReceived=7890123, ConnectedSince=int(time.time()) - 65)
        u.label('198.51.100.2/24')
        t.ok(True, 'the status view shows the address')
        u.label('203.0.113.64/26')
        t.ok(True, 'the status view shows the routes')
        u.label(ui('DTLS (UDP)'))
        shot(app, 'status')
        # Relogin: the login comes back and a fresh cookie goes to the helper.
        replies, errors = [], []
        helper.relogin(conn, replies.append, errors.append)
        u.label(_('Log In Again'))
        shot(app, 'relogin')
        u.click(ui('_Log In'))
        u.type('Password', L['LAB_PASSWORD'])
        u.click(ui('_Log In'))
        wait_until(lambda: replies or errors, 30, 'the Relogin reply')
        t.eq(errors, [], 'Relogin answered without error')
        cookie = str(replies[0]['Cookie']) if replies else ''
        t.ok(len(cookie) > 8 and cookie != o['Cookie'], 'Relogin returned a new cookie')
        # A re-login the helper cancels closes the prompt.
        replies2, errors2 = [], []
        helper.relogin(conn, replies2.append, errors2.append)
        u.label(_('Log In Again'))
        helper.cancel_relogin(conn)
        wait_until(lambda: errors2, 10, 'the cancelled Relogin to fail')
        t.ok('Cancelled' in str(errors2[0].get_dbus_name()), 'Cancel answers the pending Relogin with Cancelled',
             errors2[0])
        u.label('198.51.100.2/24')
        t.ok(True, 'back to the status view after Cancel')
        u.click(ui('_Disconnect'))
        wait_until(lambda: conn.disconnects == 1, 10, 'Connection.Disconnect')
        t.ok(True, 'Disconnect reaches the helper')
        u.button(ui('_Connect'))
        t.ok(True, 'back to the connect view after the disconnect')
    except AssertionError as e:
        t.ok(False, 'helper scenario: %s' % e, app.log_text()[-2000:])
    finally:
        app.stop()
        helper.remove_from_connection()
        fakes.bus().release_name(fakes.HELPER)


def scenario_certificate():
    ugw = L['LAB_UNTRUSTED_GATEWAY']
    app = start_app(env=NO_SYSTEM_BUS)
    u = Ui()
    try:
        u.type(_('Gateway address'), ugw)
        u.click(ui('_Connect'))
        u.label(_('Connection Blocked'))
        t.ok(True, 'an untrusted certificate is blocked by default')
        u.label('CN=' + ugw)
        u.label(L['LAB_UNTRUSTED_CERT_PIN'])
        u.label(L['LAB_UNTRUSTED_CERT_SHA1'])
        u.label(_('it was issued by an unknown authority')[1:])
        t.ok(True, 'the dialog names the reason, subject, pin and SHA-1')
        shot(app, 'cert-blocked')
        u.click(ui('_Preferences'))
        sw = u.wait(lambda o: a11y.name_of(o).startswith(_('Block connections to untrusted servers'))
                    and a11y.role_of(o) in ('toggle button', 'switch', 'check box'),
                    'the block switch')
        shot(app, 'preferences')
        a11y.click(sw)
        wait_until(lambda: '<block-untrusted-servers>false' in prefs_text(), 10, 'the preference saved')
        t.ok(True, 'blocking turned off in Preferences and saved')
    except AssertionError as e:
        t.ok(False, 'certificate scenario (blocked): %s' % e, app.log_text()[-2000:])
    finally:
        app.stop()

    app = start_app(env=NO_SYSTEM_BUS)
    u = Ui()
    try:
        u.type(_('Gateway address'), ugw)
        u.click(ui('_Connect'))
        u.label(_('Untrusted Certificate'))
        u.label(L['LAB_UNTRUSTED_CERT_PIN'])
        shot(app, 'cert-prompt')
        u.click(ui('Connect _Anyway'))
        u.entry('Username')
        t.ok(True, '"Connect anyway" goes on to the login')
        u.click(ui('_Cancel'))
        u.button(ui('_Connect'))
        t.ok(ugw not in prefs_text() or 'server-pin' not in prefs_text(), 'nothing pinned after "once"')
        u.type(_('Gateway address'), ugw)
        u.click(ui('_Connect'))
        u.label(_('Untrusted Certificate'))
        t.ok(True, 'the warning appears again on the next connection')
        u.click(ui('Always _Trust This Certificate'))
        login_steps(app, u, None, screenshots=False)
        u.label(_('The VPN service (sslvpn-helper) is not available. Check that it is installed.'))
        p = prefs_text()
        t.ok('<server-pin>%s</server-pin>' % L['LAB_UNTRUSTED_CERT_PIN'] in p,
             '"Always trust" pinned the certificate in preferences.xml', p)
        # The pinned certificate now connects without a question.
        u.type(_('Gateway address'), ugw)
        u.click(ui('_Connect'))
        u.entry('Username')
        t.ok(True, 'a pinned certificate is accepted without asking')
        u.click(ui('_Cancel'))
        u.button(ui('_Connect'))
        old_pin = L['LAB_UNTRUSTED_CERT_PIN']
        r = subprocess.run([lab_sh, 'rotate-cert', labdir, ugw], capture_output=True, text=True)
        t.eq(r.returncode, 0, 'lab certificate rotated')
        u.type(_('Gateway address'), ugw)
        u.click(ui('_Connect'))
        u.label(_('Certificate Changed'))
        t.ok(True, 'a changed certificate is refused with an explanation')
        shot(app, 'cert-changed')
        u.click(ui('_Close'))
        t.ok('<server-pin>%s</server-pin>' % old_pin in prefs_text(), 'the old pin stays')
        u.label(_('The gateway presented a different certificate from the one you chose to trust. This can mean that someone is intercepting the connection, so it was refused. If the gateway\'s administrator replaced the certificate, remove the old one from the preferences file before connecting again.'))
        t.ok(True, 'the connect view explains the refusal')
        shot(app, 'cert-changed-connect')
    except AssertionError as e:
        t.ok(False, 'certificate scenario: %s' % e, app.log_text()[-2000:])
    finally:
        app.stop()


def scenario_otp():
    """A second factor: password form, then the one-time password form (otp.lab.test)."""
    app = start_app(env=NO_SYSTEM_BUS)
    u = Ui()
    try:
        u.type(_('Gateway address'), L['LAB_OTP_GATEWAY'])
        u.click(ui('_Connect'))
        u.type('Username', L['LAB_OTP_USER'])
        u.click(ui('_Log In'))
        u.type('Password', L['LAB_OTP_PASSWORD'])
        u.click(ui('_Log In'))
        u.label('Please enter your OTP password.')  # ocserv's second form
        t.ok(True, 'a second form asks for the one-time password')
        shot(app, 'login-otp')
        code = subprocess.run([lab_sh, 'otp', labdir], capture_output=True, text=True).stdout.strip()
        entry = u.wait(lambda o: a11y.role_of(o) == 'password text', 'the one-time password entry')
        a11y.type_into(entry, code)
        u.click(ui('_Log In'))
        u.label(L['LAB_BANNER'])
        t.ok(True, 'the one-time password completes the login')
        u.click(ui('_Decline'))
        u.button(ui('_Connect'))
        t.ok(True, 'declining the banner returns to the connect view without connecting')
    except AssertionError as e:
        t.ok(False, 'second factor: %s' % e, app.log_text()[-2000:])
    finally:
        app.stop()


def scenario_fullstack():
    """GUI -> real sslvpn-helper on a private system bus -> sslvpn-worker -> ocserv, traffic
    through the tunnel, a gateway restart answered by a re-login, Disconnect."""
    build = os.environ.get('SSLVPN_BUILD_DIR', '')
    sysbus = os.path.join(src, 'tests', 'lab', 'sysbus.sh')
    # meson names the binaries when it built them; a build without the helper has none.
    bins = [os.environ.get('SSLVPN_TEST_HELPER', ''), os.environ.get('SSLVPN_TEST_WORKER', '')]
    if not all(bins):
        print('ok %d - full stack # SKIP built without sslvpn-helper' % (t.n + 1))
        t.n += 1
        return
    missing = [p for p in bins + [sysbus] if not os.access(p, os.X_OK)]
    if not t.ok(not missing, 'the helper and the worker are there', ' '.join(missing)):
        return
    busdir = tempfile.mkdtemp(prefix='sslvpn-gui-sysbus-')
    os.chmod(busdir, 0o755)
    r = subprocess.run([sysbus, 'start', busdir, L['LAB_CLI_NS'], build], capture_output=True,
                       text=True)
    if not t.ok(r.returncode == 0, 'private system bus with the real helper starts', r.stderr):
        return
    env = {}
    with open(os.path.join(busdir, 'sysbus.env')) as f:
        for line in f:
            m = re.match(r"^(\w+)='?(.*?)'?$", line.strip())
            if m:
                env[m.group(1)] = m.group(2)
    app = start_app(env={'DBUS_SYSTEM_BUS_ADDRESS': env['SYSBUS_ADDRESS']})
    u = Ui()

    def ping(host):
        return subprocess.run(['ip', 'netns', 'exec', L['LAB_CLI_NS'], 'ping', '-c1', '-W2', host],
                              capture_output=True).returncode == 0

    def helper_log():
        try:
            with open(env.get('SYSBUS_HELPER_LOG', os.path.join(busdir, 'helper.log'))) as f:
                return f.read()[-3000:]
        except OSError:
            return ''
    try:
        login_steps(app, u, L['LAB_GATEWAY'], group=L['LAB_GROUP_ENGINEERING_LABEL'],
                    screenshots=False)
        u.label(tr.pgettext('vpn state', 'Connected'), timeout=40)
        t.ok(True, 'the GUI brought the tunnel up through the real helper')
        u.label('198.51.100.', timeout=10)
        t.ok(True, 'the status view shows the tunnel address')
        t.ok(ping(L['LAB_LAN_HOST']), 'traffic flows through the tunnel (ping the LAN host)')
        shot(app, 'status-real')
        # The gateway forgets the session: the helper asks the GUI's agent for a new cookie.
        r = subprocess.run([lab_sh, 'restart', '--crash', labdir], capture_output=True, text=True)
        t.eq(r.returncode, 0, 'lab gateway restarted')
        u.label(_('Log In Again'), timeout=60)
        t.ok(True, 'a rejected cookie brings the login back (Agent.Relogin)')
        u.click(ui('_Log In'))
        u.type('Password', L['LAB_PASSWORD'])
        u.click(ui('_Log In'))
        u.label('198.51.100.', timeout=60)
        wait_until(lambda: ping(L['LAB_LAN_HOST']), 30, 'traffic after the re-login')
        t.ok(True, 'the tunnel carries traffic again after the re-login')
        u.click(ui('_Disconnect'))
        u.button(ui('_Connect'), timeout=30)
        t.ok(True, 'Disconnect ends the tunnel and the connect view returns')
        t.ok(not ping(L['LAB_LAN_HOST']), 'no route to the LAN after the disconnect')
    except AssertionError as e:
        t.ok(False, 'full stack: %s' % e, app.log_text()[-2000:] + '\n--- helper\n' + helper_log())
    finally:
        app.stop()
        subprocess.run([sysbus, 'stop', busdir], capture_output=True)
        subprocess.run(['rm', '-rf', busdir])


only = os.environ.get('SSLVPN_GUI_SCENARIOS', 'login otp helper certificate fullstack').split()
if lang != 'en' and 'SSLVPN_GUI_SCENARIOS' not in os.environ:
    only.remove('fullstack')  # the English run covers it; the translated run is about the UI
try:
    for name in ('login', 'otp', 'helper', 'fullstack', 'certificate'):
        if name in only:
            globals()['scenario_' + name]()
finally:
    subprocess.run([lab_sh, 'stop', labdir])
    subprocess.run(['rm', '-rf', labdir])
t.done()
