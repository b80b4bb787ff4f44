// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl: output.  With -j every command writes one JSON document to
 * stdout (streaming commands: one document per line), and every error is a
 * JSON document {"error": "..."} instead.  The document is built in memory
 * so that an error half way through never leaves broken JSON behind.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

#define JW_MAX_DEPTH 16

static FILE *jf;		/* the document being built */
static char *jbuf;
static size_t jlen;
static int depth;
static bool first[JW_MAX_DEPTH + 1];
static char *err_msg;		/* first error of the command */
static FILE *err_stream;	/* streaming: errors go here at once */
static bool err_reported;

static void jw_reset(void)
{
	depth = 0;
	first[0] = true;
	jf = open_memstream(&jbuf, &jlen);
	if (!jf) {
		perror(PROG ": open_memstream");
		exit(EXIT_FAIL);
	}
}

void out_start(void)
{
	if (json_output)
		jw_reset();
}

/* Write @s as a JSON string: escapes, and U+FFFD for invalid UTF-8. */
static void jw_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		int n = 0, i;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else {
			if (c >= 0xc2 && c <= 0xdf)
				n = 1;
			else if (c >= 0xe0 && c <= 0xef)
				n = 2;
			else if (c >= 0xf0 && c <= 0xf4)
				n = 3;
			for (i = 1; n && i <= n; i++)
				if ((p[i] & 0xc0) != 0x80)
					n = 0;
			if (!n) {
				fputs("\\ufffd", f);
			} else {
				fwrite(p, 1, n + 1, f);
				p += n;
			}
		}
		p++;
	}
	fputc('"', f);
}

static void jw_indent(int d)
{
	fputc('\n', jf);
	while (d-- > 0)
		fputs("  ", jf);
}

static bool jw_member(const char *name)
{
	if (!jf)
		return false;
	if (depth > 0) {
		if (!first[depth])
			fputc(',', jf);
		if (pretty_output)
			jw_indent(depth);
	}
	first[depth] = false;
	if (name) {
		jw_quote(jf, name);
		fputs(pretty_output ? ": " : ":", jf);
	}
	return true;
}

static void jw_open(const char *name, char c)
{
	if (!jw_member(name))
		return;
	fputc(c, jf);
	if (depth < JW_MAX_DEPTH)
		depth++;
	first[depth] = true;
}

static void jw_close(char c)
{
	if (!jf)
		return;
	if (pretty_output && !first[depth])
		jw_indent(depth - 1);
	if (depth > 0)
		depth--;
	fputc(c, jf);
}

void jw_obj_begin(const char *name)
{
	jw_open(name, '{');
}

void jw_obj_end(void)
{
	jw_close('}');
}

void jw_arr_begin(const char *name)
{
	jw_open(name, '[');
}

void jw_arr_end(void)
{
	jw_close(']');
}

void jw_str(const char *name, const char *val)
{
	if (!val)
		jw_null(name);
	else if (jw_member(name))
		jw_quote(jf, val);
}

void jw_uint(const char *name, unsigned long long val)
{
	if (jw_member(name))
		fprintf(jf, "%llu", val);
}

void jw_int(const char *name, long long val)
{
	if (jw_member(name))
		fprintf(jf, "%lld", val);
}

void jw_bool(const char *name, bool val)
{
	if (jw_member(name))
		fputs(val ? "true" : "false", jf);
}

void jw_null(const char *name)
{
	if (jw_member(name))
		fputs("null", jf);
}

void out_stream_errors(FILE *f)
{
	err_stream = f;
}

/* Print the document built so far as one line on @to, start a new one. */
void out_emit(FILE *to)
{
	if (!jf)
		return;
	fclose(jf);
	if (jlen) {
		fwrite(jbuf, 1, jlen, to);
		fputc('\n', to);
		fflush(to);
	}
	free(jbuf);
	jbuf = NULL;
	jw_reset();
}

static void print_error_doc(FILE *to, const char *msg)
{
	if (pretty_output)
		fputs("{\n  \"error\": ", to);
	else
		fputs("{\"error\":", to);
	jw_quote(to, msg);
	fputs(pretty_output ? "\n}\n" : "}\n", to);
	fflush(to);
}

int out_finish(int rc)
{
	FILE *to = err_stream ? err_stream : stdout;

	if (!json_output || !jf)
		return rc;
	fclose(jf);
	jf = NULL;
	if (err_msg)
		print_error_doc(to, err_msg);
	else if (rc != EXIT_OK && !jlen && !err_reported)
		print_error_doc(to, "failed");
	else if (jlen)
		printf("%.*s\n", (int)jlen, jbuf);
	fflush(stdout);
	free(jbuf);
	free(err_msg);
	return rc;
}

static void vp_err(const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (!json_output) {
		fprintf(stderr, "Error: %s\n", msg ? msg : fmt);
		free(msg);
		return;
	}
	/* Streaming commands: report at once, as a document of its own. */
	if (err_stream) {
		print_error_doc(err_stream, msg ? msg : fmt);
		err_reported = true;
		free(msg);
		return;
	}
	if (!err_msg)
		err_msg = msg ? msg : strdup(fmt);
	else
		free(msg);
}

int p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_err(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int p_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_err(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int p_help(const char *text)
{
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("help", text);
		jw_obj_end();
	} else {
		fputs(text, stdout);
	}
	return EXIT_OK;
}
