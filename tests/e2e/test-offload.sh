#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): the tun side of the worker's data path against the lab's real ocserv,
# TLS only.  Three tun set-ups, each with a fresh cookie: `offload` (IFF_VNET_HDR, TSO and
# merged writes on), `vnet` (IFF_VNET_HDR, offloads off: the fallback when the kernel refuses
# TUNSETOFFLOAD), `plain` (no IFF_VNET_HDR).  Each: ping v4/v6 and E2E_XFER_BYTES (default 4
# MiB) each way over IPv4 and IPv6 with SHA-256 checks (tests/e2e/xfer.py), so a wrong checksum
# (stalled stream), sequence number or byte (digest) fails, and a UDP GSO burst (16 datagrams in
# one send) echoed back intact; `offload` must also have split
# super-packets and merged writes (the worker's own counts).  E2E_IPERF_TIME=N adds iperf3
# runs of N s each way and prints figures; E2E_FOREIGN_WORKER=1 skips the checks of what the
# worker logs (for measuring another build, see tests/bench/bench-datapath.sh --before).
# Needs root.  Environment: SRCDIR, WORKER.
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
DRIVER=$SRCDIR/tests/e2e/offload-driver.py
XFER=$SRCDIR/tests/e2e/xfer.py
XFER_PORT=5301
IPERF_PORT=5302
MODES=${E2E_OFFLOAD_MODES:-offload vnet plain}
# shellcheck source=tests/e2e/e2e-lib.sh
. "$SRCDIR/tests/e2e/e2e-lib.sh"
e2e_begin offload "network namespaces, tun"

if ! "$LAB" start "$TMP/lab" >"$TMP/lab-start.log" 2>&1; then
	echo "1..0 # the lab did not start: $(tail -n 3 "$TMP/lab-start.log" | tr '\n' ' ')"
	exit 1
fi
e2e_load_lab "$TMP/lab"

# Servers on the LAN behind the gateway (the server namespace's loopback addresses).
for host in "$LAB_LAN_HOST" "$LAB_LAN_HOST6"; do
	ip netns exec "$LAB_SRV_NS" /usr/bin/python3 "$XFER" serve "$host" "$XFER_PORT" \
		>>"$TMP/xfer-server.log" 2>&1 &
	ip netns exec "$LAB_SRV_NS" /usr/bin/python3 "$XFER" udp-echo "$host" "$XFER_PORT" \
		>>"$TMP/xfer-server.log" 2>&1 &
done
ip netns exec "$LAB_SRV_NS" iperf3 -s -B "$LAB_LAN_HOST" -p "$IPERF_PORT" >"$TMP/iperf3.log" 2>&1 &
disown -a # lab.sh stop kills them; no job-control noise
sleep 0.5

# Checksum errors the kernels counted (TCP over IPv4 and IPv6, IPv4 headers): a segment we
# built wrong is dropped and retransmitted, and a retransmission that happens to be right would
# hide it from the transfer itself.
csum_errors() {
	# Each of these files has a line of names, then a line of values, per prefix.
	ip netns exec "$1" awk '$1 == "Tcp:" || $1 == "IpExt:" {
			if (!($1 in seen)) { seen[$1] = 1; for (i = 2; i <= NF; i++) col[$1, i] = $i; next }
			for (i = 2; i <= NF; i++) if (col[$1, i] == "InCsumErrors") sum += $i
		}
		END { print sum + 0 }' /proc/net/snmp /proc/net/netstat
}

echo "1..$(echo $MODES | wc -w)"
n=0
failed=0
for mode in $MODES; do
	n=$((n + 1))
	c=$(e2e_cookie)
	if [ -z "$c" ]; then
		echo "not ok $n - $mode # no cookie from openconnect"
		failed=1
		continue
	fi
	log=$TMP/worker-$mode.log
	out=$TMP/driver-$mode.out
	: >"$log"
	chmod 0666 "$log"
	errs_before="$(csum_errors "$LAB_SRV_NS") $(csum_errors "$LAB_CLI_NS")"
	SRCDIR=$SRCDIR WORKER=$WORKER E2E_COOKIE=$c E2E_LOG=$log E2E_DEBUG=${E2E_DEBUG:-0} \
		E2E_XFER_PORT=$XFER_PORT E2E_IPERF_PORT=$IPERF_PORT \
		E2E_FOREIGN_WORKER=${E2E_FOREIGN_WORKER:-0} E2E_OFFLOAD_DTLS=${E2E_OFFLOAD_DTLS:-0} LAB_DIR=$TMP/lab timeout 240 ip netns exec "$LAB_CLI_NS" /usr/bin/python3 "$DRIVER" \
		"$mode" >"$out" 2>&1
	rc=$?
	errs_after="$(csum_errors "$LAB_SRV_NS") $(csum_errors "$LAB_CLI_NS")"
	if [ "$rc" = 0 ] && [ "$errs_before" = "$errs_after" ]; then
		echo "ok $n - $mode: $(grep -h '^outcome:' "$out" | cut -d' ' -f2-)"
	else
		echo "not ok $n - $mode"
		failed=1
		if [ "$errs_before" != "$errs_after" ]; then
			echo "# checksum errors (gateway side, client side) went from $errs_before" \
				"to $errs_after: packets with wrong checksums crossed the tunnel"
		fi
		sed 's/^/# /' "$out" | tail -n 25
		echo "# worker log:"
		grep -v 'CONNECT answer' "$log" | sed 's/^/#   /' | tail -n 25
	fi
	grep -h '^figures:' "$out" | sed 's/^/# /'
	if grep -qF "$c" "$log"; then
		echo "# the cookie appears in the log of $mode"
		failed=1
	fi
done
exit $failed
