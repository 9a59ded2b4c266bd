// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli-term.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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

void cli_term_close(void)
{
	if (cli_tty)
		fclose(cli_tty);
	cli_tty = NULL;
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
	if (def && *def)
		fprintf(cli_tty, "%s [%s] ", prompt, def);
	else
		fprintf(cli_tty, "%s ", prompt);
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
	fprintf(cli_tty, "%s ", prompt);
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

void cli_term_print_safe(FILE *f, const char *indent, const char *text)
{
	bool line_start = true;

	for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
		if (line_start && indent)
			fputs(indent, f);
		line_start = *p == '\n';
		if (*p == '\n' || *p == '\t' || *p >= 0x20) {
			/* DEL and the C1 range 0x80-0x9f as UTF-8 (0xc2 0x80-0x9f) can drive a terminal. */
			if (*p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
				fputc('?', f);
				if (*p == 0xc2)
					p++;
				continue;
			}
			fputc(*p, f);
		} else {
			fputc('?', f);
		}
	}
	if (!line_start)
		fputc('\n', f);
}
