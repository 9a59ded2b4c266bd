#!/bin/sh
# Runs one GUI test the way CI does: a private X server (xvfb-run -a), a private session bus
# (dbus-run-session: nothing is autolaunched or left behind), the cairo renderer (stable
# pixels), settings in memory, and a throw-away XDG config/runtime/cache so that no test reads
# or writes the user's preferences.
#
#   run-gui-test.sh PROGRAM [ARGS...]
#
# Environment passed through: SSLVPN_BUILD_DIR, SSLVPN_SOURCE_DIR, SSLVPN_SCREENSHOT_DIR,
# SSLVPN_LAB_* (tests read them).  GTK_A11Y is left alone when SSLVPN_A11Y=1 (AT-SPI tests).
set -eu

if [ -z "${SSLVPN_GUI_WRAPPED:-}" ]; then
	export SSLVPN_GUI_WRAPPED=1
	# -a alone makes parallel tests race for the same display number: start the search at
	# a number derived from our pid.
	# Services the session bus starts (the AT-SPI registry) inherit its stdout and print
	# there: keep that off the test's TAP stream (fd 3 carries the real stdout through).
	exec 3>&1
	exec xvfb-run -a -n $((100 + $$ % 800)) -s "-screen 0 1280x1024x24 -nolisten tcp" \
		dbus-run-session -- "$0" "$@" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sslvpn-gui-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/config" "$tmp/cache" "$tmp/runtime" "$tmp/data"
chmod 0700 "$tmp/runtime"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache"
export XDG_RUNTIME_DIR="$tmp/runtime"
export XDG_DATA_HOME="$tmp/data"
export GSK_RENDERER=cairo
export GSETTINGS_BACKEND=memory
export GDK_BACKEND=x11
export PYTHONDONTWRITEBYTECODE=1
export NO_AT_BRIDGE=0
if [ "${SSLVPN_A11Y:-0}" != 1 ]; then
	export GTK_A11Y=none
fi
# Messages and dates in English unless a test asks for a language (LANGUAGE=zh_TW).
export LANG=C.UTF-8
unset LC_ALL
export SSLVPN_TEST_TMP="$tmp"
"$@" >&3 3>&-
