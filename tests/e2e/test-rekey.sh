#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): CSTP rekey as the gateway asks (docs/protocol.md "CSTP rekey"), sslvpn-worker against
# the lab's real ocserv with tests/e2e/worker-driver.py playing the helper.  Two labs, one after the
# other, both with a short rekey time:
#   - rekey-method ssl on TLS 1.2 (TLS 1.3 rekeys with KeyUpdate, which the gateway starts):
#     the worker renegotiates on the same connection, pings flow throughout, once with DTLS
#     carrying them and once (NoDtls) through the renegotiating TLS connection;
#   - rekey-method new-tunnel: the worker makes a new TLS connection with the same cookie.
# Needs root (namespaces, tun).  Environment: SRCDIR, WORKER (the sslvpn-worker to test).
set -u -o pipefail
SRCDIR=${SRCDIR:?}
WORKER=${WORKER:?}
XFER=$SRCDIR/tests/e2e/xfer.py
XFER_PORT=5201
# ocserv randomises rekey times above 30 s only; a renegotiation sooner than half the period
# after the last one is refused, so the period must stay above the ~1 s a renegotiation needs.
REKEY=5
# shellcheck source=tests/e2e/e2e-lib.sh
. "$SRCDIR/tests/e2e/e2e-lib.sh"
e2e_begin rekey "network namespaces, tun"

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
	e2e_load_lab "$TMP/lab"
	# Transfers from the LAN behind the gateway; lab.sh stop kills the server.
	ip netns exec "$LAB_SRV_NS" /usr/bin/python3 "$XFER" serve "$LAB_LAN_HOST" "$XFER_PORT" \
		>>"$TMP/xfer-server.log" 2>&1 &
	disown -a
	for sc in $scenarios; do
		n=$((n + 1))
		e2e_scenario $n "$sc" '^renegotiated\|^new tunnel\|^transfers' E2E_REKEY=$REKEY \
			E2E_XFER_PORT=$XFER_PORT || failed=1
	done
	cp "$LAB_OCSERV_LOG" "$TMP/ocserv-$method.log" 2>/dev/null
done
exit $failed
