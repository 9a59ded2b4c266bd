#!/bin/bash
# The lab: a real ocserv (Debian's package) in its own network namespace, a client namespace
# joined to it by one veth pair, nothing else. Used by the demo and every e2e test.
# Usage and measured facts: tests/lab/README.md.
#
#   lab.sh start DIR [--extra-config FILE]... [--group-config FILE]... [--no-dtls-psk] [--owner PID]
#   lab.sh stop DIR
#   lab.sh gc
#   lab.sh otp DIR
#   lab.sh rotate-cert DIR VHOST
#   lab.sh set-profile DIR FILE
#   lab.sh break-profile DIR [--truncated]
#   lab.sh reload DIR
#   lab.sh restart [--crash] DIR  (ocserv stopped, or killed, and started: sessions gone)
#   lab.sh occtl DIR ARGS...
#   lab.sh env DIR            (prints lab.env)
set -eu -o pipefail
umask 022

PREFIX=svl
REGISTRY=/run/sslvpn-lab
LAB_SH=$(readlink -f "$0")

SERVER_IP=192.0.2.1
CLIENT_IP=192.0.2.2
SERVER_IP6=2001:db8:1::1
CLIENT_IP6=2001:db8:1::2
GATEWAY=vpn.lab.test
GATEWAY6=vpn6.lab.test
UNTRUSTED_GATEWAY=untrusted.lab.test
OTP_GATEWAY=otp.lab.test
LAN_HOST=203.0.113.1
LAN_HOST6=2001:db8:2::1
SALES_HOST=203.0.113.65
EXCLUDED_HOST=203.0.113.200
DNS=203.0.113.53
DOMAIN=lab.test
# The start-up probe (tls_ready) accepts what an obsolete gateway speaks.
PROBE_PRIORITY="NORMAL:+VERS-TLS1.0:+VERS-TLS1.1:+3DES-CBC:+ARCFOUR-128"
BANNER="Welcome to the sslvpn lab."
PRE_LOGIN_BANNER="sslvpn lab gateway. Authorised testers only."

die() {
	echo "lab.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '5,17s/^#   /usage: /p' "$LAB_SH" >&2
	exit 2
}

need_root() {
	[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
}

# Reads KEY from DIR/lab.env without sourcing it into our own variables.
env_get() {
	local dir=$1 key=$2
	[ -r "$dir/lab.env" ] || return 1
	sed -n "s/^$key='\\(.*\\)'\$/\\1/p; s/^$key=\\([^']*\\)\$/\\1/p" "$dir/lab.env" | head -n1
}

# Shell-quotes a value so that lab.env can be sourced and read line by line.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

proc_start_time() {
	# Field 22 of /proc/PID/stat, counted after the last ')' (comm may hold spaces).
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	local -a fields
	read -r -a fields <<<"${stat##*) }"
	echo "${fields[19]}"
}

# True while PID runs; a zombie counts as gone (PID 1 here reaps orphans only now and then).
is_running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# The process that owns a new lab: the caller, skipping `sh -c` wrappers (system(), popen())
# and forked subshells ($(...)), which exit long before the lab is done with. A wrong guess
# errs towards an older ancestor (gc then keeps the lab longer); --owner PID overrides.
find_owner() {
	local pid=$PPID parent cmd pcmd
	while [ "$pid" -gt 1 ]; do
		cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || break
		parent=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
		[ -n "$parent" ] && [ "$parent" -gt 1 ] || break
		pcmd=$(tr '\0' ' ' <"/proc/$parent/cmdline" 2>/dev/null) || break
		case $cmd in
		"sh -c "* | "/bin/sh -c "* | "dash -c "* | "/bin/dash -c "* | "bash -c "* | "/bin/bash -c "* | \
			"/usr/bin/bash -c "* | "/usr/bin/sh -c "*) pid=$parent ;;
		*) if [ "$cmd" = "$pcmd" ]; then pid=$parent; else break; fi ;;
		esac
	done
	echo "$pid"
}

# Everything that belongs to lab ID goes, whether or not its DIR still exists.
teardown_id() {
	local id=$1 dir=${2:-} ns pid i
	local sns=$PREFIX-$id-s cns=$PREFIX-$id-c
	if [ -n "$dir" ] && [ -r "$dir/ocserv.pid" ]; then
		pid=$(cat "$dir/ocserv.pid" 2>/dev/null || true)
		# Only if that PID really is ocserv inside our namespace (PIDs get reused).
		if [ -n "$pid" ] && [ -e "/run/netns/$sns" ] &&
			ip netns pids "$sns" 2>/dev/null | grep -qx "$pid"; then
			kill -TERM "$pid" 2>/dev/null || true
			for i in $(seq 40); do
				is_running "$pid" || break
				sleep 0.05
			done
		fi
	fi
	# Whatever else runs in the lab's namespaces (workers, a test's openconnect or iperf3)
	# would keep the namespace alive after `ip netns del`.
	for ns in "$sns" "$cns"; do
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
	done
	for ns in "$sns" "$cns"; do
		if [ -e "/run/netns/$ns" ]; then
			ip netns del "$ns" 2>/dev/null || true
		fi
		rm -rf "/etc/netns/$ns"
	done
	rm -f "$REGISTRY/$id"
}

cmd_stop() {
	[ $# = 1 ] || usage
	need_root
	local dir=$1 id
	id=$(env_get "$dir" LAB_ID 2>/dev/null || true)
	[ -n "$id" ] || id=$(cat "$dir/.lab-id" 2>/dev/null || true)
	[ -n "$id" ] || return 0
	teardown_id "$id" "$dir"
	return 0
}

cmd_gc() {
	[ $# = 0 ] || usage
	need_root
	local ns id owner start dir seen=" "
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $ns in
		"$PREFIX"-??????-s | "$PREFIX"-??????-c) ;;
		*) continue ;;
		esac
		id=${ns#"$PREFIX"-}
		id=${id%-?}
		case $seen in *" $id "*) continue ;; esac
		seen="$seen$id "
		if [ -r "$REGISTRY/$id" ]; then
			owner=$(sed -n 's/^owner=//p' "$REGISTRY/$id")
			start=$(sed -n 's/^owner_start=//p' "$REGISTRY/$id")
			dir=$(sed -n 's/^dir=//p' "$REGISTRY/$id")
			if [ -n "$owner" ] && [ "$(proc_start_time "$owner" 2>/dev/null)" = "$start" ]; then
				continue
			fi
		else
			dir=
		fi
		echo "lab.sh: removing stale lab $id${dir:+ ($dir)}" >&2
		teardown_id "$id" "$dir"
	done
	# Registry entries whose namespaces are gone; only old ones, since `start` writes its
	# entry before it creates the namespaces.
	if [ -d "$REGISTRY" ]; then
		find "$REGISTRY" -mindepth 1 -maxdepth 1 -mmin +1 -printf '%f\n' | while read -r id; do
			case $id in
			*.lock) rmdir "$REGISTRY/$id" 2>/dev/null || true ;;
			*) [ -e "/run/netns/$PREFIX-$id-s" ] || [ -e "/run/netns/$PREFIX-$id-c" ] ||
				rm -f "$REGISTRY/$id" ;;
			esac
		done
	fi
	for ns in /etc/netns/"$PREFIX"-??????-[sc]; do
		[ -d "$ns" ] || continue
		[ -e "/run/netns/${ns##*/}" ] || rm -rf "$ns"
	done
	return 0
}

# --- certificates -------------------------------------------------------------------------

make_ca() { # NAME CN
	local pki=$DIR/pki
	new_key "$pki/$1.key"
	cat >"$pki/$1.tmpl" <<-EOF
		cn = "$2"
		organization = "sslvpn lab"
		serial = $(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		expiration_days = 30
		ca
		cert_signing_key
		crl_signing_key
	EOF
	certtool --generate-self-signed --load-privkey "$pki/$1.key" --template "$pki/$1.tmpl" \
		--outfile "$pki/$1.pem" 2>/dev/null
}

new_key() { # FILE
	certtool --generate-privkey --key-type rsa --bits 2048 --outfile "$1" 2>/dev/null
}

issue_cert() { # KEY TEMPLATE CA OUT: a certificate for KEY signed by the lab's CA named CA
	certtool --generate-certificate --load-privkey "$1" --template "$2" \
		--load-ca-privkey "$DIR/pki/$3.key" --load-ca-certificate "$DIR/pki/$3.pem" \
		--outfile "$4" 2>/dev/null
}

make_server_cert() { # NAME HOSTNAME CA [ALTNAME]
	local pki=$DIR/pki name=$1 host=$2 ca=$3 alt=${4:+dns_name = "$4"}
	new_key "$pki/$name.key.new"
	cat >"$pki/$name.tmpl" <<-EOF
		cn = "$host"
		organization = "sslvpn lab"
		dns_name = "$host"
		$alt
		serial = $(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		expiration_days = 30
		signing_key
		encryption_key
		tls_www_server
	EOF
	issue_cert "$pki/$name.key.new" "$pki/$name.tmpl" "$ca" "$pki/$name.pem.new"
	# Each rename is atomic; rotate-cert sends SIGHUP right after the pair.
	mv -f "$pki/$name.key.new" "$pki/$name.key"
	mv -f "$pki/$name.pem.new" "$pki/$name.pem"
}

make_client_cert() { # NAME USER CA : a TLS client certificate whose UID (cert-user-oid) is USER
	local pki=$DIR/pki name=$1
	new_key "$pki/$name.key"
	cat >"$pki/$name.tmpl" <<-EOF
		cn = "$2"
		uid = "$2"
		organization = "sslvpn lab"
		serial = $(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		expiration_days = 30
		signing_key
		tls_www_client
	EOF
	issue_cert "$pki/$name.key" "$pki/$name.tmpl" "$3" "$pki/$name.pem"
}

cert_pin() {
	certtool -i --infile "$1" | awk '/pin-sha256:/ {print $1; exit}'
}

cert_sha1() {
	certtool -i --infile "$1" | awk '/Fingerprint:/ {getline; sub(/.*sha1:/, ""); print toupper($0); exit}'
}

# --- configuration ------------------------------------------------------------------------

# Settings every section repeats: a [vhost:] section starts from ocserv's defaults, not from the
# global section. ocserv warns "device is ignored on ... virtual host", but without its own
# `device` line a vhost answers every CONNECT with 503 "Server configuration error".
vhost_common() { # AUTH-STRING
	cat <<-EOF
		auth = "$1"
		device = vpns
		predictable-ips = true
		ipv4-network = 198.51.100.0/24
		ipv6-network = 2001:db8:100::/56
		ipv6-subnet-prefix = 64
		dns = $DNS
		default-domain = $DOMAIN
		route = 203.0.113.0/24
		route = 2001:db8:2::/64
		select-group = engineering[Engineering]
		select-group = sales[Sales]
		auto-select-group = false
		config-per-group = $DIR/config-per-group/
		user-profile = profile.xml
		pre-login-banner = "$PRE_LOGIN_BANNER"
		banner = "$BANNER"
		cookie-timeout = 60
		max-same-clients = 0
		cert-user-oid = 0.9.2342.19200300.100.1.1
		ca-cert = $DIR/pki/lab-ca.pem
		keepalive = 32400
		dpd = 90
		mobile-dpd = 1800
		switch-to-tcp-timeout = 25
		deny-roaming = false
		rekey-time = 172800
		rekey-method = ssl
		tls-priorities = "NORMAL:%SERVER_PRECEDENCE:%COMPAT:-VERS-SSL3.0:-VERS-TLS1.0:-VERS-TLS1.1"
	EOF
	# Later lines win, so --extra-config overrides the above in every section.
	cat "$DIR/extra.conf"
}

write_config() {
	local a=$DIR/auth
	cat >"$DIR/ocserv.conf" <<-EOF
		# Generated by tests/lab/lab.sh; the default (global) section is $GATEWAY.
		tcp-port = 443
		udp-port = 443
		run-as-user = ocserv
		run-as-group = ocserv
		chroot-dir = $DIR/chroot
		socket-file = ocserv.sock
		occtl-socket-file = $DIR/occtl.sock
		pid-file = $DIR/ocserv.pid
		use-occtl = true
		isolate-workers = true
		max-clients = 64
		log-level = 3
		device = vpns
		try-mtu-discovery = false
		auth-timeout = 240
		max-ban-score = 0
		min-reauth-time = 0
		rate-limit-ms = 0
		ban-reset-time = 1200
		server-cert = $DIR/pki/vpn.pem
		server-key = $DIR/pki/vpn.key
		$(cat "$DIR/extra-global.conf")
		$(vhost_common "plain[passwd=$a/passwd]")

		[vhost:$UNTRUSTED_GATEWAY]
		server-cert = $DIR/pki/untrusted.pem
		server-key = $DIR/pki/untrusted.key
		$(vhost_common "plain[passwd=$a/passwd]")

		[vhost:$OTP_GATEWAY]
		server-cert = $DIR/pki/otp.pem
		server-key = $DIR/pki/otp.key
		$(vhost_common "plain[passwd=$a/passwd-otp,otp=$a/users.otp]")
	EOF
}

write_groups() {
	mkdir -p "$DIR/config-per-group"
	cat >"$DIR/config-per-group/engineering" <<-EOF
		route = 203.0.113.0/24
		no-route = 203.0.113.192/26
		route = 2001:db8:2::/64
	EOF
	cat >"$DIR/config-per-group/sales" <<-EOF
		route = 203.0.113.64/26
	EOF
	# A group's routes replace the section's: --group-config reaches the users here.
	tee -a "$DIR/config-per-group/engineering" <"$DIR/extra-group.conf" \
		>>"$DIR/config-per-group/sales"
}

write_profile() {
	cat >"$DIR/chroot/profile.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<AnyConnectProfile xmlns="http://schemas.xmlsoap.org/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://schemas.xmlsoap.org/encoding/ AnyConnectProfile.xsd">
  <ServerList>
    <HostEntry>
      <HostName>Lab VPN</HostName>
      <HostAddress>vpn.lab.test</HostAddress>
    </HostEntry>
    <HostEntry>
      <HostName>Lab VPN (untrusted)</HostName>
      <HostAddress>untrusted.lab.test</HostAddress>
    </HostEntry>
  </ServerList>
</AnyConnectProfile>
EOF
	chmod 0644 "$DIR/chroot/profile.xml"
}

write_users() {
	local a=$DIR/auth
	mkdir -p "$a"
	chmod 0700 "$a"
	printf 'alice-pass\nalice-pass\n' | ocpasswd -c "$a/passwd" -g engineering,sales alice
	printf 'bob-pass\nbob-pass\n' | ocpasswd -c "$a/passwd-otp" -g engineering,sales bob
	OTP_SECRET=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
	# mod-authn-otp users file; liboath keeps the last used counter in it.
	printf 'HOTP bob - %s\n' "$OTP_SECRET" >"$a/users.otp"
}

# --- network --------------------------------------------------------------------------------

make_net() {
	ip netns add "$SNS"
	ip netns add "$CNS"
	ip link add eth0 netns "$SNS" type veth peer name eth0 netns "$CNS"
	ip -n "$SNS" link set lo up
	ip -n "$CNS" link set lo up
	ip -n "$SNS" addr add "$SERVER_IP/24" dev eth0
	ip -n "$SNS" addr add "$SERVER_IP6/64" dev eth0 nodad
	ip -n "$CNS" addr add "$CLIENT_IP/24" dev eth0
	ip -n "$CNS" addr add "$CLIENT_IP6/64" dev eth0 nodad
	ip -n "$SNS" link set eth0 up
	ip -n "$CNS" link set eth0 up
	# The LAN behind the gateway lives on the server's loopback (no dummy module here).
	local a
	for a in "$LAN_HOST" "$DNS" "$SALES_HOST" "$EXCLUDED_HOST"; do
		ip -n "$SNS" addr add "$a/32" dev lo
	done
	ip -n "$SNS" addr add "$LAN_HOST6/128" dev lo
	ip netns exec "$SNS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# The client's only way to the LAN range without the VPN: "the internet", where the
	# gateway's firewall lets only the excluded subnet through. So a packet for the excluded
	# host answers only when it goes outside the tunnel, and the LAN answers only through it.
	ip -n "$CNS" route add 203.0.113.0/24 via "$SERVER_IP" metric 1000
	ip netns exec "$SNS" nft -f - <<-EOF
		table inet lab {
			chain input {
				type filter hook input priority 0; policy accept;
				iifname "vpns*" ip daddr 203.0.113.192/26 reject with icmpx type admin-prohibited
				iifname "eth0" ip daddr 203.0.113.0/24 ip daddr != 203.0.113.192/26 reject with icmpx type admin-prohibited
				iifname "eth0" ip6 daddr 2001:db8:2::/64 reject with icmpx type admin-prohibited
			}
		}
	EOF
	mkdir -p "/etc/netns/$SNS" "/etc/netns/$CNS"
	cat >"/etc/netns/$CNS/hosts" <<-EOF
		127.0.0.1	localhost
		::1	localhost
		$SERVER_IP	$GATEWAY $UNTRUSTED_GATEWAY $OTP_GATEWAY
		$SERVER_IP6	$GATEWAY6
	EOF
	# No DNS server answers in the lab; a lookup that misses hosts fails at once.
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$SERVER_IP" >"/etc/netns/$CNS/resolv.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"/etc/netns/$SNS/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$SNS/resolv.conf"
}

# --- start --------------------------------------------------------------------------------

start_ocserv() {
	: >"$DIR/ocserv.log"
	rm -f "$DIR/ocserv.pid"
	# The working directory is the chroot: a vhost has no chroot-dir of its own, so ocserv
	# finds a vhost's user-profile relative to its working directory (and a worker relative
	# to the chroot).
	(cd "$DIR/chroot" && exec setsid ip netns exec "$SNS" ocserv -f -c "$DIR/ocserv.conf" >>"$DIR/ocserv.log" 2>&1 </dev/null) &
	local pid=$! i
	# ip netns exec execs ocserv, so $! is ocserv itself.
	echo "$pid" >"$DIR/ocserv.pid.lab"
	for i in $(seq 100); do
		if ! is_running "$pid"; then
			sed 's/^/  ocserv: /' "$DIR/ocserv.log" | tail -n 15 >&2
			die "ocserv exited during start-up (log: $DIR/ocserv.log)"
		fi
		if tls_ready; then
			OCSERV_PID=$pid
			return 0
		fi
		sleep 0.05
	done
	die "ocserv does not accept TLS after 5 s (log: $DIR/ocserv.log)"
}

tls_ready() {
	# A full handshake from the client namespace by name: proves address, hosts, cert and CA.
	# With a client certificate: a gateway configured to require one refuses the handshake
	# without.  Old versions and ciphers allowed: a test may make the gateway obsolete
	# (tls-priorities).
	ip netns exec "$CNS" gnutls-cli --x509cafile="$DIR/pki/lab-ca.pem" --port=443 \
		--x509certfile="$DIR/pki/client-alice.pem" --x509keyfile="$DIR/pki/client-alice.key" \
		--priority="$PROBE_PRIORITY" "$GATEWAY" </dev/null >/dev/null 2>&1
}

write_env() {
	local f=$DIR/lab.env.new
	{
		echo "# sslvpn lab $ID (tests/lab/lab.sh); safe to source"
		echo "LAB_DIR=$(q "$DIR")"
		echo "LAB_ID=$ID"
		echo "LAB_SRV_NS=$SNS"
		echo "LAB_CLI_NS=$CNS"
		echo "LAB_OWNER_PID=$OWNER"
		echo "LAB_SERVER_IP=$SERVER_IP"
		echo "LAB_SERVER_IP6=$SERVER_IP6"
		echo "LAB_CLIENT_IP=$CLIENT_IP"
		echo "LAB_CLIENT_IP6=$CLIENT_IP6"
		echo "LAB_CLIENT_IFACE=eth0"
		echo "LAB_PORT=443"
		echo "LAB_GATEWAY=$GATEWAY"
		echo "LAB_GATEWAY6=$GATEWAY6"
		echo "LAB_UNTRUSTED_GATEWAY=$UNTRUSTED_GATEWAY"
		echo "LAB_OTP_GATEWAY=$OTP_GATEWAY"
		echo "LAB_CA=$(q "$DIR/pki/lab-ca.pem")"
		echo "LAB_OTHER_CA=$(q "$DIR/pki/other-ca.pem")"
		echo "LAB_CA_FILE=$(q "$DIR/pki/lab-ca.pem")"
		echo "LAB_OTHER_CA_FILE=$(q "$DIR/pki/other-ca.pem")"
		echo "LAB_SERVER_CERT_PIN=$(cert_pin "$DIR/pki/vpn.pem")"
		echo "LAB_SERVER_CERT_SHA1=$(cert_sha1 "$DIR/pki/vpn.pem")"
		echo "LAB_UNTRUSTED_CERT_PIN=$(cert_pin "$DIR/pki/untrusted.pem")"
		echo "LAB_UNTRUSTED_CERT_SHA1=$(cert_sha1 "$DIR/pki/untrusted.pem")"
		echo "LAB_OTP_CERT_PIN=$(cert_pin "$DIR/pki/otp.pem")"
		echo "LAB_OTP_CERT_SHA1=$(cert_sha1 "$DIR/pki/otp.pem")"
		echo "LAB_CLIENT_CERT=$(q "$DIR/pki/client-alice.pem")"
		echo "LAB_CLIENT_KEY=$(q "$DIR/pki/client-alice.key")"
		echo "LAB_CLIENT_OTHER_CERT=$(q "$DIR/pki/client-other.pem")"
		echo "LAB_CLIENT_OTHER_KEY=$(q "$DIR/pki/client-other.key")"
		echo "LAB_USER=alice"
		echo "LAB_PASSWORD=alice-pass"
		echo "LAB_OTP_USER=bob"
		echo "LAB_OTP_PASSWORD=bob-pass"
		echo "LAB_OTP_SECRET=$OTP_SECRET"
		echo "LAB_OTP_TYPE=hotp"
		echo "LAB_GROUPS='engineering sales'"
		echo "LAB_GROUP_LABELS='Engineering Sales'"
		echo "LAB_GROUP_ENGINEERING_LABEL=Engineering"
		echo "LAB_GROUP_SALES_LABEL=Sales"
		echo "LAB_DEFAULT_GROUP=engineering"
		echo "LAB_LAN_HOST=$LAN_HOST"
		echo "LAB_LAN_HOST6=$LAN_HOST6"
		echo "LAB_SALES_HOST=$SALES_HOST"
		echo "LAB_EXCLUDED_HOST=$EXCLUDED_HOST"
		echo "LAB_ENGINEERING_ROUTES='203.0.113.0/24 2001:db8:2::/64'"
		echo "LAB_ENGINEERING_EXCLUDES='203.0.113.192/26'"
		echo "LAB_SALES_ROUTES='203.0.113.64/26'"
		echo "LAB_OUTSIDE_ROUTE='203.0.113.0/24 via $SERVER_IP metric 1000'"
		echo "LAB_VPN_POOL=198.51.100.0/24"
		echo "LAB_VPN_POOL6=2001:db8:100::/56"
		echo "LAB_DNS=$DNS"
		echo "LAB_DOMAIN=$DOMAIN"
		echo "LAB_BANNER=$(q "$BANNER")"
		echo "LAB_PRE_LOGIN_BANNER=$(q "$PRE_LOGIN_BANNER")"
		echo "LAB_PROFILE_PATH=$(q "$DIR/chroot/profile.xml")"
		echo "LAB_PROFILE_URI=/profiles/profile.xml"
		echo "LAB_PROFILE_SHA1=$(sha1sum "$DIR/chroot/profile.xml" | awk '{print toupper($1)}')"
		echo "LAB_OCSERV_CONF=$(q "$DIR/ocserv.conf")"
		echo "LAB_OCSERV_LOG=$(q "$DIR/ocserv.log")"
		echo "LAB_OCSERV_PID=$OCSERV_PID"
		echo "LAB_OCCTL_SOCKET=$(q "$DIR/occtl.sock")"
	} >"$f"
	mv -f "$f" "$DIR/lab.env"
}

# EXIT trap of `start`: a failed start leaves nothing behind but DIR.
start_failed() {
	[ "$1" = 0 ] || teardown_id "$ID" "$DIR"
}

cmd_start() {
	[ $# -ge 1 ] || usage
	need_root
	DIR=$1
	shift
	local extra=() group=() owner=
	while [ $# -gt 0 ]; do
		case $1 in
		--extra-config)
			[ $# -ge 2 ] && [ -r "$2" ] || die "--extra-config needs a readable file"
			extra+=("$(readlink -f "$2")")
			shift 2
			;;
		--group-config)
			[ $# -ge 2 ] && [ -r "$2" ] || die "--group-config needs a readable file"
			group+=("$(readlink -f "$2")")
			shift 2
			;;
		--no-dtls-psk)
			extra+=(--no-dtls-psk)
			shift
			;;
		--owner)
			[ $# -ge 2 ] && [ -d "/proc/$2" ] || die "--owner needs a live PID"
			owner=$2
			shift 2
			;;
		*) usage ;;
		esac
	done
	for c in ocserv occtl ocpasswd certtool gnutls-cli nft; do
		command -v "$c" >/dev/null || die "$c is not installed (scripts/install-deps.sh)"
	done
	mkdir -p "$DIR"
	DIR=$(readlink -f "$DIR")
	# lab.env values are bare or in single quotes, never escaped: keep them that simple.
	case $DIR in
	*[!A-Za-z0-9._/+-]*) die "$DIR: use a directory path of letters, digits and ._/+- only" ;;
	esac
	if [ -e "$DIR/lab.env" ] || [ -e "$DIR/.lab-id" ]; then
		local old
		old=$(env_get "$DIR" LAB_ID 2>/dev/null || cat "$DIR/.lab-id" 2>/dev/null || true)
		if [ -n "$old" ] && [ -e "/run/netns/$PREFIX-$old-s" ]; then
			die "$DIR holds a running lab ($old); stop it first"
		fi
	fi
	rm -rf "${DIR:?}/pki" "$DIR/auth" "$DIR/chroot" "$DIR/config-per-group" "$DIR/lab.env"

	mkdir -p "$REGISTRY"
	local i
	for i in $(seq 20); do
		ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
		# mkdir is atomic: two labs starting at once cannot take the same id.
		if [ ! -e "/run/netns/$PREFIX-$ID-s" ] && mkdir "$REGISTRY/$ID.lock" 2>/dev/null; then
			[ -e "$REGISTRY/$ID" ] || break
			rmdir "$REGISTRY/$ID.lock"
		fi
		ID=
	done
	[ -n "$ID" ] || die "no free lab id"
	SNS=$PREFIX-$ID-s
	CNS=$PREFIX-$ID-c
	OWNER=${owner:-$(find_owner)}
	printf 'dir=%s\nowner=%s\nowner_start=%s\n' "$DIR" "$OWNER" \
		"$(proc_start_time "$OWNER")" >"$REGISTRY/$ID"
	rmdir "$REGISTRY/$ID.lock"
	echo "$ID" >"$DIR/.lab-id"
	trap 'start_failed $?' EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT HUP

	: >"$DIR/extra.conf"
	: >"$DIR/extra-global.conf"
	: >"$DIR/extra-group.conf"
	for i in "${group[@]}"; do
		cat "$i" >>"$DIR/extra-group.conf"
		echo >>"$DIR/extra-group.conf"
	done
	for i in "${extra[@]}"; do
		if [ "$i" = --no-dtls-psk ]; then
			# A global-only option (a vhost section ignores it with a warning).
			echo "dtls-psk = false" >>"$DIR/extra-global.conf"
		else
			{
				echo "# from $i"
				cat "$i"
				echo
			} >>"$DIR/extra.conf"
		fi
	done

	mkdir -p "$DIR/pki" "$DIR/chroot"
	chmod 0700 "$DIR/pki"
	chmod 0755 "$DIR/chroot"
	make_ca lab-ca "sslvpn Lab CA"
	make_ca other-ca "sslvpn Other CA"
	make_server_cert vpn "$GATEWAY" lab-ca "$GATEWAY6"
	make_server_cert otp "$OTP_GATEWAY" lab-ca
	make_server_cert untrusted "$UNTRUSTED_GATEWAY" other-ca
	make_client_cert client-alice alice lab-ca
	make_client_cert client-other alice other-ca
	write_users
	write_groups
	write_profile
	write_config
	make_net
	start_ocserv
	write_env
	trap - EXIT
}

# --- commands on a running lab ------------------------------------------------------------

load_lab() {
	need_root
	DIR=$(readlink -f "$1")
	[ -r "$DIR/lab.env" ] || die "$1: no lab here (missing lab.env)"
	ID=$(env_get "$DIR" LAB_ID)
	SNS=$(env_get "$DIR" LAB_SRV_NS)
	CNS=$(env_get "$DIR" LAB_CLI_NS)
	OCSERV_PID=$(env_get "$DIR" LAB_OCSERV_PID)
	[ -e "/run/netns/$SNS" ] || die "lab $ID is not running"
}

cmd_otp() {
	[ $# = 1 ] || usage
	load_lab "$1"
	local f=$DIR/auth/users.otp secret counter
	secret=$(awk '$2 == "bob" {print $4}' "$f")
	# Field 5 is the counter of the last accepted code; the next one is valid.
	counter=$(awk '$2 == "bob" {print $5}' "$f")
	if [ -n "$counter" ]; then
		counter=$((counter + 1))
	else
		counter=0
	fi
	oathtool --hotp --counter="$counter" "$secret"
}

# SIGHUP: ocserv re-reads the configuration, the profile and the certificate files; sessions
# stay up.
# Stops ocserv and starts it again with the same configuration: every session and cookie is
# gone (a gateway reboot), while namespaces and addresses stay.
cmd_restart() {
	local sig=TERM
	if [ "${1:-}" = --crash ]; then
		# Like a power cut: no DISCONNECT to the clients, their TCP connections just die.
		sig=KILL
		shift
	fi
	[ $# = 1 ] || usage
	load_lab "$1"
	local i p
	if [ $sig = KILL ]; then
		for p in $(ip netns pids "$SNS" 2>/dev/null); do
			case $(cat "/proc/$p/comm" 2>/dev/null) in ocserv*) kill -KILL "$p" 2>/dev/null || true ;; esac
		done
	fi
	kill -$sig "$OCSERV_PID" 2>/dev/null || true
	for i in $(seq 100); do
		is_running "$OCSERV_PID" || break
		sleep 0.05
	done
	# Session workers that outlive the main process would keep serving old tunnels.
	for p in $(ip netns pids "$SNS" 2>/dev/null); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in ocserv*) kill -KILL "$p" 2>/dev/null || true ;; esac
	done
	start_ocserv
	sed -i "s/^LAB_OCSERV_PID=.*/LAB_OCSERV_PID=$OCSERV_PID/" "$DIR/lab.env"
}

cmd_reload() {
	[ $# = 1 ] || usage
	load_lab "$1"
	kill -HUP "$OCSERV_PID"
	wait_reloaded
}

wait_reloaded() {
	# No reply to wait for: give the main process a moment, then prove TLS still works.
	local i
	sleep 0.2
	for i in $(seq 40); do
		tls_ready && return 0
		sleep 0.05
	done
	die "ocserv does not accept TLS after reload (log: $DIR/ocserv.log)"
}

cmd_rotate_cert() {
	[ $# = 2 ] || usage
	load_lab "$1"
	local vhost=$2 name ca key alt=
	case $vhost in
	"$GATEWAY") name=vpn ca=lab-ca key=LAB_SERVER alt=$GATEWAY6 ;;
	"$OTP_GATEWAY") name=otp ca=lab-ca key=LAB_OTP ;;
	"$UNTRUSTED_GATEWAY") name=untrusted ca=other-ca key=LAB_UNTRUSTED ;;
	*) die "unknown virtual host $vhost" ;;
	esac
	make_server_cert "$name" "$vhost" "$ca" $alt
	kill -HUP "$OCSERV_PID"
	wait_reloaded
	sed -i -e "s|^${key}_CERT_PIN=.*|${key}_CERT_PIN=$(cert_pin "$DIR/pki/$name.pem")|" \
		-e "s|^${key}_CERT_SHA1=.*|${key}_CERT_SHA1=$(cert_sha1 "$DIR/pki/$name.pem")|" \
		"$DIR/lab.env"
}

cmd_set_profile() {
	[ $# = 2 ] || usage
	load_lab "$1"
	[ -r "$2" ] || die "$2: cannot read"
	cp "$2" "$DIR/chroot/profile.xml.new"
	chmod 0644 "$DIR/chroot/profile.xml.new"
	# rename() also replaces the symlink break-profile may have left.
	mv -f "$DIR/chroot/profile.xml.new" "$DIR/chroot/profile.xml"
	rm -f "$DIR/profile-outside-chroot.xml"
	kill -HUP "$OCSERV_PID"
	wait_reloaded
	sed -i "s|^LAB_PROFILE_SHA1=.*|LAB_PROFILE_SHA1=$(sha1sum "$DIR/chroot/profile.xml" |
		awk '{print toupper($1)}')|" "$DIR/lab.env"
}

# Every ocserv worker re-reads the configuration and hashes the profile when it starts (as
# root, before its chroot); if it cannot, it drops the connection before TLS. The GET is
# served later, from inside the chroot, as user ocserv. So:
#  default:     profile.xml becomes an absolute symlink to a file outside the chroot: the
#               hash still works, the GET answers 404 "Not found" (Connection: close).
#  --truncated: profile.xml becomes root-only (0600): the GET answers 200 with the full
#               Content-Length and then closes the connection without sending a byte.
cmd_break_profile() {
	[ $# -ge 1 ] && [ $# -le 2 ] || usage
	load_lab "$1"
	local p=$DIR/chroot/profile.xml out=$DIR/profile-outside-chroot.xml
	if [ -L "$p" ]; then
		rm -f "$p"
		mv -f "$out" "$p"
	fi
	chmod 0644 "$p"
	case ${2:-} in
	"")
		mv -f "$p" "$out"
		ln -s "$out" "$p"
		;;
	--truncated) chmod 0600 "$p" ;;
	*) usage ;;
	esac
}

cmd_occtl() {
	[ $# -ge 1 ] || usage
	load_lab "$1"
	shift
	exec ip netns exec "$SNS" occtl -s "$DIR/occtl.sock" "$@"
}

cmd_env() {
	[ $# = 1 ] || usage
	load_lab "$1"
	cat "$DIR/lab.env"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
gc) cmd_gc "$@" ;;
otp) cmd_otp "$@" ;;
reload) cmd_reload "$@" ;;
restart) cmd_restart "$@" ;;
rotate-cert) cmd_rotate_cert "$@" ;;
set-profile) cmd_set_profile "$@" ;;
break-profile) cmd_break_profile "$@" ;;
occtl) cmd_occtl "$@" ;;
env) cmd_env "$@" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
