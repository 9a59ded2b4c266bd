#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The tun side of the data path through the lab's ocserv, over TLS only.

    ip netns exec CLIENT_NS offload-driver.py MODE

MODE: `offload` (tun with IFF_VNET_HDR, the worker enables TSO/checksum offloads and merged
writes), `vnet` (IFF_VNET_HDR but SSLVPN_TUN_OFFLOAD=0: headers, no offloads), `plain` (no
IFF_VNET_HDR: one packet per read).  tests/e2e/worker-driver.py plays the helper (imported,
so the message protocol is one implementation); this file only chooses the tun flags and the
worker's environment, then checks traffic: ping v4/v6, SHA-256-checked TCP transfers of
E2E_XFER_BYTES each way over IPv4 and IPv6 and a UDP GSO burst echoed back (tests/e2e/xfer.py
serve and udp-echo run on the LAN hosts),
optionally iperf3 (E2E_IPERF_TIME seconds each way), and what the worker's log says it did.
Prints `figures: ...` lines; exit status 0 = everything held.
"""
import importlib.util
import json
import os
import subprocess
import sys
import time

SRC = os.environ["SRCDIR"]
spec = importlib.util.spec_from_file_location("worker_driver",
                                              os.path.join(SRC, "tests/e2e/worker-driver.py"))
wd = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wd)

IFF_VNET_HDR = 0x4000
XFER = os.path.join(SRC, "tests/e2e/xfer.py")


def spawn(mode):
    """wd.Worker with this mode's tun flags and environment.  Worker() reads IFF_NO_PI from
    its module when it runs TUNSETIFF and builds the worker's environment itself, so both are
    adjusted around the call (the fork happens inside it)."""
    flags = wd.IFF_NO_PI
    execve = os.execve
    if mode in ("offload", "vnet"):
        wd.IFF_NO_PI = flags | IFF_VNET_HDR
    if mode == "vnet":
        os.execve = lambda path, argv, env: execve(path, argv, dict(env, SSLVPN_TUN_OFFLOAD="0"))
    try:
        return wd.Worker("sof%d" % (os.getpid() % 1000), os.environ.get("E2E_USER", "nobody"),
                         os.environ["E2E_LOG"], debug=os.environ.get("E2E_DEBUG") == "1")
    finally:
        wd.IFF_NO_PI = flags
        os.execve = execve


def connect_tls_only(w, cookie):
    # E2E_OFFLOAD_DTLS=1 (by hand, not in the suite): DTLS allowed, it carries the data once up.
    no_dtls = [] if os.environ.get("E2E_OFFLOAD_DTLS") == "1" else [("WATTR_NO_DTLS", 1)]
    w.send("WMSG_START", wd.start_msg(cookie) + no_dtls)
    st = w.expect("WMSG_STATE", 20)
    if wd.attr(st, "WATTR_STATE") != 1:
        wd.fail("first state %s" % st)
    cfg = w.expect("WMSG_CONFIG", 20)
    st = w.expect("WMSG_STATE", 20)
    if wd.attr(st, "WATTR_STATE") != 2 or wd.attr(st, "WATTR_TRANSPORT") != 1:
        wd.fail("state %s, want connected over TLS" % st)
    return cfg


def no_dtls_wanted():
    return os.environ.get("E2E_OFFLOAD_DTLS") != "1"


def cpu_seconds(pid):
    return wd.cpu_ticks(pid) / os.sysconf("SC_CLK_TCK")


def xfer(op, host, size, seed):
    r = subprocess.run(["/usr/bin/python3", XFER, op, host, os.environ["E2E_XFER_PORT"],
                        str(size), str(seed)], capture_output=True, text=True, timeout=90)
    out = (r.stdout + r.stderr).strip()
    wd.log(out)
    if r.returncode != 0:
        wd.fail("transfer %s %s: %s" % (op, host, out))


def iperf(w, host, reverse, seconds):
    cmd = ["iperf3", "-c", host, "-p", os.environ["E2E_IPERF_PORT"], "-t", str(seconds), "-J"]
    if reverse:
        cmd.append("-R")
    for attempt in range(3):
        cpu0 = cpu_seconds(w.pid)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
        cpu = cpu_seconds(w.pid) - cpu0
        # The server may still be finishing the previous test ("busy"): try again.
        if r.returncode == 0 or "busy" not in r.stdout:
            break
        time.sleep(1)
    if r.returncode != 0:
        wd.fail("iperf3 failed: %s" % r.stdout[-500:])
    res = json.loads(r.stdout)["end"]
    nbytes = res["sum_received"]["bytes"]
    retr = res["sum_sent"].get("retransmits", 0)
    mbit = res["sum_received"]["bits_per_second"] / 1e6
    return mbit, nbytes, cpu, retr


def main():
    mode = sys.argv[1]
    cookie = os.environ["E2E_COOKIE"]
    size = int(os.environ.get("E2E_XFER_BYTES", str(4 << 20)))
    env = os.environ
    w = spawn(mode)
    try:
        cfg = connect_tls_only(w, cookie)
        wd.apply_config(w, cfg)
        wd.ping(env["LAB_LAN_HOST"], count=2)
        wd.ping(env["LAB_LAN_HOST6"], v6=True, count=2)
        if no_dtls_wanted():
            pass
        else:
            # Wait for DTLS to carry the data (a STATE connected/dtls event), MTU applied.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not any(
                    e[1] == "WMSG_STATE" and wd.attr(e[2], "WATTR_TRANSPORT") == 2
                    for e in w.events):
                w.recv(0.5)
            for e in w.events:
                if e[1] == "WMSG_MTU":
                    wd.run("ip", "link", "set", "dev", w.tun_name, "mtu",
                           str(wd.attr(e[2], "WATTR_MTU")))
            wd.log("events: %s" % [(e[1], e[2]) for e in w.events])
        cpu0, t0 = cpu_seconds(w.pid), time.monotonic()
        for i, (op, host) in enumerate([("up", env["LAB_LAN_HOST"]), ("down", env["LAB_LAN_HOST"]),
                                         ("up", env["LAB_LAN_HOST6"]),
                                         ("down", env["LAB_LAN_HOST6"])]):
            xfer(op, host, size, 1000 * (i + 1) + len(mode))
        # UDP GSO from the sender: with USO on the device, one super-packet for us to split.
        for host in (env["LAB_LAN_HOST"], env["LAB_LAN_HOST6"]):
            r = subprocess.run(["/usr/bin/python3", XFER, "udp", host, env["E2E_XFER_PORT"],
                                "16", "1200"], capture_output=True, text=True, timeout=30)
            wd.log((r.stdout + r.stderr).strip())
            if r.returncode != 0:
                wd.fail("UDP: %s" % (r.stdout + r.stderr).strip())
        print("figures: %s: 4 x %d bytes checked in %.1f s, worker CPU %.2f s" %
              (mode, size, time.monotonic() - t0, cpu_seconds(w.pid) - cpu0))
        secs = int(env.get("E2E_IPERF_TIME", "0"))
        if secs:
            for rev in (False, True):
                mbit, nbytes, cpu, retr = iperf(w, env["LAB_LAN_HOST"], rev, secs)
                print("figures: %s: iperf3 %s %.0f Mbit/s, %.1f MB, %d retransmits, worker "
                      "CPU %.2f s = %.2f CPU-s/GB" %
                      (mode, "download" if rev else "upload", mbit, nbytes / 1e6, retr, cpu,
                       cpu / (nbytes / 1e9)))
        wd.stop(w)
    finally:
        w.close()
    text = open(w.log_path).read()
    if cookie in text or "webvpn=" in text:
        wd.fail("the cookie appears in the worker's log")
    for bad in ("Segmentation", "ERROR: AddressSanitizer", "runtime error:", "seccomp:"):
        if bad in text:
            wd.fail("the worker log shows %r:\n%s" % (bad, text[-2000:]))
    if os.environ.get("E2E_FOREIGN_WORKER") == "1":
        # Another build (bench-datapath.sh --before): traffic only, no log of ours to read.
        print("outcome: traffic checked (foreign worker)")
        return
    summary = [l for l in text.splitlines() if "tun: " in l]
    wd.log("worker: " + " | ".join(summary))
    want = {"offload": "offloads on", "vnet": "offloads off (SSLVPN_TUN_OFFLOAD=0)",
            "plain": "no virtio-net header"}[mode]
    if not any(want in l for l in summary):
        wd.fail("the worker did not report %r" % want)
    counts = [l for l in summary if " reads (" in l]
    if not counts:
        wd.fail("no tun summary in the worker's log")
    # "N reads (S super-packets -> P packets), M packets merged into K writes, D dropped"
    nums = [int(x) for x in counts[-1].replace("(", " ").replace(",", " ").split()
            if x.isdigit()]
    reads, supers, segs, merged_in, merged_out, dropped = nums[-6:]
    if mode == "offload" and (supers == 0 or segs <= supers or merged_out == 0 or
                              merged_in <= merged_out):
        wd.fail("offloads on but no super-packet split or no merged write: %s" % counts[-1])
    if mode != "offload" and (supers or merged_out):
        wd.fail("super-packets or merged writes without offloads: %s" % counts[-1])
    print("outcome: %s" % counts[-1].split("tun: ", 1)[1])


if __name__ == "__main__":
    main()
