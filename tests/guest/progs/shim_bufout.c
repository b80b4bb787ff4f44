// SPDX-License-Identifier: GPL-2.0
/*
 * shim_bufout.so: LD_PRELOAD'ed into gnutls-cli by the 60-ktls-ctl suite.
 *
 * gnutls-cli turns stdout's buffering off (setbuf(stdout, NULL)) and then
 * writes what it receives with one fputc() per byte: one write() system
 * call per byte, about 7 s per MiB under QEMU's software emulation, so a
 * 64 MiB download would take 8 minutes.  This keeps stdout fully buffered
 * (gnutls-cli still fflush()es it after each read, and exit() flushes the
 * rest); nothing else changes: the TLS client is gnutls-cli and GnuTLS as
 * Debian ships them, and the bytes written are the same.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

void setbuf(FILE *f, char *buf)
{
	void (*real)(FILE *, char *);

	if (f == stdout && !buf)
		return;
	real = (void (*)(FILE *, char *))dlsym(RTLD_NEXT, "setbuf");
	if (real)
		real(f, buf);
}

int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
	int (*real)(FILE *, char *, int, size_t);

	if (f == stdout && mode == _IONBF)
		return 0;
	real = (int (*)(FILE *, char *, int, size_t))dlsym(RTLD_NEXT, "setvbuf");
	return real ? real(f, buf, mode, size) : -1;
}
