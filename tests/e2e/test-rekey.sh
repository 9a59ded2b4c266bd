#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): CSTP rekey as the gateway asks (protocol.md 11), sslvpn-worker against the lab's
# real ocserv with tests/e2e/worker-driver.py playing the helper.  Two labs, one after the
# other, both with a short rekey time:
#   - rekey-method ssl on TLS 1.2 (TLS 1.3 rekeys with KeyUpdate, which the gateway starts):
#     the worker renegotiates on the same connection, pings flow throughout, once with DTLS
#     carrying them and once (NoDtls) through the renegotiating TLS connection;
#   - rekey-method new-tunnel: the worker makes a new TLS connection with the same cookie.
# Needs root (namespaces, tun).  Environment: SRCDIR, WORKER (the sslvpn-worker to test).
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
LAB=$SRCDIR/tests/lab/lab.sh
DRIVER=$SRCDIR/tests/e2e/worker-driver.py
XFER=$SRCDIR/tests/e2e/xfer.py
XFER_PORT=5201
# ocserv randomises rekey times above 30 s only; a renegotiation sooner than half the period
# after the last one is refused, so the period must stay above the ~1 s a renegotiation needs.
REKEY=5

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (network namespaces, tun)"
	exit 0
fi

TMP=$(mktemp -d /tmp/sslvpn-e2e-rekey.XXXXXX)
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

cookie() {
	echo "$LAB_PASSWORD" | timeout 30 ip netns exec "$LAB_CLI_NS" openconnect --authenticate \
		--cafile "$LAB_CA" --user "$LAB_USER" --passwd-on-stdin --authgroup engineering \
		"https://$LAB_GATEWAY" 2>/dev/null |
		sed -n "s/^COOKIE='.*webvpn=\\([^;']*\\).*/\\1/p"
}

echo "1..3"
n=0
failed=0
for method in ssl new-tunnel; do
	"$LAB" stop "$TMP/lab" >/dev/null 2>&1
	{
		echo "rekey-time = $REKEY"
		echo "rekey-method = $method"
		# TLS 1.2: ocserv offers "ssl" with the configured time only there.
		echo 'tls-priorities = "NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-ALL:+VERS-TLS1.2"'
	} >"$TMP/rekey-$method.conf"
	if [ $method = ssl ]; then scenarios="rekey-ssl rekey-ssl-tls"; else scenarios=rekey-$method; fi
	if ! "$LAB" start "$TMP/lab" --extra-config "$TMP/rekey-$method.conf" \
		>"$TMP/lab-$method.log" 2>&1; then
		for sc in $scenarios; do
			n=$((n + 1))
			echo "not ok $n - $sc # the lab did not start: $(tail -n 3 "$TMP/lab-$method.log" | tr '\n' ' ')"
		done
		failed=1
		continue
	fi
	# shellcheck disable=SC1091
	set -a && . "$TMP/lab/lab.env" && set +a
	# Transfers from the LAN behind the gateway; lab.sh stop kills the server.
	ip netns exec "$LAB_SRV_NS" /usr/bin/python3 "$XFER" serve "$LAB_LAN_HOST" "$XFER_PORT" \
		>>"$TMP/xfer-server.log" 2>&1 &
	disown -a
	for sc in $scenarios; do
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
		if SRCDIR=$SRCDIR WORKER=$WORKER E2E_COOKIE=$c E2E_LOG=$log E2E_DEBUG=1 \
			E2E_REKEY=$REKEY E2E_XFER_PORT=$XFER_PORT LAB_DIR=$TMP/lab timeout 120 ip netns exec "$LAB_CLI_NS" \
			/usr/bin/python3 "$DRIVER" "$sc" >"$out" 2>&1; then
			echo "ok $n - $sc: $(grep -h '^renegotiated\|^new tunnel\|^transfers' "$out" | tr '\n' ' ')"
		else
			echo "not ok $n - $sc"
			failed=1
			sed 's/^/# /' "$out" | tail -n 25
			echo "# worker log:"
			grep -v 'CONNECT answer' "$log" | sed 's/^/#   /' | tail -n 25
		fi
	done
	cp "$LAB_OCSERV_LOG" "$TMP/ocserv-$method.log" 2>/dev/null
done
exit $failed
