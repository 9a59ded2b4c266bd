# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the e2e scripts that run the whole stack as a desktop user would (test-connect.sh,
# test-gateway-config.sh): TAP lines and the test user.
#
#   ok DESC                  "ok N - DESC"
#   not_ok DESC [FILE...]    "not ok N - DESC", then the last 30 lines of each FILE as comments
#   check DESC CMD...        runs CMD (output to $STACK_OUT); not ok shows it and $STACK_LOG
#   bail DESC                a last "not ok" and the plan, exit 1
#   stack_user NAME HOME     a user in netdev, the group made when missing (MADE_NETDEV=1):
#                            the bus drops rules naming groups that do not exist yet, so both
#                            come before the bus
# Needs STACK_OUT (a file) and STACK_LOG (the helper's log); counts in n and failed.
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift
	for f in "$@"; do [ -f "$f" ] && tail -n 30 "$f" | sed 's/^/# /'; done
}
check() {
	local d=$1; shift
	if "$@" >"$STACK_OUT" 2>&1; then ok "$d"; else not_ok "$d" "$STACK_OUT" "$STACK_LOG"; fi
}
bail() { echo "not ok $((n + 1)) - $1"; echo "1..$((n + 1))"; exit 1; }

stack_user() {
	# shellcheck disable=SC2034 # read by the sourcing script's cleanup
	getent group netdev >/dev/null || { groupadd --system netdev && MADE_NETDEV=1; }
	useradd -M -N -G netdev -d "$2" -s /usr/sbin/nologin "$1" || bail "test user created"
	mkdir -p "$2" && chown "$1" "$2"
}
