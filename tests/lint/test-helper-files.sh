#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The helper's system files parse: the interface XML, bus policy and polkit action are
# well-formed XML; the systemd unit passes `systemd-analyze verify` without a single complaint
# (pointed at the built helper); the sysusers.d entry passes `systemd-sysusers --dry-run` in an
# empty root.  usage: test-helper-files.sh SRCDIR BUILDDIR HELPER_BINARY
set -u
src=$1 build=$2 helper=$3
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for f in dbus/org.sslvpn.Helper1.xml dbus/org.sslvpn.Helper1.conf dbus/org.sslvpn.Helper1.policy; do
	if out=$(xmllint --noout "$src/$f" 2>&1); then
		echo "ok - $f is well-formed XML"
	else
		echo "not ok - $f: $out"
		fail=1
	fi
done
if grep -q "^Exec=.*/sslvpn-helper$" "$build/dbus/org.sslvpn.Helper1.service" &&
	grep -q "^SystemdService=sslvpn-helper.service$" "$build/dbus/org.sslvpn.Helper1.service"; then
	echo "ok - the activation file starts the helper, through systemd where it runs"
else
	echo "not ok - dbus/org.sslvpn.Helper1.service"
	fail=1
fi

if command -v systemd-analyze >/dev/null; then
	sed "s|^ExecStart=.*|ExecStart=$helper|" "$build/data/sslvpn-helper.service" \
		>"$tmp/sslvpn-helper.service"
	out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$tmp/sslvpn-helper.service" 2>&1)
	if [ $? = 0 ] && [ -z "$out" ]; then
		echo "ok - systemd-analyze verify accepts sslvpn-helper.service"
	else
		echo "not ok - systemd-analyze verify sslvpn-helper.service:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		fail=1
	fi
else
	echo "not ok - systemd-analyze is missing (package systemd)"
	fail=1
fi

if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$tmp/root/etc"
	out=$(systemd-sysusers --root="$tmp/root" --dry-run "$src/data/sslvpn.sysusers" 2>&1)
	if [ $? = 0 ] && printf '%s\n' "$out" | grep -q "Creating user 'sslvpn'"; then
		echo "ok - the sysusers.d entry creates user sslvpn"
	else
		echo "not ok - systemd-sysusers: $out"
		fail=1
	fi
else
	echo "not ok - systemd-sysusers is missing (package systemd)"
	fail=1
fi
exit $fail
