// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl feature probe: answer "why is kTLS (not) used here?".  Checks
 * the module (loaded, or installed where modprobe finds it), the TCP ULP
 * names, each cipher's AEAD in the kernel crypto API (an AF_ALG bind, which
 * also loads the algorithm's module), sockmap support and sock_diag, then
 * prints a verdict.  Exit status 0 when kTLS can work, 1 when it cannot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_alg.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libktls.h"
#include "main.h"

#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif

static const char feature_help[] =
	"Usage: " PROG " feature probe\n"
	"       " PROG " feature help\n"
	"\n"
	"  probe  check the ktls module, TCP ULPs, each cipher's AEAD in the\n"
	"         kernel, sockmap support; end with a verdict.  Exit status 0\n"
	"         if kernel TLS can work here, 1 if it cannot.\n";

/* Print one check: JSON object in the "checks" array, or a text line. */
static void check(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check(const char *name, bool ok, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("name", name);
		jw_bool("ok", ok);
		jw_str("detail", detail);
		jw_obj_end();
	} else {
		printf("%-26s %-4s %s\n", name, ok ? "yes" : "no", detail);
	}
}

/* Path of module @mod in modules.dep of the running kernel, if listed. */
static bool find_module(const char *mod, char *path, size_t len)
{
	char dep[300], line[1024], want[64], *colon, *base;
	struct utsname u;
	bool found = false;
	FILE *f;

	uname(&u);
	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
	snprintf(want, sizeof(want), "%s.ko", mod);
	f = fopen(dep, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (strncmp(base, want, strlen(want)) ||
		    (base[strlen(want)] && base[strlen(want)] != '.'))
			continue;
		if (snprintf(path, len, "/lib/modules/%s/%.400s", u.release,
			     line) >= (int)len)
			continue;
		found = true;
	}
	fclose(f);
	return found;
}

/* Highest-priority driver of AEAD @name in /proc/crypto. */
static bool crypto_driver(const char *name, char *driver, size_t len)
{
	char line[256], cur_name[128] = "", cur_drv[128] = "", cur_type[32] = "";
	long prio = -1, best = -1;
	FILE *f = fopen("/proc/crypto", "re");

	if (!f)
		return false;
	for (;;) {
		bool end = !fgets(line, sizeof(line), f);

		if (end || line[0] == '\n') {
			if (!strcmp(cur_name, name) && !strcmp(cur_type, "aead") &&
			    prio > best) {
				best = prio;
				snprintf(driver, len, "%s", cur_drv);
			}
			cur_name[0] = cur_drv[0] = cur_type[0] = '\0';
			prio = -1;
			if (end)
				break;
			continue;
		}
		if (sscanf(line, "name : %127s", cur_name) == 1 ||
		    sscanf(line, "driver : %127s", cur_drv) == 1 ||
		    sscanf(line, "type : %31s", cur_type) == 1 ||
		    sscanf(line, "priority : %ld", &prio) == 1)
			continue;
	}
	fclose(f);
	return best >= 0;
}

/* Can the kernel instantiate AEAD @name with a @key_size key?  0 or -errno. */
static int aead_probe(const char *name, unsigned int key_size)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	unsigned char key[32] = { 0 };
	int fd, err = 0;

	fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy((char *)sa.salg_type, "aead");
	strncpy((char *)sa.salg_name, name, sizeof(sa.salg_name) - 1);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, key_size))
		err = -errno;
	close(fd);
	return err;
}

/*
 * Returns how many of the ciphers TLS peers commonly negotiate (AES-GCM,
 * ChaCha20-Poly1305) the kernel has; *unknown counts those it cannot tell.
 */
static int probe_ciphers(int *unknown)
{
	const struct ktls_cipher *c;
	char name[40], drv[128];
	int i, common = 0, err;
	bool usual;

	for (i = 0; (c = ktls_cipher_at(i)); i++) {
		snprintf(name, sizeof(name), "cipher %s", c->name);
		usual = c->type == TLS_CIPHER_AES_GCM_128 ||
			c->type == TLS_CIPHER_AES_GCM_256 ||
			c->type == TLS_CIPHER_CHACHA20_POLY1305;
		err = aead_probe(c->aead, c->key_size);
		if (err == -EAFNOSUPPORT && crypto_driver(c->aead, drv, sizeof(drv)))
			err = 0;	/* no AF_ALG here, but the kernel has it */
		if (err == -EAFNOSUPPORT && usual)
			(*unknown)++;
		if (err) {
			check(name, false, "%s: %s", c->aead,
			      err == -ENOENT ? "not available in this kernel" :
			      err == -EAFNOSUPPORT ?
			      "cannot tell (no AF_ALG) and not in /proc/crypto" :
			      strerror(-err));
			continue;
		}
		if (usual)
			common++;
		if (crypto_driver(c->aead, drv, sizeof(drv)))
			check(name, true, "%s, driver %s", c->aead, drv);
		else
			check(name, true, "%s", c->aead);
	}
	return common;
}

static void probe_sockmap(void)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_SOCKHASH;
	attr.key_size = sizeof(uint32_t);
	attr.value_size = sizeof(uint32_t);
	attr.max_entries = 1;
	fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd >= 0) {
		close(fd);
		check("sockmap", true,
		      "BPF sockhash maps work (SK_MSG policy: issue 5)");
		return;
	}
	check("sockmap", false, "%s",
	      errno == EPERM ? "bpf() not permitted (needs root or CAP_BPF)" :
	      errno == ENOSYS ? "no bpf() system call in this kernel" :
	      errno == EINVAL ? "kernel without sockmap (CONFIG_BPF_STREAM_PARSER)" :
	      strerror(errno));
}

static int feature_probe(int argc, char **argv)
{
	char path[512] = "", state[32] = "", reasons[512] = "";
	bool loaded, on_disk, ulp, tls_ulp;
	struct utsname u;
	int common, unknown = 0;

	if (wants_help(argc, argv))
		return p_help(feature_help);
	if (argc)
		return p_usage("'feature probe' takes no arguments");

	uname(&u);
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("kernel", u.release);
		jw_arr_begin("checks");
	} else {
		printf("kernel %s\n", u.release);
	}

	loaded = module_loaded("ktls", NULL, state, sizeof(state));
	on_disk = find_module("ktls", path, sizeof(path));
	if (loaded)
		check("module ktls", true, "loaded (%s)", state);
	else if (on_disk)
		check("module ktls", true, "not loaded; modprobe can load %s",
		      path);
	else
		check("module ktls", false,
		      "not loaded, and not installed for this kernel (install the DKMS package)");

	ulp = ulp_registered("ktls");
	if (ulp)
		check("ulp ktls", true, "registered");
	else
		check("ulp ktls", on_disk, "%s",
		      on_disk ? "registered on first use (loading the module on demand needs CAP_NET_ADMIN)" :
				"not registered");
	tls_ulp = ulp_registered("tls");
	if (tls_ulp)
		check("ulp tls", true, "registered (applications that hard-code \"tls\" work)");
	else if (find_module("tls", path, sizeof(path)))
		check("ulp tls", true, "in-tree module %s can be loaded", path);
	else
		check("ulp tls", false,
		      "not available: load ktls with register_tls=1 for applications that hard-code \"tls\"");

	common = probe_ciphers(&unknown);
	probe_sockmap();
	if (access("/sys/module/tcp_diag", F_OK) == 0)
		check("sock_diag tcp", true, "tcp_diag loaded ('sock show' works)");
	else
		check("sock_diag tcp", false,
		      "tcp_diag not loaded ('sock show' loads it on demand, or: modprobe tcp_diag)");

	if (!loaded && !on_disk)
		strcat(reasons, "the ktls module is neither loaded nor installed; ");
	if (!common && !unknown)
		strcat(reasons, "the kernel has none of AES-GCM and ChaCha20-Poly1305; ");
	if (reasons[0])
		reasons[strlen(reasons) - 2] = '\0';

	if (json_output) {
		jw_arr_end();
		jw_bool("works", !reasons[0]);
		jw_str("verdict", reasons[0] ? reasons :
			"kernel TLS works here with ULP \"ktls\"");
		jw_obj_end();
	} else if (reasons[0]) {
		printf("verdict: kernel TLS will NOT work here: %s\n", reasons);
	} else {
		printf("verdict: kernel TLS works here with ULP \"ktls\"%s\n",
		      loaded ? "" : " (the module loads on first use)");
	}
	return reasons[0] ? EXIT_FAIL : EXIT_OK;
}

static int feature_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(feature_help);
}

static const struct cmd feature_cmds[] = {
	{ "probe", feature_probe },
	{ "help", feature_help_cmd },
	{ NULL, NULL },
};

int do_feature(int argc, char **argv)
{
	return cmd_dispatch("feature", feature_cmds, argc, argv);
}
