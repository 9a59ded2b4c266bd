#!/bin/bash
# Regenerates tests/data/ocserv/: what ocserv 1.1.6 in the lab sends, byte for byte (the README
# there lists the files). Needs root; starts and stops its own labs. Cookie values and DTLS
# session ids are replaced by obviously fake ones of the same shape; all else is as received.
#   tests/lab/capture.sh [OUTDIR]
set -eu -o pipefail
HERE=$(dirname "$(readlink -f "$0")")
LAB=$HERE/lab.sh
OUT=$(readlink -f "${1:-$HERE/../data/ocserv}")
WORK=$(mktemp -d /tmp/sslvpn-capture.XXXXXX)
LABS=()
cleanup() {
	local d
	for d in "${LABS[@]}"; do "$LAB" stop "$d"; done
	rm -rf "$WORK"
}
trap cleanup EXIT

FAKE_COOKIE='FAKEcookieFAKEcookieFAKEcookieFAKEcookie000='
FAKE_HEX=$(printf 'deadbeef%.0s' 1 2 3 4 5 6 7 8)

start_lab() { # NAME [OPTIONS]
	local d=$WORK/$1
	shift
	LABS+=("$d")
	"$LAB" start "$d" "$@"
	# shellcheck disable=SC1091
	source "$d/lab.env"
}

http() {
	ip netns exec "$LAB_CLI_NS" "$HERE/lab-http.py" "$@"
}

# FILE NAME [EXT]: the status line and headers go to NAME.headers (CRLF kept, cookies faked),
# the body, if any, to NAME.EXT (default xml) exactly as sent.
split_response() {
	/usr/bin/python3 - "$1" "$OUT/$2" "${3:-xml}" "$FAKE_COOKIE" <<-'EOF'
		import re, sys
		raw = open(sys.argv[1], "rb").read()
		head, body = raw.split(b"\r\n\r\n", 1)
		fake = sys.argv[4].encode()
		head = re.sub(rb"(webvpn(?:context)?=)[A-Za-z0-9+/]{43}=", rb"\g<1>" + fake, head)
		open(sys.argv[2] + ".headers", "wb").write(head + b"\r\n\r\n")
		if body:
		    open(sys.argv[2] + "." + sys.argv[3], "wb").write(body)
	EOF
}

save_connect() { # COOKIE NAME [--no-dtls]
	local cookie=$1 name=$2
	shift 2
	http connect --ca "$LAB_CA" --cookie "webvpn=$cookie" --save "$WORK/$name" "$@" \
		"$LAB_GATEWAY" >/dev/null
	sed -E "s/^(X-DTLS-(Session|App)-ID: )[0-9a-f]{64}/\\1$FAKE_HEX/" "$WORK/$name" \
		>"$OUT/$name.headers"
}

login_cookie() { # lab-http.py login arguments: prints the webvpn cookie
	local out
	out=$(http login --ca "$LAB_CA" "$@")
	sed -n "s/^COOKIE_webvpn='\\(.*\\)'\$/\\1/p" <<<"$out"
}

mkdir -p "$OUT"
rm -f "$OUT"/*.xml "$OUT"/*.headers "$OUT"/*.body

start_lab main
c=$WORK/c
mkdir -p "$c/alice" "$c/wrong" "$c/bob" "$c/ac"

# alice: init, switch to group sales (a new init), user name, password.
http login --ca "$LAB_CA" --switch-group sales --save "$c/alice" "$LAB_GATEWAY" >/dev/null
split_response "$c/alice/01-init.response" auth-request-init
split_response "$c/alice/02-init-group-sales.response" auth-request-group-sales
split_response "$c/alice/03-reply-1.response" auth-request-password
split_response "$c/alice/04-reply-2.response" auth-complete
cp "$c/alice/01-init.request.xml" "$OUT/init.request.xml"
cp "$c/alice/02-init-group-sales.request.xml" "$OUT/init-group-sales.request.xml"
cp "$c/alice/03-reply-1.request.xml" "$OUT/auth-reply-username.request.xml"

# The same with a Cisco AnyConnect User-Agent: ocserv sends the same documents.
http login --ca "$LAB_CA" --ua "AnyConnect Linux_64 4.10.07061" --save "$c/ac" \
	"$LAB_GATEWAY" >/dev/null
/usr/bin/python3 - "$c" <<-'EOF'
	import sys
	body = lambda f: open(f"{sys.argv[1]}/{f}.response", "rb").read().split(b"\r\n\r\n", 1)[1]
	for ac, oc in (("01-init", "01-init"), ("02-reply-1", "03-reply-1"),
	               ("03-reply-2", "04-reply-2")):
	    if body("ac/" + ac) != body("alice/" + oc):
	        print(f"capture: note: the AnyConnect User-Agent got another {ac} body",
	              file=sys.stderr)
EOF

# A wrong password three times: "Login failed." forms, then 401 and a closed connection.
if http login --ca "$LAB_CA" --password wrong --password wrong --password wrong \
	--save "$c/wrong" "$LAB_GATEWAY" >"$c/wrong.env"; then
	echo "capture: three wrong passwords were accepted?" >&2
	exit 1
fi
grep -qx STATUS=401 "$c/wrong.env"
split_response "$c/wrong/03-reply-2.response" auth-request-password-failed
split_response "$c/wrong/05-reply-4.response" auth-failed-401 body

# bob on the OTP vhost: user name, password, OTP code.
http login --ca "$LAB_CA" --user bob --password bob-pass --otp "$("$LAB" otp "$LAB_DIR")" \
	--save "$c/bob" "$LAB_OTP_GATEWAY" >/dev/null
split_response "$c/bob/03-reply-2.response" auth-request-otp
split_response "$c/bob/04-reply-3.response" auth-complete-otp

# The profile download, then the same after break-profile (404).
cookie=$(login_cookie "$LAB_GATEWAY")
http get --ca "$LAB_CA" --cookie "webvpn=$cookie" --save "$WORK/profile.response" \
	--out "$WORK/profile.xml" "$LAB_GATEWAY" /profiles%2Fprofile.xml >/dev/null
split_response "$WORK/profile.response" profile-get
"$LAB" break-profile "$LAB_DIR"
http get --ca "$LAB_CA" --cookie "webvpn=$cookie" --save "$WORK/profile-404.response" \
	"$LAB_GATEWAY" /profiles%2Fprofile.xml >/dev/null
split_response "$WORK/profile-404.response" profile-get-404 body
"$LAB" set-profile "$LAB_DIR" "$WORK/profile.xml"

# CONNECT answers (the response head only; the capture hangs up right after it).
save_connect "$(login_cookie --group engineering "$LAB_GATEWAY")" connect-engineering-psk
save_connect "$(login_cookie --group sales "$LAB_GATEWAY")" connect-sales-no-dtls --no-dtls
"$LAB" stop "$LAB_DIR"

printf 'cisco-client-compat = true\n' >"$WORK/legacy.conf"
start_lab legacy --no-dtls-psk --extra-config "$WORK/legacy.conf"
save_connect "$(login_cookie --group engineering "$LAB_GATEWAY")" connect-engineering-legacy-dtls
echo "capture: wrote $(ls "$OUT" | wc -l) files to $OUT" >&2
