#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): sslvpn-worker against the lab's real ocserv.  Each scenario gets a fresh cookie
# from Debian's openconnect, then tests/e2e/worker-driver.py plays the helper in the client
# namespace (tun, socketpair, fork+exec as nobody) and checks what the worker does.
# Needs root (namespaces, tun).  Environment: SRCDIR, WORKER (the sslvpn-worker to test).
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
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
	# cookie-rejected replays the cookie of the session "basic" ended with DISCONNECT 0xb0.
	e2e_scenario $n "$sc" '^outcome:\|^reconnected' E2E_OLD_COOKIE="$old" E2E_DPD=$DPD ||
		failed=1
	[ "$sc" = basic ] && old=$COOKIE
done
exit $failed
