#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): sslvpn-worker against the lab's real ocserv.  Each scenario gets a fresh cookie
# from Debian's openconnect, then tests/e2e/worker-driver.py plays the helper in the client
# namespace (tun, socketpair, fork+exec as nobody) and checks what the worker does.
# Needs root (namespaces, tun).  Environment: SRCDIR, WORKER (the sslvpn-worker to test).
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
LAB=$SRCDIR/tests/lab/lab.sh
DRIVER=$SRCDIR/tests/e2e/worker-driver.py
DPD=4

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (network namespaces, tun)"
	exit 0
fi

TMP=$(mktemp -d /tmp/sslvpn-e2e-worker.XXXXXX)
chmod 0755 "$TMP"
cleanup() {
	"$LAB" stop "$TMP/lab" >/dev/null 2>&1 || true
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Short timers so that DPD and keepalive happen within the test.
cat >"$TMP/timers.conf" <<EOC
dpd = $DPD
keepalive = 5
EOC
if ! "$LAB" start "$TMP/lab" --extra-config "$TMP/timers.conf" >"$TMP/lab-start.log" 2>&1; then
	echo "1..0 # the lab did not start: $(tail -n 3 "$TMP/lab-start.log" | tr '\n' ' ')"
	exit 1
fi
set -a
# shellcheck disable=SC1091
. "$TMP/lab/lab.env"
set +a

cookie() {
	echo "$LAB_PASSWORD" | timeout 30 ip netns exec "$LAB_CLI_NS" openconnect --authenticate \
		--cafile "$LAB_CA" --user "$LAB_USER" --passwd-on-stdin --authgroup engineering \
		"https://$LAB_GATEWAY" 2>/dev/null |
		sed -n "s/^COOKIE='.*webvpn=\\([^;']*\\).*/\\1/p"
}

SCENARIOS="basic bad-pin cookie-rejected prepared prepared-bad-pin sigterm helper-gone privileged dpd-idle dpd-dead gateway-kick"
echo "1..$(echo $SCENARIOS | wc -w)"
n=0
failed=0
old=none
for sc in $SCENARIOS; do
	n=$((n + 1))
	c=$(cookie)
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
