// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-term.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "utf8.h"

#define CLI_TERM_MAX_LINE 4096

static FILE *cli_tty;

bool cli_term_open(void)
{
	int fd;

	if (cli_tty)
		return true;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	cli_tty = fdopen(fd, "r+");
	if (!cli_tty) {
		close(fd);
		return false;
	}
	setvbuf(cli_tty, NULL, _IONBF, 0);
	return true;
}

bool cli_term_available(void)
{
	return cli_tty != NULL;
}

/* Reads one line into buf (wiped on failure); false at EOF or on an over-long line. */
static bool cli_term_read_line(FILE *f, char *buf, size_t size)
{
	size_t n;

	if (!fgets(buf, (int)size, f)) {
		secret_wipe(buf, size);
		return false;
	}
	n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[--n] = '\0';
	} else if (!feof(f)) {
		int c;

		/* Longer than any sane answer: drop it rather than split it into two answers. */
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
		secret_wipe(buf, size);
		return false;
	}
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return true;
}

char *cli_term_ask(const char *prompt, const char *def)
{
	char line[CLI_TERM_MAX_LINE];

	if (!cli_tty)
		return NULL;
	cli_term_put_safe(cli_tty, prompt);
	if (def && *def) {
		fputs(" [", cli_tty);
		cli_term_put_safe(cli_tty, def);
		fputc(']', cli_tty);
	}
	fputc(' ', cli_tty);
	if (!cli_term_read_line(cli_tty, line, sizeof(line)))
		return NULL;
	return strdup(!line[0] && def ? def : line);
}

struct secret *cli_term_ask_secret(const char *prompt)
{
	char line[CLI_TERM_MAX_LINE];
	struct termios old, quiet;
	bool restore = false;
	struct secret *s = NULL;

	if (!cli_tty)
		return NULL;
	cli_term_put_safe(cli_tty, prompt);
	fputc(' ', cli_tty);
	if (tcgetattr(fileno(cli_tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = tcsetattr(fileno(cli_tty), TCSAFLUSH, &quiet) == 0;
	}
	if (cli_term_read_line(cli_tty, line, sizeof(line)))
		s = secret_new_str(line);
	if (restore)
		tcsetattr(fileno(cli_tty), TCSAFLUSH, &old);
	fputc('\n', cli_tty);
	secret_wipe(line, sizeof(line));
	return s;
}

struct secret *cli_term_stdin_secret(void)
{
	char line[CLI_TERM_MAX_LINE];
	struct secret *s = NULL;

	if (cli_term_read_line(stdin, line, sizeof(line)))
		s = secret_new_str(line);
	secret_wipe(line, sizeof(line));
	return s;
}

/* Writes the character at p, or '?' in its place; returns how many bytes it took.  Decided by
 * the one check for outside text (utf8_valid): malformed UTF-8 (a lone 0x9b is CSI to an
 * 8-bit terminal) is one '?' per byte, a well-formed control (C0 but TAB and LF, DEL, C1 such
 * as U+009B, two bytes) one '?' per character. */
static size_t cli_term_put_char(FILE *f, const unsigned char *p)
{
	size_t len = *p < 0x80 ? 1 : *p < 0xc0 ? 0 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

	if (len == 0 || strnlen((const char *)p, len) < len ||
	    !utf8_valid((const char *)p, len, UTF8_XML_TEXT)) {
		fputc('?', f);
		return 1;
	}
	if (*p == '\r' || !utf8_valid((const char *)p, len, UTF8_DISPLAY_TEXT))
		fputc('?', f);
	else
		fwrite(p, 1, len, f);
	return len;
}

void cli_term_put_safe(FILE *f, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; p && *p;) {
		if (*p == '\n' || *p == '\t') {
			fputc(' ', f);
			p++;
		} else {
			p += cli_term_put_char(f, p);
		}
	}
}

void cli_term_print_safe(FILE *f, const char *indent, const char *text)
{
	bool line_start = true;

	for (const unsigned char *p = (const unsigned char *)text; p && *p;) {
		if (line_start && indent)
			fputs(indent, f);
		line_start = *p == '\n';
		if (*p == '\n' || *p == '\t')
			fputc(*p++, f);
		else
			p += cli_term_put_char(f, p);
	}
	if (!line_start)
		fputc('\n', f);
}
