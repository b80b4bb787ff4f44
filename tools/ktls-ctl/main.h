/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls-ctl: shared declarations.  One .c file per object (module.c,
 * feature.c, sock.c, stats.c, handshake.c, policy.c); main.c parses the
 * global options and dispatches; json.c writes JSON and reports errors;
 * util.c holds argument and file helpers.
 */
#ifndef KTLS_CTL_MAIN_H
#define KTLS_CTL_MAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define PROG "ktls-ctl"

extern bool json_output;
extern bool pretty_output;
extern const char *ktls_ctl_version;

/* A command word and what it runs with the remaining arguments. */
struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Run the command of @cmds (ended by a NULL name) that argv[0] names or
 * uniquely abbreviates, with the arguments after it.  @obj is the object
 * ("sock"), NULL at the top level.  A missing, unknown or ambiguous word
 * is a usage error (2).
 */
int cmd_dispatch(const char *obj, const struct cmd *cmds, int argc,
		 char **argv);

/*
 * Index of the word in NULL-terminated @words that @arg names or
 * uniquely abbreviates; -1 if none, -2 if ambiguous.
 */
int word_match(const char *arg, const char *const *words);
/* argv[0] asks for help: "help" (or "he", "hel"), "-h", "--help". */
bool wants_help(int argc, char **argv);

/* Parse a decimal number in [min, max]; false if it is not one. */
bool parse_ulong(const char *s, unsigned long min, unsigned long max,
		 unsigned long *out);

/*
 * Read a small text file (procfs, sysfs) into @buf, NUL-terminated,
 * trailing newline removed.  Returns the length or -errno.
 */
int read_text(const char *path, char *buf, size_t len);
/* The module is loaded (/proc/modules has a line for @name). */
bool module_loaded(const char *name, unsigned long *refcnt, char *state,
		   size_t state_len);
/* @name appears in /proc/sys/net/ipv4/tcp_available_ulp. */
bool ulp_registered(const char *name);

/* Errors: JSON {"error": ...} on stdout with -j, "Error: ..." otherwise. */
int p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage errors: like p_err, plus a pointer to help; returns EXIT_USAGE. */
int p_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Notes for people: stderr, suppressed with -j. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print help text (JSON {"help": text} with -j). Returns EXIT_OK. */
int p_help(const char *text);

/*
 * Commands that run for long (handshake) report each error at once, as a
 * JSON document of its own on @f, instead of one at exit on stdout.
 */
void out_stream_errors(FILE *f);
/* Start, and at exit finish, the JSON document of the command. */
void out_start(void);
int out_finish(int rc);
/* Commands that stream several JSON documents: flush this one as a line. */
void out_emit(FILE *to);

/* JSON writer; @name is NULL inside arrays and at the top level. */
void jw_obj_begin(const char *name);
void jw_obj_end(void);
void jw_arr_begin(const char *name);
void jw_arr_end(void);
void jw_str(const char *name, const char *val);
void jw_uint(const char *name, unsigned long long val);
void jw_int(const char *name, long long val);
void jw_bool(const char *name, bool val);
void jw_null(const char *name);

/* Objects. */
int do_module(int argc, char **argv);
int do_feature(int argc, char **argv);
int do_sock(int argc, char **argv);
int do_sock_keys(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_handshake(int argc, char **argv);
int do_policy(int argc, char **argv);

#endif /* KTLS_CTL_MAIN_H */
