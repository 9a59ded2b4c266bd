#!/bin/sh
# A minimal replacement for vpnc-script, for openconnect in the lab's client namespace:
# addresses, MTU and split-include routes with `ip`, nothing else (no DNS, no exclude routes).
# If OC_SCRIPT_LOG is set, every call appends "reason=..." and the environment openconnect
# passed (the gateway's pushed settings) to that file, so a test can read what was pushed.
# shellcheck disable=SC2154 # reason, TUNDEV, ... come from openconnect; addr/len from eval
if [ -n "${OC_SCRIPT_LOG:-}" ]; then
	{
		echo "reason=$reason"
		env | grep -E '^(TUNDEV|VPNGATEWAY|INTERNAL_IP|CISCO_|IDLE_TIMEOUT|LOG_LEVEL)' | sort
		echo
	} >>"$OC_SCRIPT_LOG"
fi

case $reason in
connect)
	ip link set dev "$TUNDEV" up mtu "${INTERNAL_IP4_MTU:-1300}"
	if [ -n "${INTERNAL_IP4_ADDRESS:-}" ]; then
		ip addr add "$INTERNAL_IP4_ADDRESS/32" dev "$TUNDEV"
	fi
	if [ -n "${INTERNAL_IP6_NETMASK:-}" ]; then
		ip -6 addr add "$INTERNAL_IP6_NETMASK" dev "$TUNDEV" nodad
	elif [ -n "${INTERNAL_IP6_ADDRESS:-}" ]; then
		ip -6 addr add "$INTERNAL_IP6_ADDRESS/128" dev "$TUNDEV" nodad
	fi
	i=0
	while [ "$i" -lt "${CISCO_SPLIT_INC:-0}" ]; do
		eval "addr=\$CISCO_SPLIT_INC_${i}_ADDR len=\$CISCO_SPLIT_INC_${i}_MASKLEN"
		ip route replace "$addr/$len" dev "$TUNDEV"
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "${CISCO_IPV6_SPLIT_INC:-0}" ]; do
		eval "addr=\$CISCO_IPV6_SPLIT_INC_${i}_ADDR len=\$CISCO_IPV6_SPLIT_INC_${i}_MASKLEN"
		ip -6 route replace "$addr/$len" dev "$TUNDEV"
		i=$((i + 1))
	done
	;;
disconnect)
	# The tun device and its routes vanish when openconnect closes it.
	;;
esac
exit 0
