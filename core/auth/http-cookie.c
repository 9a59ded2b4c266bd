// SPDX-License-Identifier: GPL-2.0-or-later
#include "http-cookie.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "http-response.h"
#include "http-token.h"

struct cookie {
	char *name;
	struct secret *value;
};

struct http_cookie_jar {
	struct cookie items[HTTP_COOKIE_MAX_COUNT];
	size_t n;
	size_t total; /* length of the formatted header */
};

struct http_cookie_jar *http_cookie_jar_new(void)
{
	return calloc(1, sizeof(struct http_cookie_jar));
}

static void cookie_release(struct cookie *c)
{
	free(c->name);
	secret_free(c->value);
	c->name = NULL;
	c->value = NULL;
}

void http_cookie_jar_clear(struct http_cookie_jar *jar)
{
	if (!jar)
		return;
	for (size_t i = 0; i < jar->n; i++)
		cookie_release(&jar->items[i]);
	jar->n = 0;
	jar->total = 0;
}

void http_cookie_jar_free(struct http_cookie_jar *jar)
{
	if (!jar)
		return;
	http_cookie_jar_clear(jar);
	free(jar);
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_value_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

static int check_value(const char *v, size_t len)
{
	if (len > HTTP_COOKIE_MAX_VALUE)
		return -ERR_TOO_LARGE;
	for (size_t i = 0; i < len; i++)
		if (!is_value_char((unsigned char)v[i]))
			return -ERR_PROTOCOL;
	return 0;
}

static int check_name(const char *n, size_t len)
{
	if (len > HTTP_COOKIE_MAX_NAME)
		return -ERR_TOO_LARGE;
	return http_token_valid(n, len) ? 0 : -ERR_PROTOCOL;
}

/* Bytes one cookie adds to the formatted header: "name=value" plus "; " between cookies. */
static size_t cookie_cost(size_t name_len, size_t value_len)
{
	return name_len + 1 + value_len + 2;
}

static struct cookie *find(const struct http_cookie_jar *jar, const char *name, size_t name_len)
{
	for (size_t i = 0; i < jar->n; i++) {
		const struct cookie *c = &jar->items[i];

		if (strlen(c->name) == name_len && memcmp(c->name, name, name_len) == 0)
			return (struct cookie *)c;
	}
	return NULL;
}

static void jar_delete(struct http_cookie_jar *jar, const char *name, size_t name_len)
{
	struct cookie *c = find(jar, name, name_len);
	size_t idx;

	if (!c)
		return;
	idx = (size_t)(c - jar->items);
	jar->total -= cookie_cost(name_len, secret_len(c->value));
	cookie_release(c);
	memmove(&jar->items[idx], &jar->items[idx + 1], (jar->n - idx - 1) * sizeof(*c));
	jar->n--;
	jar->items[jar->n] = (struct cookie){0};
}

/* name and value already checked. */
static int jar_store(struct http_cookie_jar *jar, const char *name, size_t name_len,
                     const char *value, size_t value_len)
{
	struct cookie *c = find(jar, name, name_len);
	size_t cost = cookie_cost(name_len, value_len);
	size_t old = c ? cookie_cost(name_len, secret_len(c->value)) : 0;
	struct secret *v;

	if (jar->total - old + cost > HTTP_COOKIE_MAX_TOTAL)
		return -ERR_TOO_LARGE;
	if (!c && jar->n >= HTTP_COOKIE_MAX_COUNT)
		return -ERR_TOO_LARGE;
	v = secret_new(value, value_len);
	if (!v)
		return -ERR_NOMEM;
	if (c) {
		secret_free(c->value);
		c->value = v;
	} else {
		char *n = strndup(name, name_len);

		if (!n) {
			secret_free(v);
			return -ERR_NOMEM;
		}
		jar->items[jar->n].name = n;
		jar->items[jar->n].value = v;
		jar->n++;
	}
	jar->total = jar->total - old + cost;
	return 0;
}

int http_cookie_jar_set(struct http_cookie_jar *jar, const char *name, const char *value)
{
	size_t nlen, vlen;
	int ret;

	if (!jar || !name || !value)
		return -ERR_INVALID_ARGS;
	nlen = strnlen(name, HTTP_COOKIE_MAX_NAME + 1);
	vlen = strnlen(value, HTTP_COOKIE_MAX_VALUE + 1);
	ret = check_name(name, nlen);
	if (ret == 0)
		ret = check_value(value, vlen);
	if (ret < 0)
		return ret == -ERR_PROTOCOL ? -ERR_INVALID_ARGS : ret;
	if (vlen == 0) {
		jar_delete(jar, name, nlen);
		return 0;
	}
	return jar_store(jar, name, nlen, value, vlen);
}

const char *http_cookie_jar_get(const struct http_cookie_jar *jar, const char *name)
{
	const struct cookie *c;

	if (!jar || !name)
		return NULL;
	c = find(jar, name, strlen(name));
	return c ? secret_str(c->value) : NULL;
}

size_t http_cookie_jar_count(const struct http_cookie_jar *jar)
{
	return jar ? jar->n : 0;
}

struct secret *http_cookie_jar_format(const struct http_cookie_jar *jar)
{
	struct secret *s;
	char *buf;
	size_t pos = 0;

	if (!jar)
		return NULL;
	/* jar->total counts a "; " after every cookie: enough room for the NUL too. */
	buf = malloc(jar->total + 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < jar->n; i++) {
		const struct cookie *c = &jar->items[i];
		size_t nl = strlen(c->name), vl = secret_len(c->value);

		if (i) {
			memcpy(buf + pos, "; ", 2);
			pos += 2;
		}
		memcpy(buf + pos, c->name, nl);
		pos += nl;
		buf[pos++] = '=';
		memcpy(buf + pos, secret_str(c->value), vl);
		pos += vl;
	}
	s = secret_new(buf, pos);
	secret_wipe(buf, jar->total + 1);
	free(buf);
	return s;
}

/* ---- RFC 6265 5.1.1 cookie-date ---- */

static bool is_date_delim(unsigned char c)
{
	return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads min..max digits at *p followed by end-of-token or a non-digit. */
static bool read_digits(const char **p, const char *end, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (*p < end && is_digit(**p) && n < max) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min || (*p < end && is_digit(**p)))
		return false;
	*out = v;
	return true;
}

static bool date_time_token(const char *p, const char *end, int *h, int *m, int *s)
{
	if (!read_digits(&p, end, 1, 2, h) || p >= end || *p++ != ':')
		return false;
	if (!read_digits(&p, end, 1, 2, m) || p >= end || *p++ != ':')
		return false;
	return read_digits(&p, end, 1, 2, s);
}

static int date_month_token(const char *p, const char *end)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	if (end - p < 3)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strncasecmp(p, months + 3 * i, 3) == 0)
			return i;
	return -1;
}

static bool cookie_date_parse(const char *s, size_t len, time_t *out)
{
	const char *p = s, *end = s + len;
	bool have_time = false, have_day = false, have_month = false, have_year = false;
	int hour = 0, min = 0, sec = 0, day = 0, month = 0, year = 0;
	struct tm tm = {0};
	time_t t;

	while (p < end) {
		const char *tok, *tend;

		while (p < end && is_date_delim((unsigned char)*p))
			p++;
		tok = p;
		while (p < end && !is_date_delim((unsigned char)*p))
			p++;
		tend = p;
		if (tok == tend)
			continue;
		if (!have_time && date_time_token(tok, tend, &hour, &min, &sec)) {
			have_time = true;
			continue;
		}
		if (!have_day) {
			const char *q = tok;

			if (read_digits(&q, tend, 1, 2, &day)) {
				have_day = true;
				continue;
			}
		}
		if (!have_month && (month = date_month_token(tok, tend)) >= 0) {
			have_month = true;
			continue;
		}
		if (!have_year) {
			const char *q = tok;

			if (read_digits(&q, tend, 2, 4, &year))
				have_year = true;
		}
	}
	if (!have_time || !have_day || !have_month || !have_year)
		return false;
	if (year >= 70 && year <= 99)
		year += 1900;
	else if (year >= 0 && year <= 69)
		year += 2000;
	if (day < 1 || day > 31 || year < 1601 || hour > 23 || min > 59 || sec > 59)
		return false;
	tm.tm_year = year - 1900;
	tm.tm_mon = month;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1 && year != 1969)
		return false;
	*out = t;
	return true;
}

/* Max-Age: an optional '-' then digits.  Returns false if malformed (then it is ignored). */
static bool parse_max_age(const char *p, const char *end, bool *expired)
{
	bool neg = false;
	bool any = false, nonzero = false;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	for (; p < end; p++) {
		if (!is_digit(*p))
			return false;
		any = true;
		nonzero |= *p != '0';
	}
	if (!any)
		return false;
	*expired = neg || !nonzero;
	return true;
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_wsp(**b))
		(*b)++;
	while (*e > *b && is_wsp((*e)[-1]))
		(*e)--;
}

/* Walks the attributes after the first ';' and tells whether they expire the cookie. */
static bool attributes_expire(const char *p, const char *end)
{
	bool have_max_age = false, max_age_expired = false;
	bool have_expires = false, expires_expired = false;

	while (p < end) {
		const char *a = p, *aend, *eq, *nend, *v;

		while (p < end && *p != ';')
			p++;
		aend = p;
		if (p < end)
			p++;
		eq = memchr(a, '=', (size_t)(aend - a));
		nend = eq ? eq : aend;
		trim(&a, &nend);
		v = eq ? eq + 1 : aend;
		{
			const char *vend = aend;

			trim(&v, &vend);
			if (nend - a == 7 && strncasecmp(a, "max-age", 7) == 0) {
				bool e;

				if (parse_max_age(v, vend, &e)) {
					have_max_age = true;
					max_age_expired = e;
				}
			} else if (nend - a == 7 && strncasecmp(a, "expires", 7) == 0) {
				time_t t;

				if (cookie_date_parse(v, (size_t)(vend - v), &t)) {
					have_expires = true;
					expires_expired = t <= time(NULL);
				}
			}
		}
	}
	if (have_max_age)
		return max_age_expired;
	return have_expires && expires_expired;
}

size_t http_cookie_jar_set_from(struct http_cookie_jar *jar, const struct http_response *resp)
{
	size_t n = http_response_header_count(resp), refused = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name, *value;

		if (http_response_header_at(resp, i, &name, &value) == 0 &&
		    strcasecmp(name, "Set-Cookie") == 0 && http_cookie_jar_set_header(jar, value) < 0)
			refused++;
	}
	return refused;
}

int http_cookie_jar_set_header(struct http_cookie_jar *jar, const char *set_cookie_value)
{
	const char *s = set_cookie_value, *end, *semi, *eq, *name, *name_end, *value, *value_end;
	size_t len;
	int ret;

	if (!jar || !s)
		return -ERR_INVALID_ARGS;
	/* No header value from the parser is longer than its whole head. */
	len = strnlen(s, HTTP_RESPONSE_MAX_HEAD + 1);
	if (len > HTTP_RESPONSE_MAX_HEAD)
		return -ERR_TOO_LARGE;
	for (size_t i = 0; i < len; i++)
		if (!http_token_is_line_char((unsigned char)s[i]))
			return -ERR_PROTOCOL;
	end = s + len;
	semi = memchr(s, ';', len);
	if (!semi)
		semi = end;
	eq = memchr(s, '=', (size_t)(semi - s));
	if (!eq)
		return -ERR_PROTOCOL;
	name = s;
	name_end = eq;
	trim(&name, &name_end);
	value = eq + 1;
	value_end = semi;
	trim(&value, &value_end);
	ret = check_name(name, (size_t)(name_end - name));
	if (ret < 0)
		return ret;
	ret = check_value(value, (size_t)(value_end - value));
	if (ret < 0)
		return ret;
	if (value == value_end || attributes_expire(semi < end ? semi + 1 : end, end)) {
		jar_delete(jar, name, (size_t)(name_end - name));
		return 0;
	}
	return jar_store(jar, name, (size_t)(name_end - name), value, (size_t)(value_end - value));
}
