// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "helper-conn-priv.h"
#include "log.h"

void helper_conn_props_mark(struct helper_conn *c, enum helper_conn_prop p)
{
	c->dirty |= UINT64_C(1) << p;
}

void helper_conn_props_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void set_address_strings(struct helper_conn *c)
{
	char buf[INET6_ADDRSTRLEN];

	c->address[0] = c->address6[0] = '\0';
	if (c->cfg && c->cfg->has_addr4)
		snprintf(c->address, sizeof(c->address), "%s/%u",
		         inet_ntop(AF_INET, &c->cfg->addr4, buf, sizeof(buf)), c->cfg->prefix4);
	if (c->cfg && c->cfg->has_addr6)
		snprintf(c->address6, sizeof(c->address6), "%s/%u",
		         inet_ntop(AF_INET6, &c->cfg->addr6, buf, sizeof(buf)), c->cfg->prefix6);
	helper_conn_props_mark(c, HELPER_CONN_PROP_ADDRESS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_ADDRESS6);
}

static char **dns_strings(const struct tunnel_config *cfg)
{
	char **v = calloc(cfg->n_dns4 + cfg->n_dns6 + 1, sizeof(char *));
	char buf[INET6_ADDRSTRLEN];
	size_t n = 0;

	if (!v)
		return NULL;
	for (unsigned i = 0; i < cfg->n_dns4; i++)
		if (!(v[n++] = strdup(inet_ntop(AF_INET, &cfg->dns4[i], buf, sizeof(buf)))))
			return helper_conn_props_strv_free(v), NULL;
	for (unsigned i = 0; i < cfg->n_dns6; i++)
		if (!(v[n++] = strdup(inet_ntop(AF_INET6, &cfg->dns6[i], buf, sizeof(buf)))))
			return helper_conn_props_strv_free(v), NULL;
	return v;
}

/* One line for each family tunnel_config_drop_unusable() left out; logged here, once per
 * applied configuration. */
static char **warning_strings(const struct helper_conn *c, const struct tunnel_config *cfg)
{
	static const int families[] = {AF_INET, AF_INET6};
	char **v = calloc(sizeof(families) / sizeof(families[0]) + 1, sizeof(char *));
	char buf[256];
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (!tunnel_config_dropped_text(cfg, families[i], buf, sizeof(buf)))
			continue;
		log_warning("connection %u: %s", c->id, buf);
		if (!(v[n++] = strdup(buf)))
			return helper_conn_props_strv_free(v), NULL;
	}
	return v;
}

static char **domain_strings(const struct tunnel_config *cfg)
{
	char **v = calloc(cfg->n_domains + 1, sizeof(char *));

	if (!v)
		return NULL;
	for (unsigned i = 0; i < cfg->n_domains; i++)
		if (!(v[i] = strdup(cfg->domains[i])))
			return helper_conn_props_strv_free(v), NULL;
	return v;
}

int helper_conn_props_set_config(struct helper_conn *c, const struct tunnel_config *cfg)
{
	free(c->banner);
	c->banner = strdup(cfg->banner);
	helper_conn_props_strv_free(c->routes);
	helper_conn_props_strv_free(c->dns_servers);
	helper_conn_props_strv_free(c->domains);
	helper_conn_props_strv_free(c->warnings);
	c->routes = helper_netcfg_route_strings(cfg);
	c->dns_servers = dns_strings(cfg);
	c->domains = domain_strings(cfg);
	c->warnings = warning_strings(c, cfg);
	if (!c->routes || !c->dns_servers || !c->domains || !c->warnings || !c->banner)
		return -ERR_NOMEM;
	set_address_strings(c);
	helper_conn_props_mark(c, HELPER_CONN_PROP_MTU);
	helper_conn_props_mark(c, HELPER_CONN_PROP_ROUTES);
	helper_conn_props_mark(c, HELPER_CONN_PROP_DNS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_DOMAINS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_WARNINGS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_BANNER);
	return 0;
}

/* Clears what describes the applied network configuration. */
void helper_conn_props_clear_network(struct helper_conn *c)
{
	helper_conn_props_strv_free(c->routes);
	helper_conn_props_strv_free(c->dns_servers);
	helper_conn_props_strv_free(c->domains);
	helper_conn_props_strv_free(c->warnings);
	c->routes = c->dns_servers = c->domains = c->warnings = NULL;
	c->mtu = 0;
	c->address[0] = c->address6[0] = '\0';
	helper_conn_props_mark(c, HELPER_CONN_PROP_ROUTES);
	helper_conn_props_mark(c, HELPER_CONN_PROP_DNS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_DOMAINS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_WARNINGS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_MTU);
	helper_conn_props_mark(c, HELPER_CONN_PROP_ADDRESS);
	helper_conn_props_mark(c, HELPER_CONN_PROP_ADDRESS6);
}

static bool get_state(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it,
	                                helper_conn_state_name(((struct helper_conn *)o)->state));
}

static bool get_transport(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->transport);
}

static bool get_gateway(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->opts->gateway);
}

static bool get_interface(void *o, DBusMessageIter *it)
{
	struct helper_conn *c = o;

	return helper_bus_append_string(it, c->tun_fd >= 0 ? c->ifname : "");
}

static bool get_address(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->address);
}

static bool get_address6(void *o, DBusMessageIter *it)
{
	return helper_bus_append_string(it, ((struct helper_conn *)o)->address6);
}

static bool get_mtu(void *o, DBusMessageIter *it)
{
	dbus_uint32_t v = ((struct helper_conn *)o)->mtu;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &v);
}

static bool get_routes(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->routes);
}

static bool get_dns(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->dns_servers);
}

static bool get_domains(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->domains);
}

static bool get_warnings(void *o, DBusMessageIter *it)
{
	return helper_bus_append_strv(it, ((struct helper_conn *)o)->warnings);
}

static bool get_banner(void *o, DBusMessageIter *it)
{
	struct helper_conn *c = o;

	return helper_bus_append_string(it, c->banner ? c->banner : "");
}

static bool get_bytes_sent(void *o, DBusMessageIter *it)
{
	dbus_uint64_t v = ((struct helper_conn *)o)->tx;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool get_bytes_received(void *o, DBusMessageIter *it)
{
	dbus_uint64_t v = ((struct helper_conn *)o)->rx;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool get_connected_since(void *o, DBusMessageIter *it)
{
	dbus_uint64_t v = ((struct helper_conn *)o)->connected_since;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT64, &v);
}

static bool get_last_error(void *o, DBusMessageIter *it)
{
	struct helper_conn *c = o;

	return helper_bus_append_string(it, c->last_error ? error_name(c->last_error) : "");
}

static bool get_owner(void *o, DBusMessageIter *it)
{
	dbus_uint32_t v = ((struct helper_conn *)o)->owner;

	return dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &v);
}

const struct helper_bus_property helper_conn_props_table[HELPER_CONN_PROP_COUNT_] = {
    [HELPER_CONN_PROP_STATE] = {"State", "s", get_state},
    [HELPER_CONN_PROP_TRANSPORT] = {"Transport", "s", get_transport},
    [HELPER_CONN_PROP_GATEWAY] = {"Gateway", "s", get_gateway},
    [HELPER_CONN_PROP_INTERFACE] = {"Interface", "s", get_interface},
    [HELPER_CONN_PROP_ADDRESS] = {"Address", "s", get_address},
    [HELPER_CONN_PROP_ADDRESS6] = {"Address6", "s", get_address6},
    [HELPER_CONN_PROP_MTU] = {"Mtu", "u", get_mtu},
    [HELPER_CONN_PROP_ROUTES] = {"Routes", "as", get_routes},
    [HELPER_CONN_PROP_DNS] = {"Dns", "as", get_dns},
    [HELPER_CONN_PROP_DOMAINS] = {"Domains", "as", get_domains},
    [HELPER_CONN_PROP_BANNER] = {"Banner", "s", get_banner},
    [HELPER_CONN_PROP_BYTES_SENT] = {"BytesSent", "t", get_bytes_sent},
    [HELPER_CONN_PROP_BYTES_RECEIVED] = {"BytesReceived", "t", get_bytes_received},
    [HELPER_CONN_PROP_CONNECTED_SINCE] = {"ConnectedSince", "t", get_connected_since},
    [HELPER_CONN_PROP_LAST_ERROR] = {"LastError", "s", get_last_error},
    [HELPER_CONN_PROP_OWNER] = {"Owner", "u", get_owner},
    [HELPER_CONN_PROP_WARNINGS] = {"Warnings", "as", get_warnings},
};
