// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>

#include "error.h"
#include "helper-conn-priv.h"
#include "log.h"
#include "mtu.h"

void helper_conn_net_undo(struct helper_conn *c)
{
	if (c->dns)
		helper_dns_undo(c->dns);
	if (c->net)
		helper_netcfg_undo(c->net);
}

int helper_conn_net_apply(struct helper_conn *c, struct tunnel_config *cfg)
{
	uint32_t mtu = cfg->mtu;
	int r;

	if (c->early_mtu && mtu_valid_tunnel(c->early_mtu, cfg->has_addr6))
		mtu = c->early_mtu;
	r = helper_netcfg_apply(c->net, cfg, c->gw_family, &c->gw, mtu);
	if (r == 0)
		r = helper_dns_apply(c->dns, c->ifindex, c->ifname, cfg);
	if (r < 0)
		return r;
	tunnel_config_free(c->cfg);
	c->cfg = cfg;
	c->mtu = mtu;
	return helper_conn_props_set_config(c, cfg);
}

int helper_conn_net_on_config(struct helper_conn *c, struct tunnel_config *new_cfg)
{
	_cleanup_(tunnel_config_freep) struct tunnel_config *cfg = new_cfg;
	int r;

	if (c->cfg && tunnel_config_equal(c->cfg, cfg)) {
		log_info("connection %u: configuration unchanged after reconnecting", c->id);
		helper_conn_maybe_connected(c);
		return 0;
	}
	if (c->cfg) {
		/* The gateway changed its mind on reconnect: start over from a clean system. */
		log_notice("connection %u: the gateway sent a new configuration; reapplying",
		           c->id);
		helper_conn_net_undo(c);
		tunnel_config_free(steal_ptr(&c->cfg));
		helper_conn_props_clear_network(c);
	}
	r = helper_conn_net_apply(c, cfg);
	if (c->cfg == cfg)
		cfg = NULL; /* c->cfg now, also when only its properties failed */
	if (r < 0) {
		log_error("connection %u: cannot configure the network: %s", c->id, error_text(r));
		return r == -ERR_NOMEM ? r : -ERR_NETWORK_CONFIG;
	}
	log_notice("connection %u: %s configured (%s%s%s, MTU %u)", c->id, c->ifname, c->address,
	           c->address[0] && c->address6[0] ? ", " : "", c->address6, c->mtu);
	helper_conn_maybe_connected(c);
	return 0;
}
