#!/bin/sh
# Installs every Debian package the build, the demo gateway and the test suites need.
# Used by README's two commands and by .ci/run; idempotent.
set -eu
export DEBIAN_FRONTEND=noninteractive
PKGS="
 build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
 libgnutls28-dev gnutls-bin libxml2-dev libglib2.0-dev libglib2.0-bin libdbus-1-dev dbus
 libmnl-dev libseccomp-dev
 libgtk-4-dev libadwaita-1-dev gettext desktop-file-utils appstream
 ocserv oathtool iproute2 nftables iputils-ping procps psmisc tmux
 xvfb xauth at-spi2-core python3-gi gir1.2-atspi-2.0 gir1.2-gtk-4.0 python3-dbus imagemagick x11-utils
 xdotool fonts-wqy-microhei
 openconnect iperf3 binutils softhsm2
 python3
 libxml2-utils util-linux systemd coreutils
"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Debian enables ocserv on port 443 where systemd runs; the lab never uses that instance.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now ocserv.service ocserv.socket >/dev/null 2>&1 || true
fi
exit 0
