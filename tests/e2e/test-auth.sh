#!/bin/bash
# e2e: `sslvpn auth` (phases 1-4 of docs/protocol.md "Overview: the six phases") against the
# real ocserv of tests/lab.
# Every case runs the real CLI inside the lab's client namespace with its own preferences dir.
# Prints TAP.  Needs root.  Env: SRCDIR (source tree), BUILDDIR (build tree).
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SSLVPN=${SSLVPN:-$BUILDDIR/cli/sslvpn}
LAB=$SRCDIR/tests/lab/lab.sh
WORK=$(mktemp -d /tmp/sslvpn-e2e-auth.XXXXXX)
n=0
failed=0
cleanup() {
	"$LAB" stop "$WORK/lab" >/dev/null 2>&1
	rm -rf "$WORK"
}
[ -n "${KEEP_WORK:-}" ] || trap cleanup EXIT INT TERM

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift
	for f in "$@"; do [ -f "$f" ] && sed 's/^/# /' "$f"; done
}
check() { # check DESCRIPTION COMMAND... (the command's output goes to the TAP log on failure)
	local d=$1; shift
	if "$@" >"$WORK/check.out" 2>&1; then ok "$d"; else not_ok "$d" "$WORK/check.out"; fi
}

if ! "$LAB" start "$WORK/lab" >"$WORK/lab.log" 2>&1; then
	echo "1..1"; echo "not ok 1 - lab starts"; sed 's/^/# /' "$WORK/lab.log"; exit 1
fi
# shellcheck disable=SC1091
. "$WORK/lab/lab.env"

# auth CASE [ARGS...] < stdin : runs sslvpn auth with preferences in $WORK/CASE; output in
# $WORK/CASE.out/.err, exit status in $WORK/CASE.rc
auth() {
	local case=$1; shift
	ip netns exec "$LAB_CLI_NS" env XDG_CONFIG_HOME="$WORK/$case" SSLVPN_DEBUG= \
		"$SSLVPN" auth --non-interactive "$@" >"$WORK/$case.out" 2>"$WORK/$case.err"
	echo $? >"$WORK/$case.rc"
}
rc() { cat "$WORK/$1.rc"; }
kv() { sed -n "s/^$2='\\(.*\\)'\$/\\1/p" "$WORK/$1.out"; }
prefs() { cat "$WORK/$1/sslvpn/preferences.xml" 2>/dev/null; }

# --- success, group selected by flag (the gateway's default is engineering) ---
auth sales --cafile "$LAB_CA" --user "$LAB_USER" --group sales --password-stdin "$LAB_GATEWAY" <<<"$LAB_PASSWORD"
check "login with --group sales succeeds" test "$(rc sales)" = 0
check "without a terminal both banners go to stderr, the pre-login one first and once" \
	bash -c "grep -xF '| $LAB_PRE_LOGIN_BANNER' '$WORK/sales.err' | wc -l | grep -qx 1 &&
		grep -A100 -xF '| $LAB_PRE_LOGIN_BANNER' '$WORK/sales.err' | grep -qxF '| $LAB_BANNER'"
check "handoff names the gateway, address, pin and group" \
	test "$(kv sales GATEWAY)" = "https://$LAB_GATEWAY/" -a "$(kv sales ADDRESS)" = "$LAB_SERVER_IP" \
	-a "$(kv sales SERVER_CERT_PIN)" = "$LAB_SERVER_CERT_PIN" -a "$(kv sales GROUP)" = sales
check "the cookie is ocserv's base64 session token" \
	grep -Eq "^COOKIE='[A-Za-z0-9+/=]{20,}'$" "$WORK/sales.out"
check "the gateway authenticated alice in group sales" \
	grep -Eq "alice.*sales|sales.*alice" "$LAB_OCSERV_LOG"
check "preferences remember group and user, never the password or cookie" \
	bash -c "grep -q sales <<<\"\$0\" && grep -q '$LAB_USER' <<<\"\$0\" && ! grep -q '$LAB_PASSWORD' <<<\"\$0\" && ! grep -qF \"\$1\" <<<\"\$0\"" \
	"$(prefs sales)" "$(kv sales COOKIE)"
check "preferences file is private (0600)" test "$(stat -c %a "$WORK/sales/sslvpn/preferences.xml")" = 600

# --- the handoff is shell-safe: eval gives the same values ---
check "handoff lines eval in a shell" bash -c "eval \"\$(cat '$WORK/sales.out')\" && test \"\$GATEWAY\" = 'https://$LAB_GATEWAY/' && test -n \"\$COOKIE\""

# --- group change: an interactive user picks another group, the client re-posts init ---
tmux_out=$WORK/tmux.txt
tmux -L "sslvpn-e2e-$$" new-session -d -x 200 -y 50 \
	"ip netns exec $LAB_CLI_NS env XDG_CONFIG_HOME=$WORK/change $SSLVPN auth --cafile $LAB_CA --user $LAB_USER $LAB_GATEWAY >$WORK/change.out 2>$WORK/change.err; echo \$? >$WORK/change.rc; sleep 30"
wait_screen() { # wait_screen REGEX
	for _ in $(seq 50); do
		tmux -L "sslvpn-e2e-$$" capture-pane -p >"$tmux_out" 2>/dev/null
		grep -Eq "$1" "$tmux_out" && return 0
		sleep 0.2
	done
	return 1
}
if wait_screen 'Group'; then
	tmux -L "sslvpn-e2e-$$" send-keys "2" Enter
	wait_screen 'Password' && tmux -L "sslvpn-e2e-$$" send-keys "$LAB_PASSWORD" Enter
	wait_screen "Accept this banner" && cp "$tmux_out" "$WORK/banner-screen.txt" && tmux -L "sslvpn-e2e-$$" send-keys y Enter
	for _ in $(seq 50); do [ -s "$WORK/change.rc" ] && break; sleep 0.2; done
fi
tmux -L "sslvpn-e2e-$$" kill-server 2>/dev/null
check "interactive group change to the second group succeeds" test "$(cat "$WORK/change.rc" 2>/dev/null)" = 0
check "the changed group is in the handoff" test "$(kv change GROUP)" = sales
check "the password was not echoed on the terminal" bash -c "! grep -q '$LAB_PASSWORD' '$tmux_out'"
check "the post-login banner was shown, then accepted at the prompt" bash -c "test -s '$WORK/banner-screen.txt' && grep -qF '$LAB_BANNER' '$WORK/change.err'"

# --- second factor: password then OTP on their own lines of stdin ---
otp=$("$LAB" otp "$WORK/lab")
auth otp --cafile "$LAB_CA" --user "$LAB_OTP_USER" --password-stdin "$LAB_OTP_GATEWAY" \
	<<<"$LAB_OTP_PASSWORD"$'\n'"$otp"
check "password + OTP login succeeds" test "$(rc otp)" = 0
auth otp-missing --cafile "$LAB_CA" --user "$LAB_OTP_USER" --password-stdin "$LAB_OTP_GATEWAY" \
	<<<"$LAB_OTP_PASSWORD"
check "a missing OTP fails with a clear message" \
	bash -c "test \"\$(cat '$WORK/otp-missing.rc')\" = 1 && grep -q 'standard input has no more lines' '$WORK/otp-missing.err'"

# --- wrong password ---
auth wrong --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_GATEWAY" <<<"not-the-password"
check "wrong password exits 1" test "$(rc wrong)" = 1
check "wrong password gives the pre-login banner, then exactly one line on stderr" \
	bash -c "test \"\$(head -n1 '$WORK/wrong.err')\" = '| $LAB_PRE_LOGIN_BANNER' &&
		test \"\$(grep -vc '^| ' '$WORK/wrong.err')\" = 1"
check "that line says authentication failed" grep -qi "authentication failed" "$WORK/wrong.err"
check "nothing written to the preferences after a failed login" test ! -e "$WORK/wrong/sslvpn/preferences.xml"

# --- untrusted certificate: blocked, accepted and remembered, pin mismatch after a change ---
auth untrusted --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_UNTRUSTED_GATEWAY" <<<"$LAB_PASSWORD"
check "untrusted certificate is blocked (exit 1)" test "$(rc untrusted)" = 1
check "the block explains why and shows subject, issuer and pin" \
	bash -c "grep -q 'not trusted' '$WORK/untrusted.err' && grep -q 'Issuer:' '$WORK/untrusted.err' && grep -qF '$LAB_UNTRUSTED_CERT_PIN' '$WORK/untrusted.err'"
auth trusted --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin --server-cert "$LAB_UNTRUSTED_CERT_PIN" \
	--remember-cert "$LAB_UNTRUSTED_GATEWAY" <<<"$LAB_PASSWORD"
check "accepting the pin logs in" test "$(rc trusted)" = 0
check "the accepted pin is remembered in preferences.xml" grep -qF "$LAB_UNTRUSTED_CERT_PIN" "$WORK/trusted/sslvpn/preferences.xml"
auth trusted --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_UNTRUSTED_GATEWAY" <<<"$LAB_PASSWORD"
check "the remembered pin is used without flags" test "$(rc trusted)" = 0
"$LAB" rotate-cert "$WORK/lab" "$LAB_UNTRUSTED_GATEWAY" >/dev/null 2>&1
auth trusted --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_UNTRUSTED_GATEWAY" <<<"$LAB_PASSWORD"
check "a changed certificate is refused despite the remembered pin" \
	bash -c "test \"\$(cat '$WORK/trusted.rc')\" = 1 && grep -q 'has changed' '$WORK/trusted.err'"

# --- profile: first download, unchanged (no GET), changed (overwritten), unavailable ---
pdir=$WORK/profile/sslvpn/profiles
auth profile --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin -v "$LAB_GATEWAY" <<<"$LAB_PASSWORD"
check "first login downloads the profile byte for byte" \
	bash -c "test \"\$(cat '$WORK/profile.rc')\" = 0 && cmp -s '$LAB_PROFILE_PATH' '$pdir'/*"
ino=$(stat -c %i "$pdir"/* 2>/dev/null)
auth profile --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin -v "$LAB_GATEWAY" <<<"$LAB_PASSWORD"
check "an unchanged profile is not fetched again" \
	bash -c "test \"\$(cat '$WORK/profile.rc')\" = 0 && grep -q 'up to date' '$WORK/profile.err' && test '$ino' = \"\$(stat -c %i '$pdir'/*)\""
printf '<?xml version="1.0"?>\n<AnyConnectProfile xmlns="http://schemas.xmlsoap.org/encoding/"><ServerList><HostEntry><HostName>Changed</HostName><HostAddress>vpn.lab.test</HostAddress></HostEntry></ServerList></AnyConnectProfile>\n' >"$WORK/new-profile.xml"
"$LAB" set-profile "$WORK/lab" "$WORK/new-profile.xml" >/dev/null 2>&1
auth profile --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_GATEWAY" <<<"$LAB_PASSWORD"
check "a changed profile overwrites the cached copy" \
	bash -c "test \"\$(cat '$WORK/profile.rc')\" = 0 && cmp -s '$WORK/new-profile.xml' '$pdir'/* && grep -q Changed '$WORK/profile/sslvpn/preferences.xml'"
"$LAB" break-profile "$WORK/lab" >/dev/null 2>&1
auth broken --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_GATEWAY" <<<"$LAB_PASSWORD"
check "an unavailable profile fails the whole attempt" \
	bash -c "test \"\$(cat '$WORK/broken.rc')\" = 1 && grep -qi 'profile' '$WORK/broken.err' && ! grep -q COOKIE '$WORK/broken.out'"
echo "1..$n"
exit $((failed > 0))
