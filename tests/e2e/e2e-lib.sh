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
