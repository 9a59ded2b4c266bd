#!/bin/bash
# lint (TAP): the GUI's translations and desktop metadata.
#   - po/POTFILES names exactly the files that hold translatable strings, and they exist;
#   - po/zh_TW.po is complete for the current sources (msgcmp against a fresh template), has
#     no fuzzy or untranslated entries, passes msgfmt --check with accelerator checks;
#   - the built desktop file and AppStream metainfo validate.
# Usage: test-po-lint.sh SRCDIR BUILDDIR
set -u
SRC=${1:?}
BUILD=${2:?}
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out" | head -n 40
}
check() { local d=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$d"; else not_ok "$d"; fi; }

cd "$SRC" || exit 1
listed=$(grep -v '^#' po/POTFILES | sed '/^[[:space:]]*$/d' | sort)

missing_files() {
	local f rc=0
	for f in $listed; do [ -f "$f" ] || { echo "listed but missing: $f"; rc=1; }; done
	return $rc
}
check "every file in POTFILES exists" missing_files

# Files with gettext calls in C, plus the desktop and metainfo templates.
with_strings=$( {
	grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|g_dpgettext2)\(' gui/*.c gui/*.h 2>/dev/null
	ls data/*.desktop.in data/*.metainfo.xml.in 2>/dev/null
} | sort -u)
unlisted() {
	comm -23 <(echo "$with_strings") <(echo "$listed") | sed 's/^/not in POTFILES: /' | grep . && return 1
	comm -13 <(echo "$with_strings") <(echo "$listed") | sed 's/^/in POTFILES without strings: /' | grep . && return 1
	return 0
}
check "POTFILES lists exactly the files with translatable strings" unlisted

make_pot() {
	xgettext --package-name=sslvpn --from-code=UTF-8 --add-comments=Translators \
		--keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
		--keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
		--flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
		--flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
		--flag=g_string_append_printf:2:c-format --flag=adw_message_dialog_format_body:2:c-format \
		-o "$tmp/sslvpn.pot" -f <(echo "$listed")
}
check "a fresh template can be extracted" make_pot
check "zh_TW.po translates every message of the current sources" msgcmp po/zh_TW.po "$tmp/sslvpn.pot"
check "zh_TW.po has no obsolete entries left in the way" bash -c "! grep -q '^#~' po/zh_TW.po"
fuzzy_or_untranslated() {
	msgattrib --only-fuzzy po/zh_TW.po | grep -q '^msgid' && { echo fuzzy entries:; msgattrib --only-fuzzy po/zh_TW.po; return 1; }
	msgattrib --untranslated po/zh_TW.po | grep -q '^msgid' && { echo untranslated:; msgattrib --untranslated po/zh_TW.po; return 1; }
	return 0
}
check "zh_TW.po has no fuzzy or untranslated entries" fuzzy_or_untranslated
stats() {
	local s
	s=$(LC_ALL=C msgfmt --check --check-accelerators=_ --statistics -o /dev/null po/zh_TW.po 2>&1) || { echo "$s"; return 1; }
	echo "$s"
	echo "$s" | grep -qE '^[0-9]+ translated messages?\.$'
}
check "msgfmt --check --check-accelerators: all translated, formats and mnemonics agree" stats
check "LINGUAS lists zh_TW" grep -qx 'zh_TW' po/LINGUAS

desktop=$BUILD/data/org.sslvpn.Client.desktop
metainfo=$BUILD/data/org.sslvpn.Client.metainfo.xml
check "the desktop file validates" desktop-file-validate "$desktop"
check "the desktop file is translated" grep -q '^Name\[zh_TW\]=' "$desktop"
check "the AppStream metainfo validates" appstreamcli validate --no-net "$metainfo"
check "the metainfo is translated" grep -q 'xml:lang="zh_TW"' "$metainfo"

echo "1..$n"
[ $failed = 0 ]
