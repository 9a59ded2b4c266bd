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
	echo "not ok - $(basename "$helper_bin") needs libgnutls (a library it links pulls it in)"
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
# The libraries the helper and the worker link: nothing of GLib, GTK or libxml2 in them either.
for d in core/base core/net core/tunnel helper/worker/proto; do
	hits=$(grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libxml/|glib|gio/|gtk/)' \
		"$src/$d"/*.[ch] 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "not ok - $d includes a banned header:"
		printf '%s\n' "$hits" | sed 's/^/#   /'
		fail=1
	else
		echo "ok - $d includes no banned header"
	fi
done
# At compile time: the helper's and the worker's sources are compiled without the include
# directories of the login side, the GUI, GLib or libxml2, so a wrong #include fails to build.
if [ -n "${BUILDDIR:-}" ] && [ -r "$BUILDDIR/compile_commands.json" ]; then
	bad=$(/usr/bin/python3 - "$BUILDDIR/compile_commands.json" "$src" <<'PY'
import json, os, re, sys
src = os.path.realpath(sys.argv[2])
banned = re.compile(r"-I\S*(core/auth|core/prefs|core/xml|/gui|/cli|libxml2|glib-2\.0|gtk-4\.0|dbus-1\.0/gio)")
for c in json.load(open(sys.argv[1])):
    f = os.path.realpath(os.path.join(c["directory"], c["file"]))
    rel = os.path.relpath(f, src)
    if not re.match(r"(helper|core/(base|net|tunnel))/", rel):
        continue
    for m in banned.finditer(c["command"]):
        print(rel, m.group(0))
PY
)
	if [ -n "$bad" ]; then
		echo "not ok - helper, worker and their libraries compile with banned include paths:"
		printf '%s\n' "$bad" | sed 's/^/#   /'
		fail=1
	else
		echo "ok - helper, worker and their libraries compile without the login's, GUI's, GLib's or libxml2's include paths"
	fi
else
	echo "not ok - no compile_commands.json in BUILDDIR (${BUILDDIR:-unset})"
	fail=1
fi
exit $fail
