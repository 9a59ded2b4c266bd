#!/bin/bash
# Self-test of the lab fixture (tests/lab/lab.sh): starts a lab, checks lab.env, logs in with
# Debian's openconnect the ways the e2e tests rely on, brings one tunnel up, exercises the
# helper commands, stops the lab and checks nothing is left. Prints TAP. Needs root.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB=$SRCDIR/tests/lab/lab.sh
HTTP=$SRCDIR/tests/lab/lab-http.py
OCSCRIPT=$SRCDIR/tests/lab/oc-script.sh

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (network namespaces)"
	exit 0
fi

TMP=$(mktemp -d /tmp/sslvpn-test-lab.XXXXXX)
DIR=$TMP/lab
DIR2=$TMP/lab2
OC_PID=
cleanup() {
	[ -n "$OC_PID" ] && kill "$OC_PID" 2>/dev/null
	"$LAB" stop "$DIR"
	"$LAB" stop "$DIR2"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT HUP

n=0
failed=0
ok() { # DESCRIPTION COMMAND...
	local d=$1
	shift
	n=$((n + 1))
	if "$@" >"$TMP/out" 2>&1; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		sed 's/^/# /' "$TMP/out" | tail -n 25
		failed=$((failed + 1))
	fi
}
bail() {
	echo "Bail out! $*"
	exit 1
}

echo "1..33"

# --- start ---------------------------------------------------------------------------------
t0=$(date +%s%N)
ok "lab.sh start succeeds and prints nothing" bash -c '
	out=$("$1" start "$2" --owner "$3" 2>&1) || { echo "$out"; exit 1; }
	[ -z "$out" ] || { echo "unexpected output: $out"; exit 1; }' _ "$LAB" "$DIR" $$
t1=$(date +%s%N)
[ -r "$DIR/lab.env" ] || bail "no lab.env"
ok "start took under 5 s ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 5000
# Exported, so that the `bash -c` checks below see them.
set -a
# shellcheck disable=SC1091
source "$DIR/lab.env"
set +a

check_env() {
	local k missing=
	for k in LAB_DIR LAB_ID LAB_SRV_NS LAB_CLI_NS LAB_SERVER_IP LAB_GATEWAY \
		LAB_UNTRUSTED_GATEWAY LAB_OTP_GATEWAY LAB_CA LAB_OTHER_CA LAB_USER LAB_PASSWORD \
		LAB_OTP_USER LAB_OTP_PASSWORD LAB_OTP_SECRET LAB_GROUPS LAB_GROUP_LABELS \
		LAB_LAN_HOST LAB_EXCLUDED_HOST LAB_DNS LAB_DOMAIN LAB_PROFILE_PATH LAB_OCSERV_PID \
		LAB_OCCTL_SOCKET LAB_SERVER_CERT_PIN LAB_UNTRUSTED_CERT_PIN LAB_SERVER_CERT_SHA1; do
		[ -n "${!k:-}" ] || missing="$missing $k"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; return 1; }
	[ "$LAB_SERVER_IP" = 192.0.2.1 ] && [ "$LAB_LAN_HOST" = 203.0.113.1 ] &&
		[ "$LAB_GATEWAY" = vpn.lab.test ] && [ "$LAB_UNTRUSTED_GATEWAY" = untrusted.lab.test ] &&
		[ "$LAB_DIR" = "$(readlink -f "$DIR")" ] || { echo "wrong values"; return 1; }
	[[ $LAB_SERVER_CERT_PIN == pin-sha256:* ]] && [[ $LAB_SERVER_CERT_SHA1 =~ ^[0-9A-F]{40}$ ]] ||
		{ echo "bad pin/sha1 format"; return 1; }
	# Every line is KEY=value or KEY='value' (C tests parse it line by line).
	! grep -vE "^(#.*|[A-Z0-9_]+=([^' ]*|'[^']*'))\$" "$DIR/lab.env"
}
ok "lab.env has every key, one line each" check_env

ok "server namespace runs ocserv (LAB_OCSERV_PID)" bash -c '
	ip netns pids "$1" | grep -qx "$2" && grep -q ocserv /proc/$2/comm' _ "$LAB_SRV_NS" "$LAB_OCSERV_PID"
ok "client namespace resolves the gateway names from its own hosts file" bash -c '
	for h in vpn.lab.test untrusted.lab.test otp.lab.test; do
		ip netns exec "$1" getent hosts $h | grep -q "^192\.0\.2\.1 " || exit 1
	done
	! grep -q lab.test /etc/hosts' _ "$LAB_CLI_NS"
ok "no default route in either namespace" bash -c '
	! ip -n "$1" route show default | grep -q . && ! ip -n "$2" route show default | grep -q .' \
	_ "$LAB_SRV_NS" "$LAB_CLI_NS"
ok "the LAN is not reachable outside the tunnel" \
	bash -c '! ip netns exec "$1" ping -c1 -W1 "$2"' _ "$LAB_CLI_NS" "$LAB_LAN_HOST"
ok "the excluded host is reachable outside the tunnel" \
	ip netns exec "$LAB_CLI_NS" ping -c1 -W2 "$LAB_EXCLUDED_HOST"

# A second lab at the same time, owned by a process that is about to exit (for gc below).
sleep 1 &
SLEEPER=$!
ok "a second lab starts while the first runs" "$LAB" start "$DIR2" --owner "$SLEEPER"
ok "the two labs have different namespaces" bash -c '
	a=$(. "$1/lab.env"; echo $LAB_SRV_NS $LAB_CLI_NS)
	b=$(. "$2/lab.env"; echo $LAB_SRV_NS $LAB_CLI_NS)
	[ "$a" != "$b" ]' _ "$DIR" "$DIR2"

# --- logins with openconnect -----------------------------------------------------------------
oc() { # stdin: answers; args: openconnect arguments
	timeout 20 ip netns exec "$LAB_CLI_NS" openconnect --authenticate --cafile "$LAB_CA" "$@"
}
login() { # GROUP [HOST [extra args]]
	local g=$1 h=${2:-$LAB_GATEWAY}
	shift 2 2>/dev/null || shift
	echo "$LAB_PASSWORD" | oc --user "$LAB_USER" --authgroup "$g" --passwd-on-stdin "$@" "$h"
}
ok "alice logs in to group engineering" bash -c "$(declare -f oc login); set -o pipefail
	login engineering | tee /dev/stderr | grep -q \"^FINGERPRINT='$LAB_SERVER_CERT_PIN'\""
ok "alice logs in to group sales" bash -c "$(declare -f oc login); set -o pipefail
	login sales | grep -q '^COOKIE=.*webvpn='"
ok "a wrong password fails" bash -c "$(declare -f oc);
	out=\$(echo wrong | oc --user alice --authgroup engineering --passwd-on-stdin $LAB_GATEWAY 2>&1)
	rc=\$?; echo \"\$out\"; [ \$rc != 0 ] && ! echo \"\$out\" | grep -q COOKIE &&
	echo \"\$out\" | grep -q '^Login failed'"
ok "three wrong passwords end in 401" bash -c "
	ip netns exec $LAB_CLI_NS $HTTP login --ca $LAB_CA --password x --password y --password z \
		$LAB_GATEWAY | grep -qx STATUS=401"
OTP1=$("$LAB" otp "$DIR")
ok "bob logs in with password and then OTP ($OTP1) on $LAB_OTP_GATEWAY" bash -c "$(declare -f oc)
	printf '%s\n%s\n' '$LAB_OTP_PASSWORD' '$OTP1' |
		oc --user '$LAB_OTP_USER' --authgroup engineering $LAB_OTP_GATEWAY | grep -q '^COOKIE='"
ok "the same OTP code is refused the second time" bash -c "$(declare -f oc)
	out=\$(printf '%s\n%s\n' '$LAB_OTP_PASSWORD' '$OTP1' |
		oc --user '$LAB_OTP_USER' --authgroup engineering $LAB_OTP_GATEWAY 2>&1); echo \"\$out\"
	! echo \"\$out\" | grep -q '^COOKIE=' && echo \"\$out\" | grep -q 'Please enter your OTP'"
ok "lab.sh otp moves on to the next code" bash -c '[ "$("$1" otp "$2")" != "$3" ]' _ "$LAB" "$DIR" "$OTP1"
ok "alice gets no OTP round on $LAB_GATEWAY" bash -c "
	ip netns exec $LAB_CLI_NS $HTTP login --ca $LAB_CA $LAB_GATEWAY | grep -qx ROUNDS=2"
ok "the untrusted vhost fails without a pin" bash -c "$(declare -f oc login)
	out=\$(login engineering $LAB_UNTRUSTED_GATEWAY --non-inter 2>&1); echo \"\$out\"
	! echo \"\$out\" | grep -q COOKIE && echo \"\$out\" | grep -q 'signer not found'"
ok "the untrusted vhost works with --servercert LAB_UNTRUSTED_CERT_PIN" bash -c "$(declare -f oc login)
	login engineering $LAB_UNTRUSTED_GATEWAY --servercert $LAB_UNTRUSTED_CERT_PIN |
		grep -q \"^FINGERPRINT='$LAB_UNTRUSTED_CERT_PIN'\""
ok "the webvpnc cookie carries LAB_SERVER_CERT_SHA1 and the profile hash" bash -c "
	out=\$(ip netns exec $LAB_CLI_NS $HTTP login --ca $LAB_CA $LAB_GATEWAY)
	echo \"\$out\" | grep 'COOKIE_webvpnc=' | grep -q \"sh:$LAB_SERVER_CERT_SHA1&\" &&
	echo \"\$out\" | grep 'COOKIE_webvpnc=' | grep -q \"fh:$LAB_PROFILE_SHA1'\""
printf '<?xml version="1.0" encoding="UTF-8"?>\n<AnyConnectProfile/>\n' >"$TMP/old-profile.xml"
ok "openconnect downloads the profile (--xmlconfig)" bash -c "$(declare -f oc login)
	login engineering $LAB_GATEWAY --xmlconfig $TMP/old-profile.xml >/dev/null &&
	cmp $TMP/old-profile.xml '$LAB_PROFILE_PATH' && grep -q 'Lab VPN (untrusted)' $TMP/old-profile.xml"

# --- pushed routes per group (CONNECT answer only) -------------------------------------------
connect_head() { # GROUP
	local c
	c=$(ip netns exec "$LAB_CLI_NS" "$HTTP" login --ca "$LAB_CA" --group "$1" "$LAB_GATEWAY" |
		sed -n "s/^COOKIE_webvpn='\\(.*\\)'\$/\\1/p")
	ip netns exec "$LAB_CLI_NS" "$HTTP" connect --ca "$LAB_CA" --cookie "webvpn=$c" \
		--save "$TMP/head-$1" "$LAB_GATEWAY" && cat "$TMP/head-$1"
}
ok "group engineering gets 203.0.113.0/24 minus 203.0.113.192/26" bash -c "
	$(declare -f connect_head); LAB_CLI_NS=$LAB_CLI_NS HTTP=$HTTP LAB_CA=$LAB_CA
	LAB_GATEWAY=$LAB_GATEWAY TMP=$TMP; h=\$(connect_head engineering)
	echo \"\$h\" | grep -q '^X-CSTP-Split-Include: 203.0.113.0/255.255.255.0' &&
	echo \"\$h\" | grep -q '^X-CSTP-Split-Exclude: 203.0.113.192/255.255.255.192' &&
	echo \"\$h\" | grep -q '^X-CSTP-DNS: $LAB_DNS' &&
	echo \"\$h\" | grep -q '^X-CSTP-Default-Domain: $LAB_DOMAIN'"
ok "group sales gets only 203.0.113.64/26" bash -c "
	$(declare -f connect_head); LAB_CLI_NS=$LAB_CLI_NS HTTP=$HTTP LAB_CA=$LAB_CA
	LAB_GATEWAY=$LAB_GATEWAY TMP=$TMP; h=\$(connect_head sales)
	[ \"\$(echo \"\$h\" | grep -c '^X-CSTP-Split-')\" = 1 ] &&
	echo \"\$h\" | grep -q '^X-CSTP-Split-Include: 203.0.113.64/255.255.255.192'"

# --- one real tunnel -------------------------------------------------------------------------
echo "$LAB_PASSWORD" | OC_SCRIPT_LOG=$TMP/oc-script.log timeout 60 ip netns exec "$LAB_CLI_NS" \
	openconnect --cafile "$LAB_CA" --user "$LAB_USER" --authgroup engineering --passwd-on-stdin \
	--script "$OCSCRIPT" "$LAB_GATEWAY" >"$TMP/openconnect.log" 2>&1 &
OC_PID=$!
wait_tunnel() {
	for _ in $(seq 100); do
		grep -q '^reason=connect' "$TMP/oc-script.log" 2>/dev/null &&
			ip -n "$LAB_CLI_NS" route show dev tun0 2>/dev/null | grep -q 203.0.113.0/24 &&
			return 0
		sleep 0.1
	done
	cat "$TMP/openconnect.log"
	return 1
}
ok "openconnect brings a tunnel up" wait_tunnel
ok "ping $LAB_LAN_HOST through the tunnel" ip netns exec "$LAB_CLI_NS" ping -c2 -W2 "$LAB_LAN_HOST"
ok "occtl shows alice connected" bash -c '"$1" occtl "$2" --json show users | grep -q "\"alice\""' \
	_ "$LAB" "$DIR"
kill "$OC_PID" 2>/dev/null
wait "$OC_PID" 2>/dev/null
OC_PID=

# --- helper commands -------------------------------------------------------------------------
profile_get() { # prints STATUS=...
	local c
	c=$(ip netns exec "$LAB_CLI_NS" "$HTTP" login --ca "$LAB_CA" "$LAB_GATEWAY" |
		sed -n "s/^COOKIE_webvpn='\\(.*\\)'\$/\\1/p")
	ip netns exec "$LAB_CLI_NS" "$HTTP" get --ca "$LAB_CA" --cookie "webvpn=$c" \
		--out "$TMP/got-profile" "$LAB_GATEWAY" /profiles%2Fprofile.xml
}
ok "break-profile: the GET answers 404" bash -c "$(declare -f profile_get)
	LAB_CLI_NS=$LAB_CLI_NS HTTP=$HTTP LAB_CA=$LAB_CA LAB_GATEWAY=$LAB_GATEWAY TMP=$TMP
	'$LAB' break-profile '$DIR' && profile_get >$TMP/get.out && grep -qx STATUS=404 $TMP/get.out"
printf '<?xml version="1.0" encoding="UTF-8"?>\n<AnyConnectProfile><!-- v2 --></AnyConnectProfile>\n' \
	>"$TMP/new-profile.xml"
ok "set-profile: the new content is served and announced" bash -c "$(declare -f profile_get)
	LAB_CLI_NS=$LAB_CLI_NS HTTP=$HTTP LAB_CA=$LAB_CA LAB_GATEWAY=$LAB_GATEWAY TMP=$TMP
	'$LAB' set-profile '$DIR' $TMP/new-profile.xml && profile_get >$TMP/get.out && grep -qx STATUS=200 $TMP/get.out &&
	cmp $TMP/got-profile $TMP/new-profile.xml &&
	grep -qx \"LAB_PROFILE_SHA1=\$(sha1sum $TMP/new-profile.xml | awk '{print toupper(\$1)}')\" \
		'$DIR/lab.env'"
ok "rotate-cert gives $LAB_GATEWAY a new key that clients then see" bash -c "$(declare -f oc login)
	'$LAB' rotate-cert '$DIR' $LAB_GATEWAY || exit 1
	new=\$(. '$DIR/lab.env'; echo \$LAB_SERVER_CERT_PIN)
	[ \"\$new\" != '$LAB_SERVER_CERT_PIN' ] &&
	login engineering $LAB_GATEWAY | grep -q \"^FINGERPRINT='\$new'\""

# --- gc and stop -----------------------------------------------------------------------------
wait "$SLEEPER" 2>/dev/null
ok "gc removes the lab whose owner died and keeps the live one" bash -c '
	ns2=$(. "$2/lab.env"; echo $LAB_SRV_NS)
	"$1" gc 2>/dev/null
	[ ! -e /run/netns/$ns2 ] && [ -e /run/netns/$3 ]' _ "$LAB" "$DIR2" "$LAB_SRV_NS"
ok "stop removes namespaces, /etc/netns dirs and ocserv, keeps DIR" bash -c '
	"$1" stop "$2" || exit 1
	for ns in "$3" "$4"; do
		[ ! -e /run/netns/$ns ] && [ ! -e /etc/netns/$ns ] || { echo "$ns left"; exit 1; }
	done
	# (A zombie is gone too: PID 1 here reaps orphans late.)
	state=$(sed "s/.*) //" /proc/$5/stat 2>/dev/null | cut -d" " -f1)
	[ -z "$state" ] || [ "$state" = Z ] || { echo "ocserv $5 still runs"; exit 1; }
	[ -r "$2/lab.env" ]' \
	_ "$LAB" "$DIR" "$LAB_SRV_NS" "$LAB_CLI_NS" "$LAB_OCSERV_PID"
ok "stop is idempotent" "$LAB" stop "$DIR"

[ "$n" = 33 ] || echo "# planned 33 tests, ran $n"
[ "$failed" = 0 ]
