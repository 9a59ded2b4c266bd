#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): sslvpn-worker against the lab's real ocserv.  Each scenario gets a fresh cookie
# from Debian's openconnect, then tests/e2e/worker-driver.py plays the helper in the client
# namespace (tun, socketpair, fork+exec as nobody) and checks what the worker does.
# Needs root (namespaces, tun).  Environment: SRCDIR, WORKER (the sslvpn-worker to test).
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
DRIVER=$SRCDIR/tests/e2e/worker-driver.py
DPD=4
# shellcheck source=tests/e2e/e2e-lib.sh
. "$SRCDIR/tests/e2e/e2e-lib.sh"
e2e_begin worker "network namespaces, tun"

# Short timers so that DPD and keepalive happen within the test.
cat >"$TMP/timers.conf" <<EOC
dpd = $DPD
keepalive = 5
EOC
if ! "$LAB" start "$TMP/lab" --extra-config "$TMP/timers.conf" >"$TMP/lab-start.log" 2>&1; then
	echo "1..0 # the lab did not start: $(tail -n 3 "$TMP/lab-start.log" | tr '\n' ' ')"
	exit 1
fi
e2e_load_lab "$TMP/lab"

SCENARIOS="basic bad-pin cookie-rejected prepared prepared-bad-pin sigterm helper-gone privileged dpd-idle dpd-dead gateway-kick"
echo "1..$(echo $SCENARIOS | wc -w)"
n=0
failed=0
old=none
for sc in $SCENARIOS; do
	n=$((n + 1))
	c=$(e2e_cookie)
	if [ -z "$c" ]; then
		echo "not ok $n - $sc # no cookie from openconnect"
		failed=1
		continue
	fi
	log=$TMP/worker-$sc.log
	out=$TMP/driver-$sc.out
	: >"$log"
	chmod 0666 "$log"
	# cookie-rejected replays the cookie of the session "basic" ended with DISCONNECT 0xb0.
	if SRCDIR=$SRCDIR WORKER=$WORKER E2E_COOKIE=$c E2E_OLD_COOKIE=$old E2E_LOG=$log \
		E2E_DEBUG=1 E2E_DPD=$DPD \
		LAB_DIR=$TMP/lab timeout 180 ip netns exec "$LAB_CLI_NS" /usr/bin/python3 "$DRIVER" \
		"$sc" >"$out" 2>&1; then
		echo "ok $n - $sc $(grep -h '^outcome:\|^reconnected' "$out" | tr '\n' ' ')"
	else
		echo "not ok $n - $sc"
		failed=1
		sed 's/^/# /' "$out" | tail -n 25
		echo "# worker log:"
		grep -v 'CONNECT answer' "$log" | sed 's/^/#   /' | tail -n 25
	fi
	[ "$sc" = basic ] && old=$c
	# The cookie never reaches the worker's log (design.md 1).
	if grep -qF "$c" "$log"; then
		echo "# the cookie appears in the log of $sc"
		failed=1
	fi
done
exit $failed
