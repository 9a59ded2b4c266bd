#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): `sslvpn auth` against obsolete gateways (the lab's ocserv with a tls-priorities
# that leaves only TLS 1.0, only 3DES, or both).  The CLI must say what the gateway offers and
# what this client refuses, not GnuTLS's symptom; the diagnostic handshake sends no request.
# Needs root.  Environment: SRCDIR, SSLVPN.
set -u -o pipefail
SRCDIR=${SRCDIR:?}
SSLVPN=${SSLVPN:?}
# shellcheck source=tests/e2e/e2e-lib.sh
. "$SRCDIR/tests/e2e/e2e-lib.sh"
e2e_begin tls-obsolete "network namespaces"

# CASE priority: what the gateway speaks (ocserv 1.1.6 with Debian's GnuTLS 3.7.9 accepts all).
declare -A PRIO=(
	[tls10]="NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.0"
	[3des]="NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+3DES-CBC"
	[tls10-3des]="NORMAL:%COMPAT:-VERS-ALL:+VERS-TLS1.0:-CIPHER-ALL:+3DES-CBC"
)
# CASE: the line the CLI must print.
declare -A WANT=(
	[tls10]="the gateway offers only TLS 1.0 with AES-256-CBC; this client needs TLS 1.2 or later"
	[3des]="the gateway offers only TLS 1.2 with 3DES-CBC; this client refuses 3DES-CBC"
	[tls10-3des]="the gateway offers only TLS 1.0 with 3DES-CBC; this client needs TLS 1.2 or later and refuses 3DES-CBC"
)
CASES="tls10 3des tls10-3des"

pids=()
for c in $CASES; do
	echo "tls-priorities = \"${PRIO[$c]}\"" >"$TMP/$c.conf"
	"$LAB" start "$TMP/lab-$c" --extra-config "$TMP/$c.conf" --owner $$ >"$TMP/lab-$c.log" 2>&1 &
	pids+=($!)
done
failed_start=
for p in "${pids[@]}"; do
	wait "$p" || failed_start=1
done
if [ -n "$failed_start" ]; then
	echo "1..0 # a lab did not start: $(tail -n 3 "$TMP"/lab-*.log | tr '\n' ' ')"
	exit 1
fi

echo "1..$(($(echo $CASES | wc -w) * 2))"
n=0
failed=0
for c in $CASES; do
	e2e_load_lab "$TMP/lab-$c"
	# lab.sh's start-up probe made one already.
	hs_before=$(grep -c 'TLS handshake completed' "$LAB_OCSERV_LOG")
	ip netns exec "$LAB_CLI_NS" env XDG_CONFIG_HOME="$TMP/cfg-$c" SSLVPN_DEBUG= \
		timeout 60 "$SSLVPN" auth --non-interactive --cafile "$LAB_CA" --user "$LAB_USER" \
		--password-stdin "$LAB_GATEWAY" <<<"$LAB_PASSWORD" >"$TMP/$c.out" 2>"$TMP/$c.err"
	rc=$?
	n=$((n + 1))
	if [ "$rc" = 1 ] && grep -qxF "sslvpn: cannot connect to $LAB_GATEWAY: ${WANT[$c]}" "$TMP/$c.err" &&
		! grep -q 'non-properly\|unsupported version\|TLS handshake' "$TMP/$c.err"; then
		echo "ok $n - $c: $(tail -n 1 "$TMP/$c.err")"
	else
		echo "not ok $n - $c: exit status $rc, want 1 and \"${WANT[$c]}\""
		sed 's/^/# /' "$TMP/$c.err"
		failed=1
	fi
	# The diagnostic handshake completed, and no request followed it.
	n=$((n + 1))
	done_hs=$(($(grep -c 'TLS handshake completed' "$LAB_OCSERV_LOG") - hs_before))
	requests=$(grep -c 'User-agent' "$LAB_OCSERV_LOG")
	if [ "$done_hs" = 1 ] && [ "$requests" = 0 ]; then
		echo "ok $n - $c: the diagnostic handshake completed ($done_hs) and sent no request"
	else
		echo "not ok $n - $c: $done_hs completed handshakes, $requests requests in ocserv's log"
		failed=1
	fi
done
exit $failed
