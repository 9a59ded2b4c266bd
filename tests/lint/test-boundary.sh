#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The privilege boundary (docs/architecture.md "Trust boundary"), checked on what was built:
#  - sslvpn-helper (root) and sslvpn-worker (the data path) link neither libxml2 nor GTK,
#    libadwaita, GLib or GIO: not directly (readelf NEEDED) and not through another library
#    (ldd);
#  - sslvpn-helper does not load GnuTLS either (it never speaks TLS);
#  - no source file in helper/ includes a libxml2, GLib, GIO or GTK header.
# usage: test-boundary.sh SRCDIR HELPER_BINARY WORKER_BINARY
set -u
src=$1
shift
fail=0
banned='^(libxml2|libgtk|libgdk|libadwaita|libglib|libgio|libgobject|libgmodule)'

for bin in "$@"; do
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "not ok - $name was not built ($bin)"
		fail=1
		continue
	fi
	needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	if [ -z "$needed" ]; then
		echo "not ok - $name: readelf found no NEEDED entries"
		fail=1
		continue
	fi
	bad=$(printf '%s\n' $needed | grep -E "$banned" || true)
	if [ -n "$bad" ]; then
		echo "not ok - $name needs:" $bad
		fail=1
	else
		echo "ok - $name needs only:" $needed
	fi
	bad=$(ldd "$bin" | awk '{print $1}' | sed 's|.*/||' | grep -E "$banned" || true)
	if [ -n "$bad" ]; then
		echo "not ok - $name pulls in (through its libraries):" $bad
		fail=1
	else
		echo "ok - $name pulls in none of them through its libraries"
	fi
done

# The root helper does no TLS at all: loading GnuTLS (and its p11-kit, nettle, gmp...) there
# would only add attack surface and memory (the benchmark's peak RSS counts the helper).
helper_bin=$1
if readelf -d "$helper_bin" 2>/dev/null | grep -q 'NEEDED.*libgnutls'; then
	echo "not ok - $(basename "$helper_bin") needs libgnutls (a core-net object it links pulls it in)"
	fail=1
else
	echo "ok - $(basename "$helper_bin") does not load GnuTLS"
fi

# The static half: no banned header in any helper/ source (the worker's included).
hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libxml/|glib|gio/|gtk/|gdk/|adwaita|gobject/)' \
	"$src"/helper/*.c "$src"/helper/*.h 2>/dev/null || true)
if [ -n "$hits" ]; then
	echo "not ok - helper/ sources include banned headers:"
	printf '%s\n' "$hits" | sed 's/^/#   /'
	fail=1
else
	echo "ok - no helper/ source includes libxml2, GLib, GIO or GTK headers"
fi
# The helper's core-net sources too: the helper and the worker link that library.
for f in $(sed -n "/^core_net_sources/,/^)/s/^ *'\(.*\.c\)',*$/\1/p" "$src/core/meson.build"); do
	if grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libxml/|glib|gio/|gtk/)' \
		"$src/core/$f" "$src/core/${f%.c}.h" 2>/dev/null; then
		echo "not ok - core/$f (core-net) includes a banned header"
		fail=1
	fi
done
[ $fail = 0 ] && echo "ok - core-net sources include no banned header"
exit $fail
