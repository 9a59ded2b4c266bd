#!/bin/bash
# A private system bus with sslvpn's real policy file, inside a network namespace (normally the
# lab's client namespace), whose activation file starts the build tree's sslvpn-helper.  It is
# what a machine with sslvpn installed has, without touching this machine's own bus or network.
# Used by the demo, the e2e tests of the full stack and the benchmark.
#
#   sysbus.sh start DIR NETNS BUILDDIR   starts it; writes DIR/sysbus.env (SYSBUS_ADDRESS=...,
#                                        SYSBUS_PID=..., SYSBUS_HELPER_LOG=...)
#   sysbus.sh stop DIR                   stops the helper (SIGTERM: it restores the network)
#                                        and the bus; idempotent
#   sysbus.sh helper-pid DIR             prints the running helper's pid (empty if none)
#
# The helper runs as root with the activation environment: SSLVPN_WORKER points at the build
# tree's worker, its state and log live in DIR.  Processes started with `ip netns exec NETNS`
# see /etc/netns/NETNS/resolv.conf as /etc/resolv.conf, and so does the helper: DNS changes
# land in the lab's file, never in the machine's.
set -eu -o pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)

die() {
	echo "sysbus.sh: $*" >&2
	exit 1
}

start() {
	local dir=$1 ns=$2 build=$3
	build=$(cd "$build" && pwd)
	[ -x "$build/helper/sslvpn-helper" ] || die "no $build/helper/sslvpn-helper"
	mkdir -p "$dir/services" "$dir/state"
	sed -e "s|@DIR@|$dir|g" -e "s|@POLICY@|$SRC/dbus/org.sslvpn.Helper1.conf|g" \
		"$SRC/tests/lab/system-bus.conf.in" >"$dir/bus.conf"
	cat >"$dir/services/org.sslvpn.Helper1.service" <<EOC
[D-BUS Service]
Name=org.sslvpn.Helper1
Exec=/bin/sh -c "echo \$\$ > $dir/helper.pid; exec env SSLVPN_WORKER=$build/helper/worker/sslvpn-worker SSLVPN_HELPER_STATE_DIR=$dir/state SSLVPN_HELPER_IDLE_SECONDS=\${SSLVPN_HELPER_IDLE_SECONDS:-600} $build/helper/sslvpn-helper 2>>$dir/helper.log"
User=root
EOC
	: >"$dir/helper.log"
	ip netns exec "$ns" dbus-daemon --fork --print-pid=3 --print-address=4 \
		--config-file="$dir/bus.conf" 3>"$dir/bus.pid" 4>"$dir/bus.address" 2>"$dir/bus.log" ||
		die "the private bus did not start: $(cat "$dir/bus.log")"
	for _ in $(seq 50); do
		[ -s "$dir/bus.address" ] && [ -S "$dir/system_bus_socket" ] && break
		sleep 0.1
	done
	[ -S "$dir/system_bus_socket" ] || die "the private bus did not start"
	{
		echo "SYSBUS_ADDRESS=unix:path=$dir/system_bus_socket"
		echo "SYSBUS_PID=$(head -n1 "$dir/bus.pid")"
		echo "SYSBUS_HELPER_LOG=$dir/helper.log"
		echo "SYSBUS_NETNS=$ns"
	} >"$dir/sysbus.env"
}

helper_pid() {
	local dir=$1 pid
	pid=$(cat "$dir/helper.pid" 2>/dev/null) || return 0
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
	return 0
}

stop() {
	local dir=$1 pid
	[ -d "$dir" ] || return 0
	pid=$(helper_pid "$dir")
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	pid=$(head -n1 "$dir/bus.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/helper.pid" "$dir/bus.pid"
}

case "${1:-}" in
start) [ $# = 4 ] || die "usage: sysbus.sh start DIR NETNS BUILDDIR"; start "$2" "$3" "$4" ;;
stop) [ $# = 2 ] || die "usage: sysbus.sh stop DIR"; stop "$2" ;;
helper-pid) [ $# = 2 ] || die "usage: sysbus.sh helper-pid DIR"; helper_pid "$2" ;;
*) die "usage: sysbus.sh start|stop|helper-pid ..." ;;
esac
