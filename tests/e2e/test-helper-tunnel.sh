#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): sslvpn-helper + sslvpn-worker against the lab's real ocserv.
#
# The helper runs on a private system bus (our real policy file), inside the lab's client
# network namespace and a mount namespace of its own where a temporary file is bind-mounted
# over /etc/resolv.conf: nothing of this machine's network or files is touched.  A netdev
# member calls Connect with a cookie from Debian's openconnect --authenticate; the test checks
# the tunnel (ping through it, routes, excluded host, DNS, properties, the worker's
# privileges), then that Disconnect, kill -9 of the worker, SIGTERM of the helper and kill -9
# of the helper (undone by the next helper) each
# leave addresses, routes, links and resolv.conf byte-identical to before.
# Needs root.  Environment: SRCDIR, BUILDDIR (helper/sslvpn-helper, helper/worker/sslvpn-worker).
set -u -o pipefail
SRCDIR=${SRCDIR:?}
BUILDDIR=${BUILDDIR:?}
HELPER=${HELPER:-$BUILDDIR/helper/sslvpn-helper}
WORKER=${WORKER:-$BUILDDIR/helper/worker/sslvpn-worker}
LAB=$SRCDIR/tests/lab/lab.sh
BUS_NAME=org.sslvpn.Helper1
ROOT=/org/sslvpn/Helper1
IFACE_CONN=org.sslvpn.Helper1.Connection

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n - $*"
}
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
bail() {
	not_ok "$*"
	echo "1..$n"
	exit 1
}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (namespaces, tun, test users)"
	exit 0
fi
for f in "$HELPER" "$WORKER"; do
	[ -x "$f" ] || bail "$f is not built"
done

TMP=$(mktemp -d /tmp/sslvpn-e2e-helper.XXXXXX)
chmod 0755 "$TMP"
TAG=svt$((RANDOM % 90000 + 10000))
USER_NAME=${TAG}a
CREATED_NETDEV=0
DAEMON_PID=
cleanup() {
	local pid
	if [ -n "$DAEMON_PID" ]; then
		pid=$(helper_pid 2>/dev/null || true)
		[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -TERM "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	"$LAB" stop "$TMP/lab" >/dev/null 2>&1
	userdel "$USER_NAME" >/dev/null 2>&1
	[ "$CREATED_NETDEV" = 1 ] && groupdel netdev >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the lab ----------------------------------------------------------------------------
"$LAB" start "$TMP/lab" >"$TMP/lab-start.log" 2>&1 ||
	bail "the lab did not start: $(tail -n 3 "$TMP/lab-start.log" | tr '\n' ' ')"
set -a
# shellcheck disable=SC1091
. "$TMP/lab/lab.env"
set +a
CNS=$LAB_CLI_NS

# --- a netdev member, made before the bus starts ----------------------------------------
if ! getent group netdev >/dev/null; then
	groupadd -r netdev || bail "groupadd netdev"
	CREATED_NETDEV=1
fi
useradd -M -N -d /nonexistent -s /usr/sbin/nologin -G netdev "$USER_NAME" || bail "useradd"
USER_UID=$(id -u "$USER_NAME")
USER_GID=$(id -g "$USER_NAME")
as_user() {
	setpriv --reuid="$USER_UID" --regid="$USER_GID" --init-groups -- "$@"
}

# --- the private bus, in the client namespace and a mount namespace ---------------------
RESOLV=$TMP/resolv.conf
printf '# the client namespace'"'"'s resolv.conf (test copy)\nnameserver 192.0.2.1\nsearch example.org\noptions timeout:1\n' >"$RESOLV"
chmod 0644 "$RESOLV"
mkdir -p "$TMP/services"
sed -e "s|@DIR@|$TMP|g" -e "s|@POLICY@|$SRCDIR/dbus/org.sslvpn.Helper1.conf|g" \
	"$SRCDIR/tests/lab/system-bus.conf.in" >"$TMP/bus.conf"
cat >"$TMP/services/$BUS_NAME.service" <<EOF
[D-BUS Service]
Name=$BUS_NAME
Exec=/bin/sh -c "exec $HELPER 2>>$TMP/helper.log"
User=root
EOF
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TMP/system_bus_socket
mkfifo "$TMP/addr"
SSLVPN_WORKER=$WORKER SSLVPN_HELPER_STATE_DIR=$TMP/state SSLVPN_DEBUG=1 \
	ip netns exec "$CNS" unshare -m --propagation private -- /bin/sh -c \
	'mount --bind "$1" /etc/resolv.conf && exec dbus-daemon --nofork --print-address \
		--config-file="$2"' sh "$RESOLV" "$TMP/bus.conf" >"$TMP/addr" 2>"$TMP/daemon.log" &
DAEMON_PID=$!
read -r -t 10 address <"$TMP/addr" || bail "the private bus did not start"
case $address in unix:*) ;; *) bail "the private bus did not start" ;; esac

helper_pid() {
	gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.GetConnectionUnixProcessID "$BUS_NAME" 2>/dev/null |
		sed -n 's/^(uint32 \([0-9]*\),)$/\1/p'
}
prop() { # prop PATH NAME -> the value as gdbus prints it
	gdbus call --system --dest "$BUS_NAME" --object-path "$1" \
		--method org.freedesktop.DBus.Properties.Get "$IFACE_CONN" "$2" |
		sed 's/^(<\(.*\)>,)$/\1/'
}
wait_state() { # wait_state PATH STATE SECONDS
	local s
	for _ in $(seq $(($3 * 5))); do
		s=$(prop "$1" State)
		[ "$s" = "'$2'" ] && return 0
		sleep 0.2
	done
	echo "# $1 is $s, not $2"
	return 1
}
worker_pid() {
	ps -o pid= --ppid "$(helper_pid)" | tr -d ' ' | head -n1
}

# Everything the helper may change, in the namespaces it runs in.
snapshot() {
	settle
	{
		for a in "-4 addr" "-6 addr" "-4 route show table all" "-6 route show table all" \
			"link"; do
			echo "== ip $a"
			# shellcheck disable=SC2086
			ip -n "$CNS" $a
		done
		echo "== resolv.conf $(stat -c '%a %u %g %F %i' "$RESOLV")"
		cat "$RESOLV"
	} >"$1"
}
same_as() { # same_as BEFORE AFTER
	if cmp -s "$1" "$2"; then
		return 0
	fi
	diff "$1" "$2" | sed 's/^/# /'
	return 1
}
# The lab's veth must have settled (carrier, link-local DAD done) before a snapshot, or
# "NO-CARRIER"/"tentative" differ between snapshots for reasons that are not ours.
settle() {
	for _ in $(seq 100); do
		if ! ip -n "$CNS" link show eth0 | grep -q NO-CARRIER &&
			ip -n "$CNS" -6 addr show dev eth0 | grep -q 'inet6 fe80' &&
			! ip -n "$CNS" -6 addr | grep -q tentative; then
			return 0
		fi
		sleep 0.1
	done
	echo "# the lab's link did not settle"
}

cookie() {
	echo "$LAB_PASSWORD" | timeout 30 ip netns exec "$CNS" openconnect --authenticate \
		--cafile "$LAB_CA" --user "$LAB_USER" --passwd-on-stdin --authgroup engineering \
		"https://$LAB_GATEWAY" 2>/dev/null |
		sed -n "s/^COOKIE='.*webvpn=\\([^;']*\\).*/\\1/p"
}
COOKIES=()
connect() { # connect COOKIE -> the object path on stdout
	local out
	out=$(as_user gdbus call --system --dest "$BUS_NAME" --object-path "$ROOT" \
		--method org.sslvpn.Helper1.Manager.Connect \
		"{'Gateway': <'https://$LAB_GATEWAY/'>, 'Address': <'$LAB_SERVER_IP'>, 'Cookie': <'$1'>, 'ServerCertPin': <'$LAB_SERVER_CERT_PIN'>}" 2>&1)
	sed -n "s/^(objectpath '\\(.*\\)',)$/\\1/p" <<<"$out"
	[ -n "$out" ] && ! grep -q '^(objectpath' <<<"$out" && echo "# Connect: $out" >&2
}

# connect_up ORDINAL: a fresh cookie, Connect, and the tunnel up; sets path.
connect_up() {
	local c
	c=$(cookie)
	[ -n "$c" ] || bail "no $1 cookie from openconnect"
	COOKIES+=("$c")
	path=$(connect "$c")
	check "a $1 Connect ($path)" test -n "$path"
	check "the $1 tunnel comes up" wait_state "$path" connected 30
}

# kill_helper SIGNAL: signals the helper and waits up to 10 s for it to exit; sets hpid.
kill_helper() {
	hpid=$(helper_pid)
	kill -"$1" "$hpid"
	for _ in $(seq 100); do
		kill -0 "$hpid" 2>/dev/null || break
		sleep 0.1
	done
}

snapshot "$TMP/before"

# --- 1. up, checked, Disconnect ---------------------------------------------------------
c=$(cookie)
[ -n "$c" ] || bail "no cookie from openconnect"
COOKIES+=("$c")
path=$(connect "$c")
[ -n "$path" ] || bail "Connect as a netdev member"
ok "a netdev member's Connect returns $path"
check "the tunnel comes up" wait_state "$path" connected 30
tun=$(prop "$path" Interface | tr -d "'")
check "it has a tun device ($tun)" grep -q '^sslvpn[0-9]*$' <<<"$tun"
addr=$(prop "$path" Address | tr -d "'")
check "Address is in the lab's pool ($addr)" grep -q '^198\.51\.100\.[0-9]*/' <<<"$addr"
check "Routes carry the engineering routes" grep -q "'203.0.113.0/24'" <<<"$(prop "$path" Routes)"
check "Routes show the exclude" grep -q "'!203.0.113.192/26'" <<<"$(prop "$path" Routes)"
check "Dns is the lab's" grep -q "'$LAB_DNS'" <<<"$(prop "$path" Dns)"
check "Domains is the lab's" grep -q "'$LAB_DOMAIN'" <<<"$(prop "$path" Domains)"
check "Transport is tls or dtls" grep -Eq "^'(tls|dtls)'$" <<<"$(prop "$path" Transport)"
check "Owner is the caller" grep -q "^uint32 $USER_UID$" <<<"$(prop "$path" Owner)"

quiet() { "$@" >/dev/null 2>&1; }
check "the LAN host answers a ping" quiet ip netns exec "$CNS" ping -c 1 -W 3 "$LAB_LAN_HOST"
check "the LAN host is routed through $tun" \
	grep -q "dev $tun " <<<"$(ip -n "$CNS" route get "$LAB_LAN_HOST")"
peer=$(ip -n "$LAB_SRV_NS" -4 -o addr show | awk '$4 ~ /^198\.51\.100\./ {print $4}' | head -n1)
peer=${peer%%/*}
check "the gateway's tunnel address ($peer) answers a ping" \
	quiet ip netns exec "$CNS" ping -c 1 -W 3 "$peer"
check "the excluded host does not go through the tunnel" \
	bash -c "! ip -n '$CNS' route get '$LAB_EXCLUDED_HOST' | grep -q 'dev $tun '"
# The lab's gateway lets only the excluded range in from outside, and not through the tunnel.
check "the excluded host answers a ping (outside the tunnel)" \
	quiet ip netns exec "$CNS" ping -c 1 -W 3 "$LAB_EXCLUDED_HOST"
check "the gateway keeps its path outside" \
	grep -q "dev eth0" <<<"$(ip -n "$CNS" route get "$LAB_SERVER_IP")"
check "resolv.conf has the pushed DNS server" grep -qx "nameserver $LAB_DNS" "$RESOLV"
check "resolv.conf searches the pushed domain" grep -Eq "^search $LAB_DOMAIN( |$)" "$RESOLV"

wpid=$(worker_pid)
check "the worker runs ($wpid)" test -n "$wpid"
uid_line=$(awk '/^Uid:/ {print $3}' "/proc/$wpid/status" 2>/dev/null)
check "the worker runs as its own user sslvpn ($uid_line), never root or a shared account" \
	test -n "$uid_line" -a "$uid_line" = "$(id -u sslvpn 2>/dev/null)" -a "$uid_line" != 0
check "the worker has no_new_privs" grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$wpid/status"
check "the worker has no capabilities" grep -q '^CapEff:[[:space:]]*0*$' "/proc/$wpid/status"
check "the worker's fd 4 is the tun device" test "$(readlink "/proc/$wpid/fd/4")" = /dev/net/tun

out=$(as_user gdbus call --system --dest "$BUS_NAME" --object-path "$path" \
	--method "$IFACE_CONN.Disconnect" 2>&1)
check "the owner disconnects ($out)" test "$out" = "()"
check "the connection ends disconnected" wait_state "$path" disconnected 15
snapshot "$TMP/after-disconnect"
check "after Disconnect: addresses, routes, links and resolv.conf are as before" \
	same_as "$TMP/before" "$TMP/after-disconnect"

# --- 2. kill -9 of the worker -----------------------------------------------------------
connect_up second
wpid=$(worker_pid)
kill -KILL "$wpid"
check "kill -9 of the worker: the connection fails" wait_state "$path" failed 15
check "LastError is WorkerCrashed" test "$(prop "$path" LastError)" = "'WorkerCrashed'"
snapshot "$TMP/after-kill"
check "after kill -9: addresses, routes, links and resolv.conf are as before" \
	same_as "$TMP/before" "$TMP/after-kill"

# --- 3. SIGTERM of the helper -----------------------------------------------------------
connect_up third
kill_helper TERM
check "SIGTERM: the helper exits" bash -c "! kill -0 $hpid 2>/dev/null"
snapshot "$TMP/after-sigterm"
check "after SIGTERM: addresses, routes, links and resolv.conf are as before" \
	same_as "$TMP/before" "$TMP/after-sigterm"

# --- 4. kill -9 of the helper: the next helper removes what it left ----------------------
connect_up fourth
kill_helper KILL
# The tun device went with the helper; the routes it pinned on other interfaces did not.
left=$(ip -n "$CNS" route show table all proto 166 | wc -l)
check "kill -9 of the helper leaves its routes on other interfaces ($left)" test "$left" -gt 0
v=$(gdbus call --system --dest "$BUS_NAME" --object-path "$ROOT" \
	--method org.freedesktop.DBus.Properties.Get org.sslvpn.Helper1.Manager Version 2>&1)
check "a new helper is activated ($v)" grep -q "^(<'" <<<"$v"
snapshot "$TMP/after-sigkill"
check "the new helper removed them: addresses, routes, links and resolv.conf are as before" \
	same_as "$TMP/before" "$TMP/after-sigkill"
check "and said so in its log" grep -q "removed a route a previous helper left behind" "$TMP/helper.log"

# --- logs --------------------------------------------------------------------------------
leaked=0
for c in "${COOKIES[@]}"; do
	grep -qF "$c" "$TMP/helper.log" "$TMP/daemon.log" && leaked=1
done
check "no cookie in the helper's, the workers' or the bus daemon's log" test $leaked = 0
check "no sanitizer report in the logs" \
	bash -c "! grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' '$TMP/helper.log'"
if [ $failed != 0 ]; then
	echo "# ---- helper.log (helper and workers) ----"
	tail -n 80 "$TMP/helper.log" | sed 's/^/# /'
fi
echo "1..$n"
exit $failed
