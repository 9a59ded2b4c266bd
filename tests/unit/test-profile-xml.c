// SPDX-License-Identifier: GPL-2.0-or-later
#include <glib.h>
#include <string.h>

#include "error.h"
#include "profile-xml.h"
#include "unit-helper.h"

static int parse(const char *rel, struct profile_host **h, size_t *n)
{
	g_autofree char *path = g_build_filename("profile", rel, NULL);
	gsize len;
	g_autofree char *data = unit_load_data(path, &len);

	return profile_xml_parse_servers(data, len, h, n);
}

static void test_cisco_profile(void)
{
	struct profile_host *h;
	size_t n;

	g_assert_cmpint(parse("cisco-profile.xml", &h, &n), ==, 0);
	/* the entry without HostName is skipped */
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpstr(h[0].name, ==, "Corporate VPN");
	g_assert_cmpstr(h[0].address, ==, "vpn.example.com");
	g_assert_null(h[0].user_group);
	g_assert_cmpstr(h[1].name, ==, "Engineering");
	/* the backup list's HostAddress is not the entry's */
	g_assert_cmpstr(h[1].address, ==, "vpn.example.com");
	g_assert_cmpstr(h[1].user_group, ==, "engineering");
	g_assert_cmpstr(h[2].name, ==, "Lab Gateway");
	g_assert_cmpstr(h[2].address, ==, "192.0.2.1:8443");
	g_assert_cmpstr(h[2].user_group, ==, "lab/otp");
	g_assert_cmpstr(h[3].name, ==, "vpn-eu.example.com");
	g_assert_cmpstr(h[3].address, ==, "vpn-eu.example.com");
	profile_xml_hosts_free(h, n);
}

static void test_namespaces(void)
{
	struct profile_host *h;
	size_t n;

	g_assert_cmpint(parse("prefixed-ns.xml", &h, &n), ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpstr(h[0].name, ==, "Prefixed");
	g_assert_cmpstr(h[0].address, ==, "p.example.com");
	g_assert_cmpstr(h[0].user_group, ==, "grp");
	profile_xml_hosts_free(h, n);

	g_assert_cmpint(parse("no-ns.xml", &h, &n), ==, 0);
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpstr(h[0].address, ==, "plain.example.com");
	profile_xml_hosts_free(h, n);

	g_assert_cmpint(parse("no-serverlist.xml", &h, &n), ==, 0);
	g_assert_cmpuint(n, ==, 0);
	g_assert_null(h);
}

static void test_rejected(void)
{
	struct profile_host *h = (void *)1;
	size_t n = 99;

	g_assert_cmpint(parse("wrong-root.xml", &h, &n), ==, -ERR_PROTOCOL);
	g_assert_null(h);
	g_assert_cmpuint(n, ==, 0);
	g_assert_cmpint(parse("doctype.xml", &h, &n), ==, -ERR_PROTOCOL);
	g_assert_cmpint(parse("bad-address.xml", &h, &n), ==, -ERR_PROTOCOL);
	g_assert_null(h);
	g_assert_cmpint(profile_xml_parse_servers("<AnyConnectProfile>", 19, &h, &n), ==,
	                -ERR_PROTOCOL);
	g_assert_cmpint(profile_xml_parse_servers("", 0, &h, &n), ==, -ERR_PROTOCOL);
	g_assert_cmpint(profile_xml_parse_servers("<a/>", 4, NULL, &n), ==, -ERR_INVALID_ARGS);
}

static void test_limits(void)
{
	GString *s = g_string_new("<AnyConnectProfile><ServerList>");
	struct profile_host *h;
	size_t n;
	char *big;

	for (int i = 0; i < PROFILE_XML_MAX_HOSTS; i++)
		g_string_append_printf(s, "<HostEntry><HostName>h%d</HostName></HostEntry>", i);
	g_string_append(s, "</ServerList></AnyConnectProfile>");
	g_assert_cmpint(profile_xml_parse_servers(s->str, s->len, &h, &n), ==, 0);
	g_assert_cmpuint(n, ==, PROFILE_XML_MAX_HOSTS);
	g_assert_cmpstr(h[PROFILE_XML_MAX_HOSTS - 1].name, ==, "h255");
	profile_xml_hosts_free(h, n);

	g_string_truncate(s, s->len - strlen("</ServerList></AnyConnectProfile>"));
	g_string_append(s, "<HostEntry><HostName>x</HostName></HostEntry>"
	                   "</ServerList></AnyConnectProfile>");
	g_assert_cmpint(profile_xml_parse_servers(s->str, s->len, &h, &n), ==, -ERR_TOO_LARGE);
	g_string_free(s, TRUE);

	s = g_string_new("<AnyConnectProfile><ServerList><HostEntry><HostName>");
	for (int i = 0; i < PROFILE_XML_MAX_STRING + 1; i++)
		g_string_append_c(s, 'n');
	g_string_append(s, "</HostName></HostEntry></ServerList></AnyConnectProfile>");
	g_assert_cmpint(profile_xml_parse_servers(s->str, s->len, &h, &n), ==, -ERR_PROTOCOL);
	g_string_free(s, TRUE);

	big = g_malloc0(PROFILE_XML_MAX_SIZE + 1);
	memset(big, ' ', PROFILE_XML_MAX_SIZE + 1);
	g_assert_cmpint(profile_xml_parse_servers(big, PROFILE_XML_MAX_SIZE + 1, &h, &n), ==,
	                -ERR_TOO_LARGE);
	g_free(big);
}

/* The profile ocserv 1.1.6 served in the lab (tests/data/ocserv/profile-get.xml). */
static void test_real_ocserv(void)
{
	gsize len;
	g_autofree char *data = unit_load_data("ocserv/profile-get.xml", &len);
	struct profile_host *h;
	size_t n;

	g_assert_cmpint(profile_xml_parse_servers(data, len, &h, &n), ==, 0);
	g_assert_cmpuint(n, ==, 2);
	g_assert_cmpstr(h[0].name, ==, "Lab VPN");
	g_assert_cmpstr(h[0].address, ==, "vpn.lab.test");
	g_assert_null(h[0].user_group);
	g_assert_cmpstr(h[1].name, ==, "Lab VPN (untrusted)");
	g_assert_cmpstr(h[1].address, ==, "untrusted.lab.test");
	profile_xml_hosts_free(h, n);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/profile-xml/cisco", test_cisco_profile);
	g_test_add_func("/profile-xml/namespaces", test_namespaces);
	g_test_add_func("/profile-xml/rejected", test_rejected);
	g_test_add_func("/profile-xml/limits", test_limits);
	g_test_add_func("/profile-xml/real-ocserv", test_real_ocserv);
	return g_test_run();
}
