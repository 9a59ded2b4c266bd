#!/bin/bash
# The main job of README.md: builds sslvpn, starts the demo gateway (ocserv in a network
# namespace; nothing leaves this machine), logs in, brings a full tunnel up through the root
# helper and the unprivileged worker, shows traffic through it, disconnects, and shows the
# network restored.  Then tears everything down.  Needs root (namespaces, tun).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (it creates network namespaces and a tun device)" >&2
	exit 2
fi
./scripts/install-deps.sh
BUILD=build-demo
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release >/dev/null
ninja -C "$BUILD" >/dev/null

WORK=$(mktemp -d /tmp/sslvpn-demo.XXXXXX)
# The worker's own user, made as the package makes it (and removed again if made here).
made_user=$(scripts/worker-user.sh ensure)
cleanup() {
	tests/lab/sysbus.sh stop "$WORK/bus" >/dev/null 2>&1 || true
	tests/lab/lab.sh stop "$WORK/lab" >/dev/null 2>&1 || true
	[ "$made_user" = created ] && scripts/worker-user.sh remove
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "Starting the demo gateway: ocserv in its own network namespace"
tests/lab/lab.sh start "$WORK/lab"
# shellcheck disable=SC1091
. "$WORK/lab/lab.env"
mkdir -p "$WORK/bus"
tests/lab/sysbus.sh start "$WORK/bus" "$LAB_CLI_NS" "$BUILD"
# shellcheck disable=SC1091
. "$WORK/bus/sysbus.env"
echo "gateway $LAB_GATEWAY ($LAB_SERVER_IP); user $LAB_USER; groups: $LAB_GROUPS"
echo "the client side runs in namespace $LAB_CLI_NS with a private system bus for sslvpn-helper"
sslvpn() {
	ip netns exec "$LAB_CLI_NS" env XDG_CONFIG_HOME="$WORK/config" \
		DBUS_SYSTEM_BUS_ADDRESS="$SYSBUS_ADDRESS" "$BUILD/cli/sslvpn" "$@"
}
in_client() { ip netns exec "$LAB_CLI_NS" "$@"; }

step "Login only (phases 1-4: TLS, group selection, password, profile download)"
show "sslvpn auth --cafile lab-ca.pem --user $LAB_USER --group sales --password-stdin $LAB_GATEWAY"
sslvpn auth --cafile "$LAB_CA" --user "$LAB_USER" --group sales --password-stdin \
	"$LAB_GATEWAY" <<<"$LAB_PASSWORD" | sed -E "s/^(COOKIE=')(.{6}).*(')$/\1\2...(secret)\3/"

step "An untrusted certificate is blocked, with the reason and the key pin"
show "sslvpn auth --non-interactive ... $LAB_UNTRUSTED_GATEWAY"
sslvpn auth --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin --non-interactive \
	"$LAB_UNTRUSTED_GATEWAY" <<<"$LAB_PASSWORD" || echo "(exit status $?)"

step "Full tunnel: login here, tunnel through sslvpn-helper (root) and sslvpn-worker (unprivileged)"
show "sslvpn connect --cafile lab-ca.pem --user $LAB_USER --group engineering --password-stdin $LAB_GATEWAY"
sslvpn connect --cafile "$LAB_CA" --user "$LAB_USER" --group engineering --password-stdin \
	"$LAB_GATEWAY" <<<"$LAB_PASSWORD"

step "Status"
show "sslvpn status"
sslvpn status

step "Traffic through the tunnel to a host behind the gateway"
show "ping -c 3 $LAB_LAN_HOST"
in_client ping -c 3 -i 0.3 "$LAB_LAN_HOST"
show "ip route get $LAB_LAN_HOST; ip route get $LAB_EXCLUDED_HOST (excluded: stays outside)"
in_client ip route get "$LAB_LAN_HOST"
in_client ip route get "$LAB_EXCLUDED_HOST"
show "cat /etc/resolv.conf   (the client namespace's; pushed DNS and domain)"
in_client cat /etc/resolv.conf
for pid in $(ip netns pids "$LAB_CLI_NS"); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sslvpn-worker ] || continue
	show "grep -E 'Uid|Cap|NoNewPrivs|Seccomp' /proc/$pid/status   (the data path: no privileges)"
	grep -E '^(Uid|CapEff|CapPrm|NoNewPrivs|Seccomp):' "/proc/$pid/status"
done

step "Disconnect: the network is restored exactly"
show "sslvpn disconnect"
sslvpn disconnect
in_client ip route
in_client cat /etc/resolv.conf

step "What the user's preferences keep (never a password or a cookie)"
sed 's/^/  /' "$WORK/config/sslvpn/preferences.xml"
echo
echo "Cached client profile: $(ls "$WORK/config/sslvpn/profiles/")"
