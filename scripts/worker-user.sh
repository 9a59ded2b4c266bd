#!/bin/sh
# The worker's own user (`sslvpn`), made the way the package makes it (systemd-sysusers reading
# data/sslvpn.sysusers), for the demo and the tests on a machine where sslvpn is not installed:
# the helper refuses to run a worker as a user other processes share.
#   scripts/worker-user.sh ensure   creates it when missing, and then prints "created"
#   scripts/worker-user.sh remove   removes it again (after an ensure that printed "created")
set -eu
cd "$(dirname "$0")/.."
case ${1:-} in
ensure)
	if ! getent passwd sslvpn >/dev/null; then
		systemd-sysusers "$PWD/data/sslvpn.sysusers" >/dev/null
		getent passwd sslvpn >/dev/null || { echo "worker-user: sslvpn was not created" >&2; exit 1; }
		echo created
	fi
	;;
remove)
	userdel sslvpn 2>/dev/null || true
	groupdel sslvpn 2>/dev/null || true
	;;
*)
	echo "usage: scripts/worker-user.sh ensure|remove" >&2
	exit 2
	;;
esac
