#!/bin/bash
# e2e, the whole stack as a user runs it: `sslvpn connect` (login in the user's process) ->
# sslvpn-helper on a private system bus with our real policy (root) -> sslvpn-worker
# (unprivileged) -> the lab's real ocserv; traffic through a real tun device; the network
# restored exactly.  What the helper does on its own (worker crash, SIGTERM, malformed input,
# authorisation) is tested by test-helper-tunnel.sh and tests/integration/.  Everything runs inside the lab's namespaces: the machine's own network
# and /etc/resolv.conf are never touched (the helper sees /etc/netns/<ns>/resolv.conf).
# Prints TAP.  Needs root.  Env: SRCDIR, BUILDDIR.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:?}
SSLVPN=$BUILDDIR/cli/sslvpn
LAB=$SRCDIR/tests/lab/lab.sh
SYSBUS=$SRCDIR/tests/lab/sysbus.sh
WORK=$(mktemp -d /tmp/sslvpn-e2e-connect.XXXXXX)
chmod 755 "$WORK"
TUSER=svc$$
cleanup() {
	pkill -KILL -f "sslvpn-e2e-connect-fg-$$" 2>/dev/null
	[ -s "$WORK/stdin.pid" ] && kill "$(cat "$WORK/stdin.pid")" 2>/dev/null
	"$SYSBUS" stop "$WORK/bus" >/dev/null 2>&1
	"$LAB" stop "$WORK/lab" >/dev/null 2>&1
	userdel "$TUSER" >/dev/null 2>&1
	[ -n "${MADE_NETDEV:-}" ] && groupdel netdev >/dev/null 2>&1
	rm -rf "$WORK"
}
[ -n "${KEEP_WORK:-}" ] || trap cleanup EXIT INT TERM

# shellcheck source=tests/e2e/stack-lib.sh
. "$SRCDIR/tests/e2e/stack-lib.sh"
STACK_OUT=$WORK/check.out
STACK_LOG=$WORK/bus/helper.log

# A test user in netdev, as a desktop user would be.
stack_user "$TUSER" "$WORK/home"

"$LAB" start "$WORK/lab" >"$WORK/lab.log" 2>&1 || bail "lab starts"
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

# as_user CMD...: in the client namespace, as the netdev user, with the private system bus.
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
connect() { # connect NAME [ARGS] : logs in and brings the tunnel up as the netdev user
	local name=$1; shift
	as_user "$SSLVPN" connect --non-interactive --cafile "$LAB_CA" --user "$LAB_USER" \
		--password-stdin "$@" "$LAB_GATEWAY" <<<"$LAB_PASSWORD" >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
}
# A field of the newest connection (ended ones stay listed for a while).
status_field() {
	as_user "$SSLVPN" status --json | /usr/bin/python3 -c "import json,sys
c = json.load(sys.stdin)
c.sort(key=lambda x: int(x['path'].rsplit('/', 1)[1]))
print(c[-1]['$1'] if c else '')"
}
wait_state() { # wait_state STATE SECONDS
	for _ in $(seq $(($2 * 10))); do [ "$(status_field state 2>/dev/null)" = "$1" ] && return 0; sleep 0.1; done
	return 1
}
gw_tunnel_ip() { ip -n "$LAB_SRV_NS" -o -4 addr show | awk '/vpns/ {print $4}' | cut -d/ -f1 | head -n1; }

snapshot "$WORK/before"

# ---- connect, traffic, routes, DNS, privileges ----
start=$(date +%s.%N)
connect c1
end=$(date +%s.%N)
check "sslvpn connect as a netdev member exits 0 once the tunnel is up" test "$(cat "$WORK/c1.rc")" = 0
# Without prompts the worker's TLS link is opened while the login runs (a prepared Connect),
# and the login's cookie and pin reach it with Connection.Start.
check "the tunnel's TLS link was prepared during the login, then started" \
	grep -q "connection 1: started by" "$WORK/bus/helper.log"
echo "# connect took $(awk "BEGIN {print $end - $start}") s"
check "it reports the interface, address and routes" grep -q "Connected to https://$LAB_GATEWAY/: sslvpn" "$WORK/c1.out"
st=$(status_field state) tr=$(status_field transport) own=$(status_field owner)
check "status: connected (data over dtls or tls), owned by the user ($st, $tr, $own)" \
	bash -c "[[ '$st/$tr/$own' =~ ^connected/(dtls|tls)/$(id -u "$TUSER")\$ ]]"
check "ping the gateway's tunnel address" in_ns ping -c1 -W2 "$(gw_tunnel_ip)"
check "ping a host in the pushed split route" in_ns ping -c1 -W2 "$LAB_LAN_HOST"
check "the excluded subnet stays outside the tunnel" \
	bash -c "ip -n $LAB_CLI_NS route get $LAB_EXCLUDED_HOST | grep -q 'dev eth0' && ip netns exec $LAB_CLI_NS ping -c1 -W2 $LAB_EXCLUDED_HOST"
check "the included subnet goes through the tunnel" bash -c "ip -n $LAB_CLI_NS route get $LAB_LAN_HOST | grep -q 'dev sslvpn'"
check "DNS server and search domain applied" bash -c "grep -q '^nameserver $LAB_DNS' $RESOLV && grep -q 'search.*$LAB_DOMAIN' $RESOLV"
# Refused by the helper's own check (AccessDenied), not by anything on the way there.
ip netns exec "$LAB_CLI_NS" setpriv --reuid nobody --regid nogroup --clear-groups \
	env DBUS_SYSTEM_BUS_ADDRESS="$SYSBUS_ADDRESS" "$SSLVPN" disconnect 1 >"$WORK/other.out" 2>&1
other_rc=$? st=$(status_field state)
check "another user cannot disconnect it (exit $other_rc, AccessDenied, still $st)" \
	bash -c "test $other_rc = 1 && grep -q 'not allowed' '$WORK/other.out' && test $st = connected"
as_user "$SSLVPN" disconnect >"$WORK/d1.out" 2>&1
check "sslvpn disconnect exits 0 after State disconnected" \
	bash -c "test \$? = 0 && grep -q 'disconnected' '$WORK/d1.out'"
snapshot "$WORK/after1"
check "disconnect restores links, addresses, routes and resolv.conf exactly" diff "$WORK/before" "$WORK/after1"

# ---- a wrong password: the prepared connection opened during the login is ended too ----
as_user "$SSLVPN" connect --non-interactive --cafile "$LAB_CA" --user "$LAB_USER" \
	--password-stdin "$LAB_GATEWAY" <<<"not-$LAB_PASSWORD" >"$WORK/bad.out" 2>"$WORK/bad.err"
bad_rc=$?
wait_state disconnected 10
check "a wrong password: exit $bad_rc, one clear line, the prepared connection ended" \
	bash -c "test $bad_rc = 1 && grep -q 'authentication failed' '$WORK/bad.err' &&
		test \"\$(wc -l <'$WORK/bad.err')\" = 1 &&
		grep -q 'connection 2: disconnect requested' '$WORK/bus/helper.log' &&
		test \"\$(grep -c 'connection 2: started by' '$WORK/bus/helper.log')\" = 0"
snapshot "$WORK/after-bad"
check "and the network is as before" diff "$WORK/before" "$WORK/after-bad"

# ---- the gateway reboots: without an agent the cookie is rejected, the connection fails ----
connect c3
"$LAB" restart --crash "$WORK/lab" >/dev/null 2>&1
wait_state failed 60
le=$(status_field last_error)
check "gateway restart without an agent: the connection fails with CookieRejected ($le)" test "$le" = CookieRejected
snapshot "$WORK/after3"
check "and the network is restored exactly" diff "$WORK/before" "$WORK/after3"

# ---- --foreground: the CLI is the agent; a rejected cookie brings a new login ----
# The passwords for the first login and the re-login, then stdin stays open.  That writer must
# not hold the test's stdout or stderr, or the test runner waits for it to end.
(printf '%s\n%s\n' "$LAB_PASSWORD" "$LAB_PASSWORD"; echo $BASHPID >"$WORK/stdin.pid"; exec sleep 60) \
	</dev/null 2>/dev/null | as_user bash -c \
	"exec -a sslvpn-e2e-connect-fg-$$ $SSLVPN connect --foreground --non-interactive --cafile $LAB_CA --user $LAB_USER --password-stdin $LAB_GATEWAY" \
	>"$WORK/fg.out" 2>&1 &
for _ in $(seq 100); do grep -q '^Connected' "$WORK/fg.out" && break; sleep 0.1; done
check "--foreground prints the state changes up to connected" grep -q '^State: connected' "$WORK/fg.out"
"$LAB" restart --crash "$WORK/lab" >/dev/null 2>&1
for _ in $(seq 300); do [ "$(grep -c '^State: connected' "$WORK/fg.out")" = 2 ] && break; sleep 0.1; done
check "after the gateway restart the agent logs in again and the tunnel is back" \
	bash -c "grep -q 'wants a new login' '$WORK/fg.out' && test \"\$(grep -c '^State: connected' '$WORK/fg.out')\" = 2"
check "traffic flows after the new login" in_ns ping -c1 -W2 "$LAB_LAN_HOST"
fgpid=$(pgrep -f "sslvpn-e2e-connect-fg-$$" | head -n1)
kill -INT "$fgpid" 2>/dev/null
for _ in $(seq 100); do kill -0 "$fgpid" 2>/dev/null || break; sleep 0.1; done
check "Ctrl-C disconnects and the CLI exits" bash -c "! kill -0 $fgpid 2>/dev/null && grep -q '^State: disconnected' '$WORK/fg.out'"
snapshot "$WORK/after4"
check "and the network is restored exactly" diff "$WORK/before" "$WORK/after4"

check "no sanitizer report or crash in the helper's log" bash -c "! grep -Eq 'Sanitizer|runtime error|SIGSEGV' '$WORK/bus/helper.log'"

echo "1..$n"
exit $((failed > 0))
