// SPDX-License-Identifier: GPL-2.0
/*
 * ctl_jsoncheck: is stdin one or more JSON documents (RFC 8259), separated
 * by whitespace (so JSON lines pass too)?  Exit 0 and print "ok N" if so,
 * else exit 1 with the offset of the first error.  For checking
 * `ktls-ctl -j` output in the guest, which has no python.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

static const char *p, *start;
static int depth;

static void ws(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
}

static bool lit(const char *s)
{
	size_t n = strlen(s);

	if (strncmp(p, s, n))
		return false;
	p += n;
	return true;
}

static bool string(void)
{
	int i;

	if (*p++ != '"')
		return false;
	while (*p != '"') {
		unsigned char c = *p;

		if (c < 0x20)
			return false;	/* includes the terminating NUL */
		p++;
		if (c != '\\')
			continue;
		if (strchr("\"\\/bfnrt", *p) && *p) {
			p++;
			continue;
		}
		if (*p++ != 'u')
			return false;
		for (i = 0; i < 4; i++, p++)
			if (!strchr("0123456789abcdefABCDEF", *p) || !*p)
				return false;
	}
	p++;
	return true;
}

static bool digits(void)
{
	const char *s = p;

	while (*p >= '0' && *p <= '9')
		p++;
	return p > s;
}

static bool number(void)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!digits())
		return false;
	if (*p == '.') {
		p++;
		if (!digits())
			return false;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digits())
			return false;
	}
	return true;
}

static bool value(void);

static bool container(char open, char close, bool object)
{
	if (*p++ != open || ++depth > MAX_DEPTH)
		return false;
	ws();
	if (*p == close) {
		p++;
		depth--;
		return true;
	}
	for (;;) {
		if (object) {
			if (!string())
				return false;
			ws();
			if (*p++ != ':')
				return false;
		}
		if (!value())
			return false;
		ws();
		if (*p == close)
			break;
		if (*p++ != ',')
			return false;
		ws();
	}
	p++;
	depth--;
	return true;
}

static bool value(void)
{
	ws();
	switch (*p) {
	case '{':
		return container('{', '}', true);
	case '[':
		return container('[', ']', false);
	case '"':
		return string();
	case 't':
		return lit("true");
	case 'f':
		return lit("false");
	case 'n':
		return lit("null");
	default:
		return number();
	}
}

int main(void)
{
	size_t len = 0, cap = 65536, n;
	char *buf = malloc(cap + 1);
	int docs = 0;

	while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, (cap *= 2) + 1);
	}
	if (!buf)
		return 1;
	buf[len] = '\0';
	if (strlen(buf) != len) {
		printf("NUL byte in input\n");
		return 1;
	}
	p = start = buf;
	for (ws(); *p; ws()) {
		if (!value()) {
			printf("invalid JSON at offset %ld: %.40s\n",
			       (long)(p - start), p);
			return 1;
		}
		docs++;
	}
	if (!docs) {
		printf("no JSON document\n");
		return 1;
	}
	printf("ok %d\n", docs);
	return 0;
}
