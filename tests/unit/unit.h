/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness: each case prints one line, "PASS unit.<name>",
 * "FAIL unit.<name>: <reason>" or "SKIP unit.<name>: <reason>", and the
 * program exits non-zero if any case failed. A CHECK returns from the case
 * at its first failure; helpers called by a case use CHECK too and the case
 * follows them with UNIT_BAIL().
 */
#ifndef KTLS_UNIT_H
#define KTLS_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

static char unit_why[512];
static int unit_state;	/* 0 pass, 1 fail, 2 skip */

static void __attribute__((format(printf, 4, 5)))
unit_note(int state, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (unit_state)
		return;	/* keep the first reason */
	unit_state = state;
	if (state == 1)
		n = snprintf(unit_why, sizeof(unit_why), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(unit_why + n, sizeof(unit_why) - n, fmt, ap);
	va_end(ap);
}

#define UNIT_FAIL(...) do { unit_note(1, __FILE__, __LINE__, __VA_ARGS__); return; } while (0)
#define UNIT_BAIL() do { if (unit_state) return; } while (0)
#define SKIP(...) do { unit_note(2, __FILE__, __LINE__, __VA_ARGS__); return; } while (0)
#define CHECK(c) do { if (!(c)) UNIT_FAIL("%s", #c); } while (0)
#define CHECK_INT(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		UNIT_FAIL("%s is %lld, expected %lld", #a, _a, _b);	\
} while (0)
/* errno results: -EINVAL etc., printed by name */
#define CHECK_ERR(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b)							\
		UNIT_FAIL("%s is %lld (%s), expected %lld (%s)", #a, _a,	\
			  _a < 0 ? strerrorname_np(-_a) : "-", _b,	\
			  _b < 0 ? strerrorname_np(-_b) : "-");		\
} while (0)
#define CHECK_MEM(a, b, n) do {						\
	const unsigned char *_a = (const void *)(a), *_b = (const void *)(b); \
	size_t _i, _n = (n);						\
	for (_i = 0; _i < _n; _i++)					\
		if (_a[_i] != _b[_i])					\
			UNIT_FAIL("%s differs from %s at byte %zu of %zu: %02x, expected %02x", \
				  #a, #b, _i, _n, _a[_i], _b[_i]);	\
} while (0)

static int unit_run(const struct unit_case *cases, size_t n)
{
	static const char * const word[] = { "PASS", "FAIL", "SKIP" };
	int failed = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		unit_state = 0;
		unit_why[0] = 0;
		cases[i].fn();
		if (unit_state)
			printf("%s unit.%s: %s\n", word[unit_state],
			       cases[i].name, unit_why);
		else
			printf("PASS unit.%s\n", cases[i].name);
		failed += unit_state == 1;
	}
	return failed ? 1 : 0;
}

#define UNIT_CASE(fn) { #fn, test_##fn }
#define UNIT_MAIN(cases)						\
	int main(void) { return unit_run(cases, ARRAY_SIZE(cases)); }

#endif /* KTLS_UNIT_H */
