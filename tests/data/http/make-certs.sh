#!/bin/sh
# Made the test certificates in this directory and pins.txt once; they are committed.  Running
# it again makes new keys and rewrites pins.txt, and then capture-ocserv.sh must be run again
# (ocserv-success.txt carries the server certificate's SHA-1 in its webvpnc cookie).
#   test-ca.pem                  self-signed CA (ECDSA P-256)
#   server-ecdsa.pem / -key.pem  vpn.example.com, ECDSA P-256, signed by the CA
#   server-ecdsa-renewed.pem     the same key in a second certificate (other serial and dates):
#                                same SPKI pins, different certificate SHA-1
#   server-rsa.pem / -key.pem    vpn.example.com, RSA 2048, signed by the CA
# The keys are test-only: nothing trusts this CA.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$tmp/ca-key.pem" 2>/dev/null
printf 'cn = "sslvpn test CA"\nca\ncert_signing_key\nserial = 1\nexpiration_days = 36500\n' > "$tmp/ca.tmpl"
certtool --generate-self-signed --load-privkey "$tmp/ca-key.pem" --template "$tmp/ca.tmpl" \
	--outfile test-ca.pem 2>/dev/null
certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile server-ecdsa-key.pem 2>/dev/null
certtool --generate-privkey --key-type=rsa --bits=2048 --outfile server-rsa-key.pem 2>/dev/null
for serial in 2 3; do
	printf 'cn = "vpn.example.com"\ndns_name = "vpn.example.com"\ntls_www_server\nserial = %s\nexpiration_days = %s\n' \
		"$serial" $((36000 + serial)) > "$tmp/server$serial.tmpl"
done
sign() {
	certtool --generate-certificate --load-privkey "$1" --load-ca-certificate test-ca.pem \
		--load-ca-privkey "$tmp/ca-key.pem" --template "$2" --outfile "$3" 2>/dev/null
}
sign server-ecdsa-key.pem "$tmp/server2.tmpl" server-ecdsa.pem
sign server-ecdsa-key.pem "$tmp/server3.tmpl" server-ecdsa-renewed.pem
sign server-rsa-key.pem "$tmp/server2.tmpl" server-rsa.pem

# Expected pins, computed with OpenSSL's tools (not GnuTLS, which the code under test uses):
#   spki:  the DER SubjectPublicKeyInfo, from `openssl x509 -pubkey | openssl pkey -pubin -outform DER`
#   der:   the DER certificate, from `openssl x509 -outform DER`
{
	echo "# file pin-sha256 sha256-hex(spki) sha1-hex(spki) SHA1-HEX(der); made by make-certs.sh with openssl"
	for f in server-ecdsa.pem server-ecdsa-renewed.pem server-rsa.pem test-ca.pem; do
		openssl x509 -in "$f" -pubkey -noout | openssl pkey -pubin -outform DER > "$tmp/spki.der"
		openssl x509 -in "$f" -outform DER > "$tmp/cert.der"
		b64=$(openssl dgst -sha256 -binary "$tmp/spki.der" | base64)
		s256=$(sha256sum "$tmp/spki.der" | cut -d' ' -f1)
		s1=$(sha1sum "$tmp/spki.der" | cut -d' ' -f1)
		d1=$(sha1sum "$tmp/cert.der" | cut -d' ' -f1 | tr a-f A-F)
		echo "$f pin-sha256:$b64 $s256 $s1 $d1"
	done
} > pins.txt
