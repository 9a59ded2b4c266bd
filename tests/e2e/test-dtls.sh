#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): the DTLS data channel of sslvpn-worker against the lab's real ocserv.
# tests/e2e/dtls-driver.py plays the helper in the client namespace (through
# tests/e2e/worker-driver.py) and observes the channel from outside the worker: nft counters of
# TCP and UDP packets to the gateway, silent blocks with an nft netdev egress hook, the timing
# of WMSG_STATE / WMSG_MTU.  Three labs run in parallel (the blocked timeline takes 33 s):
#   A (PSK, dpd 3):     psk, psk6 (gateway over IPv6), no-dtls, dtls-dies, link-cut
#   B (PSK):            blocked
#   C (legacy, dpd 3):  legacy   (--no-dtls-psk + dtls-legacy + cisco-client-compat)
#   D (TLS ChaCha20 only, match-tls-dtls-ciphers):  chacha
#   E (TLS ChaCha20 only, legacy as C):              legacy-chacha
# Needs root.  Environment: SRCDIR, WORKER.  Not part of the suite: `test-dtls.sh bench` runs
# only the iperf3 measurement (E2E_IPERF_TIME seconds each way, default 10) and prints it;
# `test-dtls.sh early-hellos` the experiment on ocserv's handling of early ClientHellos.
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
DRIVER=$SRCDIR/tests/e2e/dtls-driver.py
DPD=3
MODE=${1:-test}
# shellcheck source=tests/e2e/e2e-lib.sh
. "$SRCDIR/tests/e2e/e2e-lib.sh"
e2e_begin dtls "network namespaces, tun, nft"
IPERF_PID=
e2e_on_exit() {
	[ -n "$IPERF_PID" ] && kill "$IPERF_PID" 2>/dev/null
}

cat >"$TMP/short-dpd.conf" <<EOC
dpd = $DPD
keepalive = 10
EOC
cat >"$TMP/legacy.conf" <<EOC
dpd = $DPD
dtls-legacy = true
cisco-client-compat = true
EOC
: >"$TMP/plain.conf"
# What a gateway without AES acceleration negotiates: TLS 1.3 with ChaCha20-Poly1305.
# match-tls-dtls-ciphers then offers that cipher alone for DTLS (ocserv refuses the option
# together with dtls-legacy or cisco-client-compat).
CHACHA_TLS='tls-priorities = "NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1:-CIPHER-ALL:+CHACHA20-POLY1305"'
cat >"$TMP/chacha.conf" <<EOC
$CHACHA_TLS
match-tls-dtls-ciphers = true
dtls-legacy = false
cisco-client-compat = false
EOC
cat "$TMP/legacy.conf" - >"$TMP/legacy-chacha.conf" <<EOC
$CHACHA_TLS
EOC

# start_lab NAME CONF [lab options]
start_lab() {
	local name=$1 conf=$2
	shift 2
	"$LAB" start "$TMP/lab-$name" --extra-config "$conf" --owner $$ "$@" \
		>"$TMP/lab-$name-start.log" 2>&1
}

# cookie NAME: a fresh webvpn cookie for alice from Debian's openconnect, in lab NAME.
cookie() (
	e2e_load_lab "$TMP/lab-$1"
	e2e_cookie
)

# scenario LAB NAME: runs one scenario; writes $TMP/res-NAME (status, result line, comments).
scenario() (
	local lab=$1 sc=$2 c out log
	out=$TMP/res-$sc
	log=$TMP/worker-$sc.log
	c=$(cookie "$lab")
	if [ -z "$c" ]; then
		printf 'fail\nno cookie from openconnect\n' >"$out"
		exit 0
	fi
	: >"$log"
	chmod 0666 "$log"
	e2e_load_lab "$TMP/lab-$lab"
	if SRCDIR=$SRCDIR WORKER=$WORKER E2E_COOKIE=$c E2E_LOG=$log E2E_DEBUG=${E2E_DEBUG-1} E2E_DPD=$DPD \
		LAB_DIR=$TMP/lab-$lab timeout 150 ip netns exec "$LAB_CLI_NS" /usr/bin/python3 \
		"$DRIVER" "$sc" >"$TMP/driver-$sc.out" 2>&1; then
		echo ok >"$out"
	else
		echo fail >"$out"
	fi
	grep -h '^result:' "$TMP/driver-$sc.out" | sed 's/^result: //' | tail -n 1 >>"$out"
	{
		grep -h '^#\|^FAIL' "$TMP/driver-$sc.out" | grep -v 'worker ->' | sed 's/^# *//'
		if ! grep -q '^ok' "$out"; then
			echo "worker log:"
			grep -v 'CONNECT answer' "$log" | tail -n 30
		fi
		grep -h 'DTLS' "$log" | grep -v 'DPD re\|fallback\|CONNECT answer' | head -n 12
	} | sed 's/^/  /' >>"$out"
	# The cookie never reaches the worker's log (docs/architecture.md "Trust boundary").
	if grep -qF "$c" "$log"; then
		echo fail >"$out"
		echo "  the cookie appears in the worker log" >>"$out"
	fi
)

if [ "$MODE" = bench ] || [ "$MODE" = early-hellos ]; then
	start_lab A "$TMP/plain.conf" || { tail -n 5 "$TMP/lab-A-start.log"; exit 1; }
	e2e_load_lab "$TMP/lab-A"
	ip netns exec "$LAB_SRV_NS" iperf3 -s -B "$LAB_LAN_HOST" >/dev/null 2>&1 &
	IPERF_PID=$!
	sleep 0.5
	E2E_IPERF_TIME=${E2E_IPERF_TIME:-10} scenario A "$MODE"
	cat "$TMP/res-$MODE"
	sed -n 's/^result: /# /p' "$TMP/driver-$MODE.out"
	grep -q '^ok' "$TMP/res-$MODE"
	exit $?
fi

start_lab A "$TMP/short-dpd.conf" &
pa=$!
start_lab B "$TMP/plain.conf" &
pb=$!
start_lab C "$TMP/legacy.conf" --no-dtls-psk &
pc=$!
start_lab D "$TMP/chacha.conf" &
pd=$!
start_lab E "$TMP/legacy-chacha.conf" --no-dtls-psk &
pe=$!
failed_start=
wait $pa || failed_start="$failed_start A"
wait $pb || failed_start="$failed_start B"
wait $pc || failed_start="$failed_start C"
wait $pd || failed_start="$failed_start D"
wait $pe || failed_start="$failed_start E"
if [ -n "$failed_start" ]; then
	echo "1..0 # a lab did not start ($failed_start): $(tail -n 3 "$TMP"/lab-*-start.log | tr '\n' ' ')"
	exit 1
fi

# E2E_ONLY="sc ..." runs only those (debugging).
SCENARIOS=${E2E_ONLY:-psk psk6 legacy chacha legacy-chacha no-dtls dtls-dies link-cut blocked}
want() { case " $SCENARIOS " in *" $1 "*) return 0 ;; esac; return 1; }
t0=$(date +%s)
pb= pc= pd=
want blocked && { ( scenario B blocked ) & pb=$!; }
want legacy && { ( scenario C legacy ) & pc=$!; }
# D and E one after the other, beside A: fewer drivers competing with A's timed scenarios.
{
	want chacha && scenario D chacha
	want legacy-chacha && scenario E legacy-chacha
} &
pd=$!
for sc in psk psk6 no-dtls dtls-dies link-cut; do
	want "$sc" && scenario A "$sc"
done
wait $pb $pc $pd

echo "1..$(echo $SCENARIOS | wc -w)"
n=0
failed=0
for sc in $SCENARIOS; do
	n=$((n + 1))
	res=$TMP/res-$sc
	if [ -f "$res" ] && [ "$(head -n 1 "$res")" = ok ]; then
		echo "ok $n - $sc: $(sed -n 2p "$res")"
	else
		echo "not ok $n - $sc: $(sed -n 2p "$res" 2>/dev/null)"
		failed=1
	fi
	tail -n +3 "$res" 2>/dev/null | sed 's/^/# /'
done
echo "# all scenarios took $(( $(date +%s) - t0 )) s"
exit $failed
