# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the e2e scripts that drive sslvpn-worker against the lab (test-worker.sh,
# test-rekey.sh, test-offload.sh, test-dtls.sh): what each of them does first.
#
#   e2e_begin NAME WHY   TAP skip (exit 0) unless root (WHY: what root is needed for); makes
#                        TMP=/tmp/sslvpn-e2e-NAME.XXXXXX (0755); at exit stops every lab in it
#                        (lab.sh stop also kills what runs in its namespaces), runs the
#                        script's e2e_on_exit if it has one, and removes TMP (E2E_KEEP=1: kept)
#   e2e_load_lab DIR     exports the variables of the lab in DIR (lab.env)
#   e2e_cookie           a fresh webvpn cookie for LAB_USER (group engineering) from Debian's
#                        openconnect, in the lab loaded last; empty when the login fails
#   e2e_scenario N SC PATTERN [VAR=value...]
#                        runs scenario SC of tests/e2e/worker-driver.py (WORKER, with a fresh
#                        cookie, in the lab loaded last, VARs added to its environment) and
#                        prints its TAP line: the driver's lines matching PATTERN, or the ends
#                        of its output and of the worker's log; fails too when the cookie shows
#                        up in that log.  Sets COOKIE to the cookie used.
# Needs SRCDIR; sets LAB (tests/lab/lab.sh).

LAB=$SRCDIR/tests/lab/lab.sh

e2e_cleanup() {
	local d

	if declare -F e2e_on_exit >/dev/null; then
		e2e_on_exit
	fi
	for d in "$TMP"/lab "$TMP"/lab-*; do
		[ -d "$d" ] && "$LAB" stop "$d" >/dev/null 2>&1
	done
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "# kept $TMP"
	else
		rm -rf "$TMP"
	fi
}

e2e_begin() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root ($2)"
		exit 0
	fi
	TMP=$(mktemp -d "/tmp/sslvpn-e2e-$1.XXXXXX")
	chmod 0755 "$TMP"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
}

e2e_load_lab() {
	E2E_LAB_DIR=$1
	set -a
	# shellcheck disable=SC1091
	. "$1/lab.env"
	set +a
}

e2e_cookie() {
	echo "$LAB_PASSWORD" | timeout 30 ip netns exec "$LAB_CLI_NS" openconnect --authenticate \
		--cafile "$LAB_CA" --user "$LAB_USER" --passwd-on-stdin --authgroup engineering \
		"https://$LAB_GATEWAY" 2>/dev/null |
		sed -n "s/^COOKIE='.*webvpn=\\([^;']*\\).*/\\1/p"
}

e2e_scenario() {
	local n=$1 sc=$2 pattern=$3 log=$TMP/worker-$2.log out=$TMP/driver-$2.out
	shift 3

	COOKIE=$(e2e_cookie)
	if [ -z "$COOKIE" ]; then
		echo "not ok $n - $sc # no cookie from openconnect"
		return 1
	fi
	: >"$log"
	chmod 0666 "$log"
	if ! env "$@" SRCDIR="$SRCDIR" WORKER="$WORKER" E2E_COOKIE="$COOKIE" E2E_LOG="$log" \
		E2E_DEBUG=1 LAB_DIR="$E2E_LAB_DIR" timeout 180 ip netns exec "$LAB_CLI_NS" \
		/usr/bin/python3 "$SRCDIR/tests/e2e/worker-driver.py" "$sc" >"$out" 2>&1; then
		echo "not ok $n - $sc"
		sed 's/^/# /' "$out" | tail -n 25
		echo "# worker log:"
		grep -v 'CONNECT answer' "$log" | sed 's/^/#   /' | tail -n 25
		return 1
	fi
	# The cookie never reaches the worker's log (docs/architecture.md "Trust boundary").
	if grep -qF "$COOKIE" "$log"; then
		echo "not ok $n - $sc # the cookie appears in the worker's log"
		return 1
	fi
	echo "ok $n - $sc $(grep -h "$pattern" "$out" | tr '\n' ' ')"
}
