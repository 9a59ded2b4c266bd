# SPDX-License-Identifier: GPL-2.0-or-later
"""Driving sslvpn-gtk through AT-SPI (gi Atspi) and taking screenshots of its windows.
GTK 4.8 facts (docs/testing.md "The gui suite"): typing through EditableText and the "click"
action work, also on AdwMessageDialog buttons (which appear twice: match a substring, click
one); there is no "showing" state and the extents are wrong, so nothing here clicks by
coordinates; a GtkDropDown cannot be set this way (tests use app.select-group)."""
import os
import subprocess
import time

import gi

gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib  # noqa: E402

APP_NAME = 'sslvpn-gtk'


def _iterate():
    ctx = GLib.MainContext.default()
    while ctx.pending():
        ctx.iteration(False)


def app_root(timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            a = desktop.get_child_at_index(i)
            if a is not None and a.get_name() == APP_NAME:
                return a
        _iterate()
        time.sleep(0.2)
    raise AssertionError('the app never appeared on the accessibility bus')


def is_visible(o):
    try:
        return o.get_state_set().contains(Atspi.StateType.VISIBLE)
    except GLib.GError:
        return False


def walk(obj, depth=0, limit=60):
    """The visible part of the tree (the window hides the pages that are not shown)."""
    if obj is None or depth > limit:
        return
    if depth > 0 and not is_visible(obj):
        return
    yield obj
    try:
        n = obj.get_child_count()
    except GLib.GError:
        return
    for i in range(n):
        try:
            c = obj.get_child_at_index(i)
        except GLib.GError:
            continue
        yield from walk(c, depth + 1, limit)


def name_of(o):
    try:
        return o.get_name() or ''
    except GLib.GError:
        return ''


def role_of(o):
    try:
        return o.get_role_name() or ''
    except GLib.GError:
        return ''


def text_of(o):
    try:
        t = o.get_text_iface()
        if t is not None:
            n = Atspi.Text.get_character_count(o)
            return Atspi.Text.get_text(o, 0, n) or ''
    except GLib.GError:
        pass
    return ''


def find_all(root, pred):
    return [o for o in walk(root) if pred(o)]


def wait_for(root_fn, pred, timeout=20, what='widget'):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        _iterate()
        try:
            found = find_all(root_fn(), pred)
        except GLib.GError as e:
            last = e
            found = []
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError('timed out waiting for %s (%s)' % (what, last))


def is_entry(o):
    return role_of(o) in ('entry', 'text', 'password text')


def entry_named(name):
    return lambda o: is_entry(o) and name_of(o) == name


def button_named(substring):
    return lambda o: role_of(o) in ('push button', 'button', 'toggle button') and substring in name_of(o)


def label_containing(substring):
    return lambda o: role_of(o) == 'label' and (substring in name_of(o) or substring in text_of(o))


def type_into(o, text):
    ed = o.get_editable_text_iface()
    if ed is None:
        for c in walk(o):
            if c is not o and c.get_editable_text_iface() is not None:
                ed, o = c.get_editable_text_iface(), c
                break
    if ed is None:
        raise AssertionError('%s has no editable text' % name_of(o))
    Atspi.EditableText.set_text_contents(o, text)


def click(o):
    act = o.get_action_iface()
    if act is None:
        raise AssertionError('%s has no action' % name_of(o))
    n = Atspi.Action.get_n_actions(o)
    names = [Atspi.Action.get_action_name(o, i) for i in range(n)]
    idx = names.index('click') if 'click' in names else 0
    Atspi.Action.do_action(o, idx)


def labels_text(root):
    return '\n'.join(name_of(o) or text_of(o) for o in walk(root) if role_of(o) == 'label')


# ---- screenshots ----

def _windows(pid):
    try:
        out = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(pid), ''],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    ids = []
    for line in out.split():
        try:
            wid = int(line)
        except ValueError:
            continue
        geo = subprocess.run(['xwininfo', '-id', str(wid)], capture_output=True, text=True).stdout
        w = h = 0
        for g in geo.splitlines():
            g = g.strip()
            if g.startswith('Width:'):
                w = int(g.split()[1])
            elif g.startswith('Height:'):
                h = int(g.split()[1])
            elif 'Map State:' in g and 'IsViewable' not in g:
                w = 0
        # Skip tiny helper windows and screen-sized ones (none of the app's own windows
        # is that big under Xvfb; those are leftovers of destroyed surfaces).
        if 50 < w < 1200 and 50 < h < 1000:
            ids.append(wid)
    return ids


def screenshot(pid, name, which='newest'):
    """Saves the app's newest visible window (a dialog over the main one, if any) as
    $SSLVPN_SCREENSHOT_DIR/<name>.png.  Returns the path or None."""
    out_dir = os.environ.get('SSLVPN_SCREENSHOT_DIR')
    if not out_dir:
        return None
    os.makedirs(out_dir, exist_ok=True)
    time.sleep(0.6)  # let the frame clock draw
    ids = _windows(pid)
    if not ids:
        return None
    wid = max(ids) if which == 'newest' else min(ids)
    path = os.path.join(out_dir, name + '.png')
    subprocess.run(['import', '-window', str(wid), path], capture_output=True, timeout=30)
    return path if os.path.exists(path) else None
