#!/bin/bash
# The main job of README.md: builds sslvpn, starts the demo gateway (ocserv in a network
# namespace; nothing leaves this machine) and logs in to it the way a user would, then tears
# everything down.  Needs root (namespaces).  Usage: scripts/demo.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (it creates network namespaces)" >&2
	exit 2
fi
./scripts/install-deps.sh
BUILD=build-demo
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" >/dev/null

WORK=$(mktemp -d /tmp/sslvpn-demo.XXXXXX)
cleanup() {
	tests/lab/lab.sh stop "$WORK/lab" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
echo "== Starting the demo gateway (ocserv in network namespaces)"
tests/lab/lab.sh start "$WORK/lab"
# shellcheck disable=SC1091
. "$WORK/lab/lab.env"
echo "   gateway $LAB_GATEWAY at $LAB_SERVER_IP, user $LAB_USER, groups: $LAB_GROUPS"
echo
in_client() {
	ip netns exec "$LAB_CLI_NS" env XDG_CONFIG_HOME="$WORK/config" "$@"
}
echo "== sslvpn auth: TLS, group selection, login, profile download"
echo "\$ sslvpn auth --cafile lab-ca.pem --user $LAB_USER --group engineering --password-stdin $LAB_GATEWAY"
in_client "$BUILD/cli/sslvpn" auth --cafile "$LAB_CA" --user "$LAB_USER" --group engineering \
	--password-stdin "$LAB_GATEWAY" <<<"$LAB_PASSWORD" | sed -E "s/^(COOKIE=')(.{6}).*(')$/\1\2...(secret)\3/"
echo
echo "== The same gateway under a certificate from an unknown CA: blocked by default"
in_client "$BUILD/cli/sslvpn" auth --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin \
	--non-interactive "$LAB_UNTRUSTED_GATEWAY" <<<"$LAB_PASSWORD" || echo "   (exit status $?)"
echo
echo "== Preferences written for the user (no password, no cookie):"
sed 's/^/   /' "$WORK/config/sslvpn/preferences.xml"
echo
echo "== Cached client profile:"
ls -l "$WORK/config/sslvpn/profiles/" | sed 's/^/   /'
