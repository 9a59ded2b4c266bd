#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Our client without sslvpn-helper, for bench-clients.py --our-side driver.

    ip netns exec CLIENT_NS our-driver.py  (password on stdin; environment: see below)

Logs in with `sslvpn auth` (our login code), then plays the helper for one sslvpn-worker the
way tests/e2e/worker-driver.py does (its Worker class and codec are reused, so the message
numbers cannot drift): tun device, socketpair, fork+exec as an unprivileged user, the reported
configuration applied with `ip`, WMSG_MTU applied to the device.  It keeps the tunnel until
SIGTERM or SIGINT, then sends STOP and waits for the worker to leave.

Events go to stdout as JSON lines, for the benchmark to read:
  {"event": "up", "worker": PID, "tun": NAME, "transport": "tls"|"dtls", "mtu": N}
  {"event": "state", "state": N, "transport": "..."}   (every later WMSG_STATE)
  {"event": "mtu", "mtu": N}                            (every WMSG_MTU, after applying it)
  {"event": "error", "detail": "..."}                   (then exit 1)

Environment: SRCDIR, WORKER, SSLVPN (the CLI), LAB_* from lab.env, BENCH_GROUP,
BENCH_NO_DTLS (1 = send WATTR_NO_DTLS), BENCH_WORKER_USER (default nobody), BENCH_LOG (the
worker's stderr and this driver's diagnostics).
"""
import importlib.util
import json
import os
import shlex
import signal
import subprocess
import sys

SRC = os.environ["SRCDIR"]
_spec = importlib.util.spec_from_file_location(
    "worker_driver", os.path.join(SRC, "tests/e2e/worker-driver.py"))
wd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wd)

TRANSPORT = {0: "", 1: "tls", 2: "dtls"}
stopping = False


def emit(**kw):
    print(json.dumps(kw), flush=True)


def on_signal(signo, frame):
    global stopping
    stopping = True


def login(password):
    """`sslvpn auth` in this namespace; returns its KEY=value handoff as a dict."""
    env = os.environ
    cmd = [env["SSLVPN"], "auth", "--user", env["LAB_USER"], "--password-stdin",
           "--group", env.get("BENCH_GROUP", "engineering"), "--cafile", env["LAB_CA"],
           "--non-interactive", env["LAB_GATEWAY"]]
    r = subprocess.run(cmd, input=password, capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["failed"])[-1]
        emit(event="error", detail="sslvpn auth: " + last)
        sys.exit(1)
    out = {}
    for line in r.stdout.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = shlex.split(v)[0] if v else ""
    return out


def start_attrs(h):
    attrs = [("WATTR_HOST", h["HOST"]), ("WATTR_PORT", int(h["PORT"])),
             ("WATTR_ADDRESS", h["ADDRESS"]), ("WATTR_PIN", h["SERVER_CERT_PIN"]),
             ("WATTR_COOKIE", h["COOKIE"])]
    if os.environ.get("BENCH_NO_DTLS") == "1":
        attrs.append(("WATTR_NO_DTLS", 1))
    return attrs


def reapply(w, cfg):
    # A reconnect may bring another configuration: start from a clean device.
    wd.run("ip", "addr", "flush", "dev", w.tun_name, check=False)
    wd.apply_config(w, cfg)


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    password = sys.stdin.readline()
    h = login(password)
    w = wd.Worker("sbw%d" % (os.getpid() % 10000), os.environ.get("BENCH_WORKER_USER", "nobody"),
                  os.environ["BENCH_LOG"])
    try:
        w.send("WMSG_START", start_attrs(h))
        h.clear()
        cfg, up = None, False
        while not stopping:
            m = w.recv(0.2)
            # worker-driver.py keeps WMSG_MTU and transport changes while connected in
            # w.events instead of returning them.
            pending = [(k, a) for _, k, a in getattr(w, "events", [])]
            if hasattr(w, "events"):
                w.events.clear()
            if m is not None:
                pending.append(m)
            for kind, attrs in pending:
                cfg, up = handle(w, kind, attrs, cfg, up)
        w.send("WMSG_STOP")
        wd.final_stats(w)
        w.wait_exit(10)
    finally:
        w.close()


def handle(w, kind, attrs, cfg, up):
    """One message from the worker; returns the new (cfg, up)."""
    if kind == "WMSG_CONFIG":
        if cfg is None:
            wd.apply_config(w, attrs)
        else:
            reapply(w, attrs)
        cfg = attrs
    elif kind == "WMSG_STATE":
        state, tr = wd.attr(attrs, "WATTR_STATE"), wd.attr(attrs, "WATTR_TRANSPORT", 0)
        if state == 2 and not up and cfg is not None:
            up = True
            emit(event="up", worker=w.pid, tun=w.tun_name, transport=TRANSPORT.get(tr, str(tr)),
                 mtu=wd.attr(cfg, "WATTR_MTU"))
        else:
            emit(event="state", state=state, transport=TRANSPORT.get(tr, str(tr)))
    elif kind == "WMSG_MTU":
        mtu = wd.attr(attrs, "WATTR_MTU")
        wd.run("ip", "link", "set", "dev", w.tun_name, "mtu", str(mtu))
        emit(event="mtu", mtu=mtu)
    elif kind in ("WMSG_ERROR", "EOF", "WMSG_COOKIE_REJECTED"):
        code = wd.attr(attrs, "WATTR_ERROR")
        emit(event="error", detail="%s %s %s" % (kind, wd.ENAME.get(code, code or ""),
                                                 wd.attr(attrs, "WATTR_DETAIL", "")))
        sys.exit(1)
    return cfg, up


if __name__ == "__main__":
    main()
