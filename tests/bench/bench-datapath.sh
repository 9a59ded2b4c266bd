#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The data path micro-benchmark of tun offload and batching (docs/architecture.md "Data path").
# Prints figures; it is not a test.
#
#   sudo tests/bench/bench-datapath.sh [--build DIR] [--time S] [--modes "single batch offload"]
#                                      [--lab] [--before WORKER]
#
# Local part (always): two network namespaces joined by a veth pair, a tun device in each, and
# tests/bench/bench-datapath.c at both ends: a CSTP-over-TLS tunnel (TLS 1.3, AES-256-GCM, one
# frame per record) between the two tun devices.  iperf3 runs through it for S seconds each
# way (upload = from the "client" namespace).  For each loop (single: one packet per poll,
# read, record and send; batch: the worker's batched loop without offloads; offload: batch +
# TSO split + merged writes) it prints the throughput, the client end's packets per second
# and its CPU seconds per GB of TCP payload (utime+stime from /proc/PID/stat during the run;
# the peer's in brackets).  Both ends and both iperf3 ends share this machine's cores.
#
# --lab: the real sslvpn-worker of DIR against the lab's ocserv (TLS only), through
# tests/e2e/test-offload.sh with iperf3 runs: offload / vnet (offloads off) / plain tun.
# --before WORKER: the same for another sslvpn-worker binary (say, one built from the commit
# before the offloads), plain tun (the tun it had).
set -u -o pipefail
SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$SRCDIR/build-offload-rel
[ -d "$BUILD" ] || BUILD=$SRCDIR/build
TIME=10
MODES="single batch offload"
LAB=0
BEFORE=
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--time) TIME=$2; shift 2 ;;
	--modes) MODES=$2; shift 2 ;;
	--lab) LAB=1; shift ;;
	--before) BEFORE=$2; LAB=1; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--time S] [--modes LIST] [--lab] [--before WORKER]" >&2; exit 2 ;;
	esac
done
if [ "$(id -u)" != 0 ]; then
	echo "needs root (network namespaces, tun)" >&2
	exit 2
fi
for tool in iperf3 certtool cc pkg-config; do
	command -v $tool >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done
if ! grep -q "buildtype=release\|'buildtype': 'release'" "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null &&
	! grep -q '"name": "buildtype", "value": "release"' "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null; then
	echo "# warning: $BUILD may not be a release build: figures would not mean much"
fi
if grep -q '"name": "b_sanitize", "value": "address' "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null; then
	echo "# warning: $BUILD has sanitizers: figures would not mean much"
fi

TMP=$(mktemp -d /tmp/sslvpn-bench-datapath.XXXXXX)
NA=bdp-$$-a
NB=bdp-$$-b
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LIBS="helper/worker/proto/libworker-proto.a core/tunnel/libcore-tunnel.a core/net/libcore-net.a core/base/libcore-base.a"
# shellcheck disable=SC2086
ninja -C "$BUILD" $LIBS >/dev/null || exit 1
BIN=$TMP/bench-datapath
# shellcheck disable=SC2046
cc -O2 -I "$SRCDIR/helper/worker/proto" -I "$SRCDIR/core/net" -I "$SRCDIR/core/base" \
	-I "$SRCDIR/core/tunnel" -I "$BUILD" "$SRCDIR/tests/bench/bench-datapath.c" \
	$(for l in $LIBS; do echo "$BUILD/$l"; done) $(pkg-config --cflags --libs gnutls) -o "$BIN" || exit 1
certtool --generate-privkey --key-type=ecdsa --outfile "$TMP/key.pem" 2>/dev/null
printf 'cn = bench\nexpiration_days = 1\ntls_www_server\n' >"$TMP/tmpl"
certtool --generate-self-signed --load-privkey "$TMP/key.pem" --template "$TMP/tmpl" \
	--outfile "$TMP/cert.pem" 2>/dev/null

# Topology: veth 10.210.0.1 (a) -- 10.210.0.2 (b) carries TLS; tun 10.211.0.1 (a) and
# 10.211.0.2 (b) carry the tunnel (routes through the tun devices), MTU 1400 like a VPN's.
ip netns add "$NA" && ip netns add "$NB" || exit 1
ip link add bdpv0 netns "$NA" type veth peer name bdpv1 netns "$NB"
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" addr add 10.210.0.1/24 dev bdpv0 && ip -n "$NA" link set bdpv0 up
ip -n "$NB" addr add 10.210.0.2/24 dev bdpv1 && ip -n "$NB" link set bdpv1 up
ip -n "$NA" tuntap add dev bdpt mode tun && ip -n "$NB" tuntap add dev bdpt mode tun
ip -n "$NA" addr add 10.211.0.1 peer 10.211.0.2 dev bdpt
ip -n "$NB" addr add 10.211.0.2 peer 10.211.0.1 dev bdpt
for ns in "$NA" "$NB"; do ip -n "$ns" link set bdpt mtu 1400 up; done
ip netns exec "$NB" iperf3 -s -B 10.211.0.2 >"$TMP/iperf3-server.log" 2>&1 &
PIDS+=($!)

cat >"$TMP/figures.py" <<'EOF'
import json, sys
mode, d, c0, c1, p0, p1, t, client = sys.argv[1:9]
try:
    res = json.load(sys.stdin)["end"]
except (ValueError, KeyError):
    print("%-8s %-8s iperf3 failed" % (mode, d)); sys.exit(0)
nbytes = res["sum_received"]["bytes"]
mbit = res["sum_received"]["bits_per_second"] / 1e6
stats = dict(kv.split("=") for kv in open(client).read().split("stats", 1)[-1].split()[2:])
pk = int(stats["pkts_out"] if d == "upload" else stats["pkts_in"])
cpu, peer = float(c1) - float(c0), float(p1) - float(p0)
print("%-8s %-8s %7.0f Mbit/s %9.0f pkt/s %6.2f CPU-s/GB (peer %5.2f)  tun %s/%s, sends %s, "
      "recvs %s, wakeups %s" % (mode, d, mbit, pk / float(t), cpu / (nbytes / 1e9),
      peer / (nbytes / 1e9), stats["tun_reads"], stats["tun_writes"], stats["sends"],
      stats["recvs"], stats["wakeups"]))
EOF

cpu() { # utime + stime of PID in seconds
	awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " "); printf "%.3f", (f[12] + f[13]) / t }' "/proc/$1/stat"
}

# run MODE DIRECTION: one tunnel, one iperf3 run; prints a result line.
run() {
	local mode=$1 dir=$2 sp cp c0 p0 c1 p1 out rev=
	[ "$dir" = download ] && rev=-R
	ip netns exec "$NB" "$BIN" "$mode" server bdpt 10.210.0.2 4443 "$TMP/cert.pem" "$TMP/key.pem" \
		>"$TMP/server.out" 2>&1 &
	sp=$!
	sleep 0.2
	ip netns exec "$NA" "$BIN" "$mode" client bdpt 10.210.0.2 4443 "$TMP/cert.pem" "$TMP/key.pem" \
		>"$TMP/client.out" 2>&1 &
	cp=$!
	PIDS+=($sp $cp)
	for _ in $(seq 50); do grep -q ready "$TMP/client.out" && break; sleep 0.1; done
	if ! grep -q ready "$TMP/client.out"; then
		echo "# $mode: the tunnel did not come up: $(cat "$TMP/client.out" "$TMP/server.out")"
		kill $sp $cp 2>/dev/null
		return 1
	fi
	c0=$(cpu $cp) p0=$(cpu $sp)
	out=$(ip netns exec "$NA" iperf3 -c 10.211.0.2 -t "$TIME" $rev -J 2>&1)
	c1=$(cpu $cp) p1=$(cpu $sp)
	kill $cp $sp
	wait $cp $sp 2>/dev/null
	/usr/bin/python3 "$TMP/figures.py" "$mode" "$dir" "$c0" "$c1" "$p0" "$p1" "$TIME" \
		"$TMP/client.out" <<<"$out"
}

echo "# bench-datapath: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $TIME s per run," \
	"$(gnutls-cli --version 2>/dev/null | head -1 || echo GnuTLS)"
echo "# loop     dir       throughput   client pkt/s  client CPU-s per GB (peer's)   counts at the client end"
for mode in $MODES; do
	for dir in upload download; do
		run "$mode" "$dir"
	done
done

if [ "$LAB" = 1 ]; then
	echo "# lab: the real sslvpn-worker against ocserv, TLS only (tests/e2e/test-offload.sh)"
	ninja -C "$BUILD" helper/worker/sslvpn-worker >/dev/null || exit 1
	lab() { # LABEL, then the environment for test-offload.sh
		local label=$1 out
		shift
		out=$(env SRCDIR="$SRCDIR" E2E_IPERF_TIME="$TIME" "$@" \
			bash "$SRCDIR/tests/e2e/test-offload.sh" 2>&1)
		if grep -q '^not ok' <<<"$out"; then
			sed 's/^/# /' <<<"$out"
		else
			grep '^# figures: ' <<<"$out" | sed "s/^# figures: /$label /"
		fi
	}
	lab "after: " WORKER="$BUILD/helper/worker/sslvpn-worker"
	if [ -n "$BEFORE" ]; then
		lab "before:" WORKER="$BEFORE" E2E_OFFLOAD_MODES=plain E2E_FOREIGN_WORKER=1
	fi
fi
