#!/bin/bash
# e2e: the whole stack (sslvpn connect -> sslvpn-helper on a private system bus -> sslvpn-worker)
# against the lab's ocserv set up the way ocserv's own test configurations are:
#  - 256 split routes (more than 200 header lines in the CONNECT answer): every one installed
#    in the client namespace while connected, every one gone after the disconnect;
#  - a link-local IPv6 pool (ipv6-network = fe80::/64): the tunnel comes up over IPv4, IPv4
#    traffic flows, IPv6 is left out, and `sslvpn status` and the helper's log say why (once).
# Prints TAP.  Needs root.  Env: SRCDIR, BUILDDIR.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:?}
SSLVPN=$BUILDDIR/cli/sslvpn
SYSBUS=$SRCDIR/tests/lab/sysbus.sh
# shellcheck source=tests/e2e/e2e-lib.sh
. "$SRCDIR/tests/e2e/e2e-lib.sh"
e2e_begin gateway-config "network namespaces, a test user, the helper as root"
TUSER=svg$$
# shellcheck source=tests/e2e/stack-lib.sh
. "$SRCDIR/tests/e2e/stack-lib.sh"
STACK_OUT=$TMP/check.out

e2e_on_exit() {
	local d

	for d in "$TMP"/bus-*; do
		[ -d "$d" ] && "$SYSBUS" stop "$d" >/dev/null 2>&1
	done
	userdel "$TUSER" >/dev/null 2>&1
	[ -n "${MADE_NETDEV:-}" ] && groupdel netdev >/dev/null 2>&1
}

stack_user "$TUSER" "$TMP/home"

# stack NAME --extra-config|--group-config FILE: a lab with those ocserv lines and a private
# system bus in its client namespace; sets BUS and the lab's variables.
stack() {
	"$LAB" start "$TMP/lab-$1" "$2" "$3" >"$TMP/lab-$1.log" 2>&1 || bail "lab $1 starts"
	e2e_load_lab "$TMP/lab-$1"
	BUS=$TMP/bus-$1
	STACK_LOG=$BUS/helper.log
	mkdir -p "$BUS"
	"$SYSBUS" start "$BUS" "$LAB_CLI_NS" "$BUILDDIR" || bail "private system bus for $1 starts"
	# shellcheck disable=SC1091
	. "$BUS/sysbus.env"
	install -m 0644 "$LAB_CA" "$TMP/ca.pem"
}
unstack() {
	"$SYSBUS" stop "$BUS" >/dev/null 2>&1
	"$LAB" stop "$TMP/lab-$1" >/dev/null 2>&1
}
as_user() {
	ip netns exec "$LAB_CLI_NS" setpriv --reuid "$TUSER" --regid "$(id -g "$TUSER")" --init-groups \
		env -i PATH=/usr/bin:/bin HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" \
		DBUS_SYSTEM_BUS_ADDRESS="$SYSBUS_ADDRESS" "$@"
}
connect() { # connect NAME: logs in and brings the tunnel up as the netdev user
	as_user "$SSLVPN" connect --non-interactive --cafile "$TMP/ca.pem" --user "$LAB_USER" \
		--password-stdin "$LAB_GATEWAY" <<<"$LAB_PASSWORD" >"$TMP/$1.out" 2>"$TMP/$1.err"
	echo $? >"$TMP/$1.rc"
}
iface() { as_user "$SSLVPN" status --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[-1]['interface'])"; }
routes_via() { ip -n "$LAB_CLI_NS" "$1" route show dev "$2" 2>/dev/null; }
no_v6_routes() { ! routes_via -6 "$1" | grep -q 2001:db8; }
json_one_warning() { # json_one_warning WORD: the newest connection has one warning, with WORD
	as_user "$SSLVPN" status --json | /usr/bin/python3 -c "import json,sys
w = json.load(sys.stdin)[-1]['warnings']
print(w)
sys.exit(not (len(w) == 1 and sys.argv[1] in w[0]))" "$1"
}

# ---- 256 split routes, as ocserv's own test pushes ----
for i in $(seq 0 255); do echo "route = 10.200.$i.0/24"; done >"$TMP/routes.conf"
stack routes --group-config "$TMP/routes.conf"
before=$(ip -n "$LAB_CLI_NS" -4 route show table all)
start=$(date +%s.%N)
connect r1
end=$(date +%s.%N)
check "connect with 256 pushed routes exits 0" test "$(cat "$TMP/r1.rc")" = 0
echo "# connect took $(awk "BEGIN {print $end - $start}") s"
dev=$(iface)
got=$(routes_via -4 "$dev" | grep -c '^10\.200\.[0-9]*\.0/24 ')
check "all 256 routes are installed through $dev ($got)" test "$got" = 256
check "traffic to the first and the last of them goes into the tunnel" bash -c \
	"ip -n $LAB_CLI_NS route get 10.200.0.1 | grep -q 'dev $dev' && ip -n $LAB_CLI_NS route get 10.200.255.1 | grep -q 'dev $dev'"
check "the group's own route works too (ping $LAB_LAN_HOST)" ip netns exec "$LAB_CLI_NS" ping -c1 -W2 "$LAB_LAN_HOST"
as_user "$SSLVPN" disconnect >"$TMP/r1-d.out" 2>&1
check "disconnect exits 0" grep -q disconnected "$TMP/r1-d.out"
check "all 256 routes are gone" bash -c "! ip -n $LAB_CLI_NS -4 route show table all | grep -q '^10\\.200\\.'"
check "the routing table is as before" test "$before" = "$(ip -n "$LAB_CLI_NS" -4 route show table all)"
check "the helper says how many routes it set up and removed" bash -c \
	"grep -Eq 'routes set up for link' '$BUS/helper.log' && grep -Eq '[0-9]+ routes removed' '$BUS/helper.log'"
unstack routes

# ---- a link-local IPv6 pool ----
# ocserv wants each client's prefix longer than the pool's.
printf 'ipv6-network = fe80::/64\nipv6-subnet-prefix = 128\n' >"$TMP/ll6.conf"
stack ll6 --extra-config "$TMP/ll6.conf"
connect l1
check "connect with a link-local IPv6 pool exits 0 (IPv4 only)" test "$(cat "$TMP/l1.rc")" = 0
check "sslvpn connect warns about the left-out IPv6" grep -q "warning: IPv6 address fe80:.* is link-local" "$TMP/l1.err"
dev=$(iface)
gw4=$(ip -n "$LAB_SRV_NS" -o -4 addr show | awk '/vpns/ {print $4}' | cut -d/ -f1 | head -n1)
check "ping the gateway's tunnel address over IPv4 ($gw4)" ip netns exec "$LAB_CLI_NS" ping -c1 -W2 "$gw4"
check "ping a host behind a pushed IPv4 route" ip netns exec "$LAB_CLI_NS" ping -c1 -W2 "$LAB_LAN_HOST"
check "no IPv6 route of the gateway's is installed" no_v6_routes "$dev"
as_user "$SSLVPN" status >"$TMP/l1-status.out" 2>&1
check "sslvpn status shows the warning" grep -Eq "^  Warning: +IPv6 address fe80:.* is link-local: the tunnel carries IPv4 only" "$TMP/l1-status.out"
check "sslvpn status --json lists it, alone" json_one_warning link-local
check "the helper logged it once" test "$(grep -c 'is link-local: the tunnel carries IPv4 only' "$BUS/helper.log")" = 1
as_user "$SSLVPN" disconnect >"$TMP/l1-d.out" 2>&1
check "disconnect exits 0" grep -q disconnected "$TMP/l1-d.out"
unstack ll6

check "no sanitizer report or crash in the helper's logs" bash -c "! cat '$TMP'/bus-*/helper.log | grep -Eq 'Sanitizer|runtime error|SIGSEGV'"

echo "1..$n"
exit $((failed > 0))
