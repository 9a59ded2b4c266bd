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
WORK=$(mktemp -d /tmp/sslvpn-e2e-connect.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	pkill -KILL -f "sslvpn-e2e-connect-fg-$$" 2>/dev/null
	[ -s "$WORK/stdin.pid" ] && kill "$(cat "$WORK/stdin.pid")" 2>/dev/null
	stack_stop
	rm -rf "$WORK"
}
[ -n "${KEEP_WORK:-}" ] || trap cleanup EXIT INT TERM


# shellcheck source=tests/e2e/stack-lib.sh
. "$SRCDIR/tests/e2e/stack-lib.sh"
stack_start

connect() { # connect NAME [ARGS] : logs in and brings the tunnel up as the netdev user
	local name=$1; shift
	as_user "$SSLVPN" connect --non-interactive --cafile "$LAB_CA" --user "$LAB_USER" \
		--password-stdin "$@" "$LAB_GATEWAY" <<<"$LAB_PASSWORD" >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
}
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
		test \"\$(grep -vc '^| ' '$WORK/bad.err')\" = 1 &&
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
# Root reaches every connection's objects, yet only the helper may start a login in the CLI.
bus_call() { in_ns env DBUS_SYSTEM_BUS_ADDRESS="$SYSBUS_ADDRESS" gdbus call --system "$@" 2>&1; }
fgpid=$(pgrep -f "sslvpn-e2e-connect-fg-$$" | head -n1)
fgname=
for name in $(bus_call --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
	--method org.freedesktop.DBus.ListNames | grep -o "':1\.[0-9]*'" | tr -d "'"); do
	pid=$(bus_call --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.GetConnectionUnixProcessID "$name" | grep -o '[0-9]\+' | tail -n1)
	[ "$pid" = "$fgpid" ] && fgname=$name
done
intruder=$(bus_call --dest "$fgname" --object-path "/org/sslvpn/Cli/Agent$fgpid" \
	--method org.sslvpn.Helper1.Agent.Relogin "@o '/org/sslvpn/Helper1/connection/1'" \
	https://vpn.lab.test/ "$(printf 'x\033]0;owned\007')")
echo "# $(head -c 300 <<<"$intruder")"
check "the CLI's agent refuses a caller that is not the helper ($fgname)" \
	bash -c "[ -n '$fgname' ] && grep -q 'AccessDenied' <<<\"\$1\" && ! grep -q 'wants a new login' '$WORK/fg.out'" _ "$intruder"
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
