#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e (TAP): client certificates as users are handed them, against the lab's ocserv configured
# to require one (certificate + password login) and, with cisco-client-compat = false, to
# require it again on the tunnel's own connection.
#  - the key-format matrix: RSA and EC keys, certificates and keys in PEM and DER, PKCS#1 and
#    PKCS#8, unencrypted and encrypted (PBES1 MD5/DES and SHA1/3DES, PBES2 with SHA1 and
#    SHA256, OpenSSL's PKCS#1 with AES-128 and DEK-Info), PKCS#12 with several MAC and cipher
#    choices, without a password and with a non-ASCII one; all made here with openssl from keys
#    the lab's CA certifies for alice; each one logs in with `sslvpn auth`;
#  - clear refusals: no password, a wrong one, a key of another certificate;
#  - the key's password typed at the terminal prompt (tmux);
#  - a SoftHSM token (EC and RSA; PKCS#11 URIs, the PIN from stdin, missing and wrong): the key
#    stays on it, and `sslvpn connect --foreground` signs the worker's handshake through the CLI;
#  - `sslvpn connect` through the helper with a password-protected PKCS#12: the tunnel comes up
#    (so the worker presented the certificate), traffic flows, the password appears in no log,
#    and disconnect restores the network.
# Needs root.  Env: SRCDIR, BUILDDIR.
set -u
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILDDIR=${BUILDDIR:?}
WORK=$(mktemp -d /tmp/sslvpn-e2e-cert.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	pkill -KILL -f "sslvpn-e2e-cert-fg-$$" 2>/dev/null
	tmux -L "sslvpn-e2e-cert-$$" kill-server 2>/dev/null
	stack_stop
	rm -rf "$WORK"
}
[ -n "${KEEP_WORK:-}" ] || trap cleanup EXIT INT TERM

# shellcheck source=tests/e2e/stack-lib.sh
. "$SRCDIR/tests/e2e/stack-lib.sh"
printf 'auth = "certificate"\ncisco-client-compat = false\n' >"$WORK/cert.conf"
stack_start --extra-config "$WORK/cert.conf"

# ---- the identities ----
K=$WORK/keys
PW=Key-pass.1
UTF8_PW=$(printf '\xc4\x82\xc5\xbb') # "ĂŻ" in UTF-8
mkdir -m 0755 "$K"
make_identities() { # TYPE: every format of one key
	local t=$1 ossl=(openssl) legacy=(-provider legacy -provider default)
	if [ "$t" = rsa ]; then
		"${ossl[@]}" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/$t.p8.pem"
	else
		"${ossl[@]}" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/$t.p8.pem"
	fi
	openssl req -new -key "$K/$t.p8.pem" -subj "/CN=alice/UID=alice" -out "$K/$t.csr"
	openssl x509 -req -in "$K/$t.csr" -CA "$LAB_DIR/pki/lab-ca.pem" \
		-CAkey "$LAB_DIR/pki/lab-ca.key" -set_serial "0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')" \
		-days 2 -out "$K/$t.crt.pem"
	openssl x509 -in "$K/$t.crt.pem" -outform DER -out "$K/$t.crt.der"
	openssl pkey -in "$K/$t.p8.pem" -traditional -out "$K/$t.p1.pem"
	openssl pkey -in "$K/$t.p8.pem" -outform DER -out "$K/$t.p8.der"
	openssl pkey -in "$K/$t.p8.pem" -traditional -outform DER -out "$K/$t.p1.der"
	cat "$K/$t.crt.pem" "$K/$t.p8.pem" >"$K/$t.both.pem"
	openssl pkey -in "$K/$t.p8.pem" -traditional -aes128 -passout "pass:$PW" -out "$K/$t.p1-aes128.pem"
	openssl pkcs8 -topk8 -in "$K/$t.p8.pem" -v1 PBE-MD5-DES "${legacy[@]}" -passout "pass:$PW" -out "$K/$t.p8-md5-des.pem"
	openssl pkcs8 -topk8 -in "$K/$t.p8.pem" -v1 PBE-SHA1-3DES -passout "pass:$PW" -out "$K/$t.p8-sha1-3des.pem"
	openssl pkcs8 -topk8 -in "$K/$t.p8.pem" -v2 aes256 -v2prf hmacWithSHA1 -passout "pass:$PW" -out "$K/$t.p8-pbes2-sha1.pem"
	openssl pkcs8 -topk8 -in "$K/$t.p8.pem" -v2 aes256 -v2prf hmacWithSHA256 -passout "pass:$PW" -out "$K/$t.p8-pbes2-sha256.pem"
	openssl pkcs8 -topk8 -in "$K/$t.p8.pem" -v2 aes128 -passout "pass:$PW" -outform DER -out "$K/$t.p8-pbes2.der"
	# PKCS#12: OpenSSL 3's default (PBES2 AES-256, HMAC-SHA256), the legacy one most exported
	# files still are (RC2-40 and 3DES, HMAC-SHA1), AES-128 with a SHA-512 MAC, none, UTF-8.
	openssl pkcs12 -export -in "$K/$t.crt.pem" -inkey "$K/$t.p8.pem" -passout "pass:$PW" -out "$K/$t.default.p12"
	openssl pkcs12 -export -legacy -in "$K/$t.crt.pem" -inkey "$K/$t.p8.pem" -passout "pass:$PW" -out "$K/$t.legacy.p12"
	openssl pkcs12 -export -certpbe AES-128-CBC -keypbe AES-128-CBC -macalg sha512 -in "$K/$t.crt.pem" \
		-inkey "$K/$t.p8.pem" -passout "pass:$PW" -out "$K/$t.aes128-sha512.p12"
	openssl pkcs12 -export -in "$K/$t.crt.pem" -inkey "$K/$t.p8.pem" -passout pass: -out "$K/$t.nopass.p12"
	openssl pkcs12 -export -in "$K/$t.crt.pem" -inkey "$K/$t.p8.pem" -passout "pass:$UTF8_PW" -out "$K/$t.utf8.p12"
}
for t in rsa ec; do
	make_identities "$t" >"$WORK/openssl-$t.log" 2>&1 || bail "openssl makes the $t identities"
done
chmod 0644 "$K"/*

# login CASE CERT [KEY|-] [KEY PASSWORD] : sslvpn auth with that identity; status in CASE.rc
login() {
	local name=$1 cert=$2 key=${3:--} pw=${4-} args=()
	[ "$key" != - ] && args+=(--key "$key")
	[ -n "$pw" ] && args+=(--key-password-stdin)
	printf '%s\n' ${pw:+"$pw"} "$LAB_PASSWORD" | in_ns env XDG_CONFIG_HOME="$WORK/cfg-$name" "$SSLVPN" auth --non-interactive \
		--cafile "$LAB_CA" --user "$LAB_USER" --password-stdin --certificate "$cert" "${args[@]}" \
		"$LAB_GATEWAY" >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
}
logged_in() { # CASE: exit 0, a cookie, and the gateway saw alice's certificate
	test "$(cat "$WORK/$1.rc")" = 0 && grep -Eq "^COOKIE='.{20,}'$" "$WORK/$1.out" || {
		cat "$WORK/$1.err"
		return 1
	}
}

for t in rsa ec; do
	for c in "crt.pem p8.pem" "crt.pem p1.pem" "crt.der p8.der" "crt.der p1.der" "both.pem -"; do
		set -- $c
		key=-; [ "$2" != - ] && key=$K/$t.$2
		login "$t-$1-$2" "$K/$t.$1" "$key"
		check "$t: certificate $1, key $2: logged in" logged_in "$t-$1-$2"
	done
	for k in p1-aes128.pem p8-md5-des.pem p8-sha1-3des.pem p8-pbes2-sha1.pem p8-pbes2-sha256.pem p8-pbes2.der; do
		login "$t-$k" "$K/$t.crt.pem" "$K/$t.$k" "$PW"
		check "$t: encrypted key $k with its password: logged in" logged_in "$t-$k"
	done
	for p in default legacy aes128-sha512; do
		login "$t-$p-p12" "$K/$t.$p.p12" - "$PW"
		check "$t: PKCS#12 ($p) with its password: logged in" logged_in "$t-$p-p12"
	done
	login "$t-nopass-p12" "$K/$t.nopass.p12"
	check "$t: PKCS#12 without a password: logged in" logged_in "$t-nopass-p12"
	login "$t-utf8-p12" "$K/$t.utf8.p12" - "$UTF8_PW"
	check "$t: PKCS#12 with the non-ASCII password ĂŻ: logged in" logged_in "$t-utf8-p12"
done

# ---- refusals: one clear line, exit 1, nothing sent to the gateway ----
refused() { # CASE PATTERN
	test "$(cat "$WORK/$1.rc")" = 1 && grep -q "$2" "$WORK/$1.err" &&
		test "$(wc -l <"$WORK/$1.err")" = 1 || { cat "$WORK/$1.err"; return 1; }
}
login nopw "$K/rsa.crt.pem" "$K/rsa.p8-pbes2-sha256.pem"
check "an encrypted key without its password: asks for --key-password-stdin" \
	refused nopw "needs a password (give it with --key-password-stdin)"
login wrongpw "$K/rsa.legacy.p12" - "not-$PW"
check "a PKCS#12 with a wrong password: says so" refused wrongpw "wrong password for $K/rsa.legacy.p12"
login mismatch "$K/rsa.crt.pem" "$K/ec.p8.pem"
check "a key of another certificate: says so" refused mismatch "the key does not belong to the certificate"
login nokey "$K/rsa.crt.der"
check "a DER certificate without its key: says so" refused nokey "name its key file too"

cp "$LAB_CLIENT_OTHER_CERT" "$LAB_CLIENT_OTHER_KEY" "$K/" && chmod 0644 "$K"/client-other.*
login other-ca "$K/client-other.pem" "$K/client-other.key"
check "a certificate from a CA the gateway does not take: says the gateway refused it" \
	refused other-ca "after asking for a client certificate: it did not accept the one presented"
printf '%s\n' "$LAB_PASSWORD" | in_ns env XDG_CONFIG_HOME="$WORK/cfg-none" "$SSLVPN" auth \
	--non-interactive --cafile "$LAB_CA" --user "$LAB_USER" --password-stdin "$LAB_GATEWAY" \
	>"$WORK/none.out" 2>"$WORK/none.err"
echo $? >"$WORK/none.rc"
check "no certificate for a gateway that requires one: says to give one" \
	refused none "after asking for a client certificate: it needs one (use --certificate)"

# ---- a token (SoftHSM): its key never leaves it; the worker signs through the CLI ----
HSM=$WORK/hsm
TOKEN_PIN=4321
mkdir -p "$HSM/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$HSM" \
	>"$HSM/softhsm2.conf"
export SOFTHSM2_CONF=$HSM/softhsm2.conf
{
	softhsm2-util --init-token --free --label sslvpn-test --pin "$TOKEN_PIN" --so-pin 8765 &&
	GNUTLS_PIN=$TOKEN_PIN p11tool --login --write --load-privkey "$K/ec.p8.pem" --label alice \
		--id 01 "pkcs11:token=sslvpn-test" &&
	GNUTLS_PIN=$TOKEN_PIN p11tool --login --write --load-certificate "$K/ec.crt.pem" \
		--label alice --id 01 "pkcs11:token=sslvpn-test" &&
	GNUTLS_PIN=$TOKEN_PIN p11tool --login --write --load-privkey "$K/rsa.p8.pem" \
		--label alice-rsa --id 02 "pkcs11:token=sslvpn-test" &&
	GNUTLS_PIN=$TOKEN_PIN p11tool --login --write --load-certificate "$K/rsa.crt.pem" \
		--label alice-rsa --id 02 "pkcs11:token=sslvpn-test"
} >"$WORK/hsm.log" 2>&1 || bail "a SoftHSM token holds alice's key and certificate"
chown -R "$TUSER" "$HSM"
TOKEN_URI="pkcs11:token=sslvpn-test;object=alice"
login token "$TOKEN_URI" - "$TOKEN_PIN"
check "an EC certificate and key on a token (PKCS#11 URI), PIN from stdin: logged in" logged_in token
login token-rsa "pkcs11:token=sslvpn-test;object=alice-rsa" - "$TOKEN_PIN"
check "an RSA one: logged in" logged_in token-rsa
login token-rsa-key "pkcs11:token=sslvpn-test;object=alice-rsa" "pkcs11:token=sslvpn-test;object=alice-rsa;type=private" "$TOKEN_PIN"
check "the RSA one with its key named apart: logged in" logged_in token-rsa-key
login token-nopin "$TOKEN_URI"
check "the token without its PIN: asks for it" refused token-nopin "a PIN is needed for"
login token-wrongpin "$TOKEN_URI" - 0000
check "a wrong PIN: says so (and is not tried again)" refused token-wrongpin "wrong PIN for"

# ---- the password typed at the prompt: two wrong ones, and the third typed one counts ----
cat "$K/ec.crt.pem" "$K/ec.p8-pbes2-sha1.pem" >"$K/ec.both-enc.pem"
chmod 0644 "$K/ec.both-enc.pem"
tm() { tmux -L "sslvpn-e2e-cert-$$" "$@"; }
wait_screen() { # REGEX [COUNT]: until COUNT lines on the screen match
	for _ in $(seq 100); do
		tm capture-pane -p >"$WORK/screen.txt" 2>/dev/null
		[ "$(grep -Ec "$1" "$WORK/screen.txt")" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
tm new-session -d -x 200 -y 30 "ip netns exec $LAB_CLI_NS env XDG_CONFIG_HOME=$WORK/cfg-tty \
$SSLVPN auth --cafile $LAB_CA --user $LAB_USER --certificate $K/ec.both-enc.pem $LAB_GATEWAY \
>$WORK/tty.out 2>$WORK/tty.err; echo \$? >$WORK/tty.rc; sleep 30"
if wait_screen "Password for the key of $K/ec.both-enc.pem"; then
	tm send-keys "not-$PW" Enter
	wait_screen "Password for the key" 2 && tm send-keys "still-not-$PW" Enter
	wait_screen "Password for the key" 3 && tm send-keys "$PW" Enter
	wait_screen '^Group:' && tm send-keys Enter
	wait_screen '^Password:' && tm send-keys "$LAB_PASSWORD" Enter
	wait_screen 'Accept this banner' && tm send-keys y Enter
	for _ in $(seq 100); do [ -s "$WORK/tty.rc" ] && break; sleep 0.1; done
fi
cp "$WORK/screen.txt" "$WORK/tty-screen.txt"
tm kill-server 2>/dev/null
check "the key's password asked at the terminal, asked again twice after wrong ones: logged in" \
	bash -c "test \"\$(cat '$WORK/tty.rc' 2>/dev/null)\" = 0 && grep -q \"^COOKIE=\" '$WORK/tty.out'"
check "the key's password was not echoed" bash -c "! grep -q -- '$PW' '$WORK/tty-screen.txt'"

# ---- the tunnel: the gateway asks for the certificate again on the CONNECT's connection ----
snapshot "$WORK/before"
printf '%s\n%s\n' "$PW" "$LAB_PASSWORD" | as_user "$SSLVPN" connect --non-interactive \
	--cafile "$LAB_CA" --user "$LAB_USER" --password-stdin --certificate "$K/rsa.legacy.p12" \
	--key-password-stdin "$LAB_GATEWAY" >"$WORK/connect.out" 2>"$WORK/connect.err"
rc=$?
check "sslvpn connect with a password-protected PKCS#12: tunnel up (exit $rc)" \
	bash -c "test $rc = 0 || { cat '$WORK/connect.err'; tail -n 15 '$WORK/bus/helper.log'; false; }"
# Only a precondition: with it, the tunnel coming up above means the worker presented the
# certificate (ocserv refuses the tunnel's connection without one).
check "the lab's gateway also requires the certificate on the tunnel (cisco-client-compat off)" \
	grep -q '^cisco-client-compat = false' "$LAB_DIR/ocserv.conf"
check "traffic flows through the tunnel" in_ns ping -c1 -W2 "$(gw_tunnel_ip)"
check "the key's password is in no log" \
	bash -c "! grep -qF -- '$PW' '$WORK/bus/helper.log' '$WORK/connect.out' '$WORK/connect.err' '$LAB_OCSERV_LOG'"
as_user "$SSLVPN" disconnect >"$WORK/disconnect.out" 2>&1
snapshot "$WORK/after"
check "disconnect restores the network exactly" diff "$WORK/before" "$WORK/after"
# The worker signs its handshake through the CLI, which keeps the token's key: the command
# stays (--foreground) for as long as the tunnel may need a new handshake.
printf '%s\n%s\n' "$TOKEN_PIN" "$LAB_PASSWORD" | as_user env SOFTHSM2_CONF="$SOFTHSM2_CONF" bash -c \
	"exec -a sslvpn-e2e-cert-fg-$$ $SSLVPN connect --foreground \
	--non-interactive --cafile $LAB_CA --user $LAB_USER --password-stdin \
	--certificate '$TOKEN_URI' --key-password-stdin $LAB_GATEWAY" >"$WORK/token-fg.out" 2>&1 &
for _ in $(seq 100); do grep -q '^State: connected' "$WORK/token-fg.out" && break; sleep 0.1; done
check "sslvpn connect with the token: tunnel up, the worker's handshake signed by the CLI" \
	bash -c "grep -q '^State: connected' '$WORK/token-fg.out' || { cat '$WORK/token-fg.out'; tail -n 15 '$WORK/bus/helper.log'; false; }"
check "traffic flows through the tunnel" in_ns ping -c1 -W2 "$(gw_tunnel_ip)"
fgpid=$(pgrep -f "sslvpn-e2e-cert-fg-$$" | head -n1)
[ -n "$fgpid" ] && kill -INT "$fgpid"
for _ in $(seq 100); do [ -n "$fgpid" ] && kill -0 "$fgpid" 2>/dev/null || break; sleep 0.1; done
snapshot "$WORK/after-token"
check "Ctrl-C disconnects and restores the network exactly" diff "$WORK/before" "$WORK/after-token"
check "the PIN is in no log" \
	bash -c "! grep -qw -- '$TOKEN_PIN' '$WORK/bus/helper.log' '$WORK/token-fg.out'"

check "no sanitizer report or crash in the helper's log" \
	bash -c "! grep -Eq 'Sanitizer|runtime error|SIGSEGV' '$WORK/bus/helper.log'"

echo "1..$n"
exit $((failed > 0))
