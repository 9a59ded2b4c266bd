# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the e2e scripts that run the whole stack as a desktop user would (`sslvpn connect`
# -> sslvpn-helper on a private system bus with our policy -> sslvpn-worker -> the lab's
# ocserv): TAP lines, the test user, the lab and the bus.
#
#   ok DESC                    "ok N - DESC"
#   not_ok DESC [FILE...]      "not ok N - DESC", then the last 30 lines of each FILE as comments
#   check DESC CMD...          runs CMD (output to $STACK_OUT); not ok shows it and $STACK_LOG
#   bail DESC                  a last "not ok" and the plan, exit 1
#   stack_user NAME HOME       a user in netdev, the group made when missing (MADE_NETDEV=1):
#                              the bus drops rules naming groups that do not exist yet, so both
#                              come before the bus
#   stack_start [LAB ARGS...]  the test user $TUSER, the lab in $WORK/lab (lab.env sourced) and
#                              the bus in $WORK/bus; LAB_CA becomes a copy the user can read;
#                              RESOLV is the namespace's resolv.conf
#   stack_stop                 undoes stack_start (call it from the script's EXIT trap)
#   as_user CMD...             CMD in the client namespace as the test user, on the private bus
#   in_ns CMD...               CMD in the client namespace as root
#   snapshot FILE              links, addresses, routes and resolv.conf of the client namespace
#   status_field FIELD         FIELD of the newest connection in `sslvpn status --json`
#   wait_state STATE SECONDS   until the newest connection is in STATE
#   gw_tunnel_ip               the gateway's address inside the tunnel
# Needs SRCDIR, BUILDDIR, and WORK (a 0755 work directory) or STACK_OUT and STACK_LOG; counts in
# n and failed.
n=0
failed=0
SSLVPN=$BUILDDIR/cli/sslvpn
LAB=$SRCDIR/tests/lab/lab.sh
SYSBUS=$SRCDIR/tests/lab/sysbus.sh
TUSER=${TUSER:-svc$$}
STACK_OUT=${STACK_OUT:-${WORK:-}/check.out}
STACK_LOG=${STACK_LOG:-${WORK:-}/bus/helper.log}

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
	# shellcheck disable=SC2034 # read by stack_stop or the sourcing script's cleanup
	getent group netdev >/dev/null || { groupadd --system netdev && MADE_NETDEV=1; }
	useradd -M -N -G netdev -d "$2" -s /usr/sbin/nologin "$1" || bail "test user created"
	mkdir -p "$2" && chown "$1" "$2"
}

stack_stop() {
	"$SYSBUS" stop "$WORK/bus" >/dev/null 2>&1
	"$LAB" stop "$WORK/lab" >/dev/null 2>&1
	userdel "$TUSER" >/dev/null 2>&1
	[ -n "${MADE_NETDEV:-}" ] && groupdel netdev >/dev/null 2>&1
}

stack_start() {
	stack_user "$TUSER" "$WORK/home"
	"$LAB" start "$WORK/lab" "$@" >"$WORK/lab.log" 2>&1 || bail "lab starts"
	# shellcheck disable=SC1091
	. "$WORK/lab/lab.env"
	mkdir -p "$WORK/bus"
	"$SYSBUS" start "$WORK/bus" "$LAB_CLI_NS" "$BUILDDIR" || bail "private system bus starts"
	# shellcheck disable=SC1091
	. "$WORK/bus/sysbus.env"
	RESOLV=/etc/netns/$LAB_CLI_NS/resolv.conf
	# The lab keeps its PKI private to root; the user gets the CA certificate, as users do.
	install -m 0644 "$LAB_CA" "$WORK/ca.pem"
	LAB_CA=$WORK/ca.pem
}

as_user() {
	ip netns exec "$LAB_CLI_NS" setpriv --reuid "$TUSER" --regid "$(id -g "$TUSER")" --init-groups \
		env -i PATH=/usr/bin:/bin HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" \
		DBUS_SYSTEM_BUS_ADDRESS="$SYSBUS_ADDRESS" "$@"
}
in_ns() { ip netns exec "$LAB_CLI_NS" "$@"; }
snapshot() {
	{
		ip -n "$LAB_CLI_NS" -o link show | sed -E 's/^[0-9]+: //; s/ qlen [0-9]+//' | awk '{print $1, $3, $5}'
		ip -n "$LAB_CLI_NS" -o -4 addr show | awk '{print $2, $4}'
		# Link-local addresses come and go with the kernel's own timing, not ours.
		ip -n "$LAB_CLI_NS" -o -6 addr show | awk '$4 !~ /^fe80:/ {print $2, $4}'
		ip -n "$LAB_CLI_NS" -4 route show table all | grep -v '^local\|^broadcast'
		ip -n "$LAB_CLI_NS" -6 route show table all | grep -v '^local\|^multicast\|^anycast'
		md5sum <"$RESOLV"
		stat -c '%a %U %F' "$RESOLV"
	} >"$1"
}
# A field of the newest connection (ended ones stay listed for a while).
status_field() {
	as_user "$SSLVPN" status --json | /usr/bin/python3 -c "import json,sys
c = json.load(sys.stdin)
c.sort(key=lambda x: int(x['path'].rsplit('/', 1)[1]))
print(c[-1]['$1'] if c else '')"
}
wait_state() {
	for _ in $(seq $(($2 * 10))); do [ "$(status_field state 2>/dev/null)" = "$1" ] && return 0; sleep 0.1; done
	return 1
}
gw_tunnel_ip() { ip -n "$LAB_SRV_NS" -o -4 addr show | awk '/vpns/ {print $4}' | cut -d/ -f1 | head -n1; }
