// SPDX-License-Identifier: GPL-2.0
/*
 * ktls-ctl policy: BPF policy on the plaintext of kTLS sockets
 * (docs/policy.md), with libbpf.
 *
 * A policy object holds one SK_MSG program, at most one stream-verdict
 * program and one sockhash (bpf/ktls_policy.h).  "load" loads it and pins
 * everything in a directory of the BPF file system; every other command
 * works on those pins, so the policy outlives ktls-ctl:
 *
 *	DIR/sockhash            the sockhash (or sockmap)
 *	DIR/msg                 the SK_MSG program
 *	DIR/stream_verdict      the stream-verdict program (BPF_SK_SKB_STREAM_VERDICT),
 *	DIR/skb_verdict         or the BPF_SK_SKB_VERDICT one, if there is one
 *	DIR/map_NAME            every other map of the object
 *	DIR/cgroup_link         "policy cgroup": the link of the sock_ops hook,
 *	DIR/cgroup_stats        and its counters
 *
 * Two policies are built in (bpftool gen skeleton): "default" counts, per
 * socket, what the SK_MSG program saw; "deny" also drops messages that
 * start with a prefix from its deny_prefixes map.  The sock_ops hook of
 * "policy cgroup" is built in too and shares the loaded policy's sockhash.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bpf/ktls_policy.h"
#include "bpf/default.skel.h"
#include "bpf/deny.skel.h"
#include "bpf/sockops.skel.h"
#include "main.h"

#define DEFAULT_PIN "/sys/fs/bpf/ktls"
#define PIN_SOCKHASH "sockhash"
#define PIN_LINK "cgroup_link"
#define PIN_CGSTATS "cgroup_stats"
#define MAP_STATS "sock_stats"
#define MAP_DENY "deny_prefixes"

static const char policy_help[] =
	"Usage: " PROG " policy load { default | deny | OBJ } [pin DIR]\n"
	"       " PROG " policy attach [pin DIR]\n"
	"       " PROG " policy detach [pin DIR]\n"
	"       " PROG " policy cgroup { CGROUP | off } [pin DIR]\n"
	"       " PROG " policy deny { add | del } PREFIX [pin DIR]\n"
	"       " PROG " policy deny { show | clear } [pin DIR]\n"
	"       " PROG " policy show [pin DIR]\n"
	"       " PROG " policy unload [pin DIR]\n"
	"       " PROG " policy help\n"
	"\n"
	"  load    load a policy and pin it in DIR (default " DEFAULT_PIN "):\n"
	"          default  built in: pass everything, count per socket\n"
	"          deny     built in: drop messages starting with a denied prefix\n"
	"          OBJ      a BPF object file: one SK_MSG program, at most one\n"
	"                   stream-verdict program, one sockhash (cookie keys)\n"
	"  attach  attach the programs to the sockhash: sockets added from now\n"
	"          on are judged (the kernel does not give programs to sockets\n"
	"          already in the map)\n"
	"  detach  detach them and empty the sockhash: no socket is judged any\n"
	"          more, the sockets go on as plain kTLS sockets\n"
	"  cgroup  put every TCP connection of CGROUP (a cgroup v2 directory)\n"
	"          into the sockhash when it is established, before the\n"
	"          application can attach the \"ktls\" ULP; 'off' removes that\n"
	"  deny    the deny policy's prefixes (at most 16, 64 bytes each; \\r \\n\n"
	"          \\t \\\\ \\xHH escapes)\n"
	"  show    programs, sockhash, cgroup, prefixes, per-socket counters\n"
	"  unload  all of the above undone, the pins removed\n"
	"\n"
	"The sender's program judges plaintext before encryption: a dropped\n"
	"message fails the sender's send() with EACCES.  See ktls-ctl(8).\n";

/* The programs a policy may hold, by how they attach to the sockhash. */
enum role { R_MSG, R_STREAM_VERDICT, R_SKB_VERDICT, NROLES };

static const struct {
	const char *pin;
	enum bpf_attach_type type;
} roles[NROLES] = {
	[R_MSG] = { "msg", BPF_SK_MSG_VERDICT },
	[R_STREAM_VERDICT] = { "stream_verdict", BPF_SK_SKB_STREAM_VERDICT },
	[R_SKB_VERDICT] = { "skb_verdict", BPF_SK_SKB_VERDICT },
};

/* The pins of a loaded policy, opened; -1 for those that do not exist. */
struct pol {
	const char *dir;
	int map;
	int prog[NROLES];
	int link, cgstats, stats, deny;
};

/*
 * libbpf's first warning (its first line), to explain a failure with -j,
 * where stderr stays quiet.  The verifier's log is not one.
 */
static char bpf_msg[256];

static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[4096];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (!bpf_msg[0] && n && !strstr(line, "PROG LOAD LOG")) {
		snprintf(bpf_msg, sizeof(bpf_msg), "%s", line);
		bpf_msg[strcspn(bpf_msg, "\n")] = '\0';
	}
	if (!json_output && level == LIBBPF_WARN)
		fprintf(stderr, "%s\n", line);
	return 0;
}

static void bpf_setup(void)
{
	libbpf_set_print(bpf_print);
}

static const char *why(int err)
{
	static char buf[384];

	err = abs(err);
	if ((err == EPERM || err == EACCES) && geteuid())
		return "permission denied (BPF needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, or root)";
	/* Text mode: libbpf's warnings are on stderr already. */
	if (bpf_msg[0] && json_output) {
		snprintf(buf, sizeof(buf), "%s (%s)", strerror(err), bpf_msg);
		return buf;
	}
	return strerror(err);
}

/*
 * NPOS positional words, then "pin DIR" if given.  @what names the
 * positional words for the usage error.
 */
static int pol_args(int argc, char **argv, int npos, const char **pos,
		    const char **dir, const char *what)
{
	static const char *const pin_word[] = { "pin", NULL };
	int i;

	*dir = DEFAULT_PIN;
	for (i = 0; i < npos; i++) {
		if (i >= argc)
			return p_usage("missing %s (see '%s policy help')", what,
				       PROG);
		pos[i] = argv[i];
	}
	if (argc == npos)
		return 0;
	if (word_match(argv[npos], pin_word) != 0)
		return p_usage("unexpected argument '%s' (see '%s policy help')",
			       argv[npos], PROG);
	if (argc == npos + 1 || !argv[npos + 1][0])
		return p_usage("'pin' needs a directory");
	if (argc > npos + 2)
		return p_usage("unexpected argument '%s'", argv[npos + 2]);
	*dir = argv[npos + 1];
	return 0;
}

static void pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

/* The pinned object DIR/NAME, or -1 if there is none (errno set). */
static int pin_get(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), dir, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -1 : fd;
}

static void pol_close(struct pol *p)
{
	int *fds[] = { &p->map, &p->prog[0], &p->prog[1], &p->prog[2],
		       &p->link, &p->cgstats, &p->stats, &p->deny };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int pol_open(const char *dir, struct pol *p)
{
	struct stat st;
	int i;

	memset(p, 0, sizeof(*p));
	p->dir = dir;
	p->map = pin_get(dir, PIN_SOCKHASH);
	if (p->map < 0) {
		int e = errno;

		p->map = -1;
		for (i = 0; i < NROLES; i++)
			p->prog[i] = -1;
		p->link = p->cgstats = p->stats = p->deny = -1;
		if (e == ENOENT && stat(dir, &st) && errno == ENOENT)
			return p_err("no policy loaded at %s (see '%s policy load')",
				     dir, PROG);
		return p_err("%s/%s: %s", dir, PIN_SOCKHASH, why(e));
	}
	for (i = 0; i < NROLES; i++)
		p->prog[i] = pin_get(dir, roles[i].pin);
	p->link = pin_get(dir, PIN_LINK);
	p->cgstats = pin_get(dir, PIN_CGSTATS);
	p->stats = pin_get(dir, "map_" MAP_STATS);
	p->deny = pin_get(dir, "map_" MAP_DENY);
	return 0;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

/* --- load ------------------------------------------------------------------ */

/* DIR's parent must be on a BPF file system; mount one on /sys/fs/bpf. */
static int ensure_bpffs(const char *dir)
{
	char parent[PATH_MAX], *slash;
	struct statfs sf;

	snprintf(parent, sizeof(parent), "%s", dir);
	while ((slash = strrchr(parent, '/')) && !slash[1] && slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	if (statfs(parent, &sf))
		return p_err("%s: %s", parent, strerror(errno));
	if (sf.f_type == BPF_FS_MAGIC)
		return 0;
	if (strcmp(parent, "/sys/fs/bpf"))
		return p_err("%s is not on a BPF file system (mount -t bpf bpf DIR)",
			     parent);
	if (mount("bpf", parent, "bpf", 0, "mode=0700"))
		return p_err("/sys/fs/bpf is not a BPF file system, and mounting one failed: %s",
			     strerror(errno));
	p_info("mounted a BPF file system on /sys/fs/bpf");
	return 0;
}

/* Remove DIR and the pins in it. */
static void unpin_all(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		pin_path(path, sizeof(path), dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* The object's programs by role, and its sockhash; errors say what is wrong. */
static int check_object(struct bpf_object *obj, const char *name,
			struct bpf_program **progs, struct bpf_map **sockhash)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	enum role r;

	bpf_object__for_each_program(prog, obj) {
		enum bpf_attach_type t = bpf_program__expected_attach_type(prog);

		if (bpf_program__type(prog) == BPF_PROG_TYPE_SK_MSG)
			r = R_MSG;
		else if (bpf_program__type(prog) == BPF_PROG_TYPE_SK_SKB &&
			 t == BPF_SK_SKB_STREAM_VERDICT)
			r = R_STREAM_VERDICT;
		else if (bpf_program__type(prog) == BPF_PROG_TYPE_SK_SKB &&
			 t == BPF_SK_SKB_VERDICT)
			r = R_SKB_VERDICT;
		else
			return p_err("%s: program %s (section %s) is neither SK_MSG nor a stream verdict",
				     name, bpf_program__name(prog),
				     bpf_program__section_name(prog));
		if (progs[r] || (r != R_MSG && (progs[R_STREAM_VERDICT] ||
						progs[R_SKB_VERDICT])))
			return p_err("%s: more than one %s program", name,
				     r == R_MSG ? "SK_MSG" : "stream-verdict");
		progs[r] = prog;
	}
	if (!progs[R_MSG])
		return p_err("%s: no SK_MSG program (SEC(\"sk_msg\"))", name);

	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type t = bpf_map__type(map);

		if (t != BPF_MAP_TYPE_SOCKHASH && t != BPF_MAP_TYPE_SOCKMAP)
			continue;
		if (*sockhash)
			return p_err("%s: more than one sockhash or sockmap", name);
		*sockhash = map;
	}
	if (!*sockhash)
		return p_err("%s: no BPF_MAP_TYPE_SOCKHASH map", name);
	return 0;
}

static void json_prog(const char *role, int fd, int attached)
{
	struct bpf_prog_info info;

	jw_obj_begin(NULL);
	jw_str("role", role);
	if (fd >= 0 && !prog_info(fd, &info)) {
		jw_str("name", info.name);
		jw_uint("id", info.id);
	}
	if (attached >= 0)
		jw_bool("attached", attached);
	jw_obj_end();
}

static int policy_load(int argc, char **argv)
{
	struct bpf_program *progs[NROLES] = { NULL };
	struct bpf_map *sockhash = NULL, *map;
	struct ktls_default *sdef = NULL;
	struct ktls_deny *sdeny = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_map_info mi;
	char path[PATH_MAX];
	const char *pos[1], *dir, *name;
	struct stat st;
	int rc, err, i;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_args(argc, argv, 1, pos, &dir, "OBJ (default, deny or a BPF object file)");
	if (rc)
		return rc;
	name = pos[0];
	if (!stat(dir, &st))
		return p_err("%s exists: a policy is loaded there already (see '%s policy unload')",
			     dir, PROG);
	bpf_setup();
	if (!strcmp(name, "default")) {
		sdef = ktls_default__open();
		obj = sdef ? sdef->obj : NULL;
	} else if (!strcmp(name, "deny")) {
		sdeny = ktls_deny__open();
		obj = sdeny ? sdeny->obj : NULL;
	} else {
		obj = bpf_object__open_file(name, NULL);
	}
	if (!obj)
		return p_err("%s: %s", name, why(errno));

	rc = check_object(obj, name, progs, &sockhash);
	if (rc)
		goto out;
	rc = ensure_bpffs(dir);
	if (rc)
		goto out;
	err = bpf_object__load(obj);
	if (err) {
		rc = p_err("loading %s: %s", name, why(err));
		goto out;
	}
	if (mkdir(dir, 0700)) {
		rc = p_err("%s: %s", dir, strerror(errno));
		goto out;
	}
	pin_path(path, sizeof(path), dir, PIN_SOCKHASH);
	err = bpf_map__pin(sockhash, path);
	for (i = 0; !err && i < NROLES; i++) {
		if (!progs[i])
			continue;
		pin_path(path, sizeof(path), dir, roles[i].pin);
		err = bpf_program__pin(progs[i], path);
	}
	bpf_object__for_each_map(map, obj) {
		if (err)
			break;
		if (map == sockhash || bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/map_%s", dir, bpf_map__name(map));
		err = bpf_map__pin(map, path);
	}
	if (err) {
		rc = p_err("pinning %s: %s", path, why(err));
		unpin_all(dir);
		goto out;
	}

	map_info(bpf_map__fd(sockhash), &mi);
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", dir);
		jw_str("object", name);
		jw_arr_begin("programs");
		for (i = 0; i < NROLES; i++)
			if (progs[i])
				json_prog(roles[i].pin, bpf_program__fd(progs[i]), -1);
		jw_arr_end();
		jw_obj_begin("sockhash");
		jw_str("name", mi.name);
		jw_uint("id", mi.id);
		jw_obj_end();
		jw_obj_end();
	} else {
		printf("policy %s loaded, pinned in %s:\n", name, dir);
		for (i = 0; i < NROLES; i++) {
			struct bpf_prog_info pi;

			if (progs[i] && !prog_info(bpf_program__fd(progs[i]), &pi))
				printf("  %-15s %s (id %u)\n", roles[i].pin, pi.name, pi.id);
		}
		printf("  %-15s %s (id %u)\n", "sockhash", mi.name, mi.id);
		printf("Next: '%s policy attach', then '%s policy cgroup CGROUP'.\n",
		       PROG, PROG);
	}
	rc = EXIT_OK;
out:
	if (sdef)
		ktls_default__destroy(sdef);
	else if (sdeny)
		ktls_deny__destroy(sdeny);
	else
		bpf_object__close(obj);
	return rc;
}

/* --- attach, detach -------------------------------------------------------- */

/* Is program @fd attached to sockhash @map as @type?  -1 if unknown. */
static int prog_attached(int map, int fd, enum bpf_attach_type type)
{
	struct bpf_prog_info info;
	__u32 ids[8], cnt = 8, flags = 0, i;

	if (fd < 0 || prog_info(fd, &info) ||
	    bpf_prog_query(map, type, 0, &flags, ids, &cnt))
		return -1;
	for (i = 0; i < cnt; i++)
		if (ids[i] == info.id)
			return 1;
	return 0;
}

/* The commands that take no argument but [pin DIR]: parse, open the pins. */
static int pol_start(int argc, char **argv, struct pol *p)
{
	int rc = pol_args(argc, argv, 0, NULL, &p->dir, NULL);

	if (rc)
		return rc;
	bpf_setup();
	return pol_open(p->dir, p);
}

static int policy_attach(int argc, char **argv)
{
	struct pol p;
	int rc, i, err;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_start(argc, argv, &p);
	if (rc)
		return rc;
	for (i = 0; i < NROLES && !rc; i++) {
		if (p.prog[i] < 0)
			continue;
		err = bpf_prog_attach(p.prog[i], p.map, roles[i].type, 0);
		if (err)
			rc = p_err("attaching %s to the sockhash: %s",
				   roles[i].pin, why(err));
	}
	if (!rc && json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", p.dir);
		jw_arr_begin("programs");
		for (i = 0; i < NROLES; i++)
			if (p.prog[i] >= 0)
				json_prog(roles[i].pin, p.prog[i],
					  prog_attached(p.map, p.prog[i], roles[i].type));
		jw_arr_end();
		jw_obj_end();
	} else if (!rc) {
		printf("attached: sockets added to the sockhash from now on are judged\n");
	}
	pol_close(&p);
	return rc;
}

/* Take every socket out of the sockhash.  The number taken, or -errno. */
static long map_clear(int map)
{
	struct bpf_map_info mi;
	unsigned char key[64];
	long n = 0;

	if (map_info(map, &mi) || mi.key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(map, NULL, key)) {
		if (bpf_map_delete_elem(map, key))
			return -errno;
		n++;
	}
	return n;
}

static long map_count(int map)
{
	struct bpf_map_info mi;
	unsigned char key[64], next[64];
	long n = 0;

	if (map_info(map, &mi) || mi.key_size > sizeof(key))
		return -1;
	if (bpf_map_get_next_key(map, NULL, key))
		return 0;
	for (n = 1; !bpf_map_get_next_key(map, key, next); n++)
		memcpy(key, next, mi.key_size);
	return n;
}

/* Detach the programs (those attached) and empty the sockhash. */
static int pol_detach(struct pol *p, long *removed)
{
	int i, err;

	for (i = 0; i < NROLES; i++) {
		if (p->prog[i] < 0)
			continue;
		err = bpf_prog_detach2(p->prog[i], p->map, roles[i].type);
		if (err && errno != ENOENT)
			return p_err("detaching %s: %s", roles[i].pin, why(err));
	}
	*removed = map_clear(p->map);
	if (*removed < 0)
		return p_err("emptying the sockhash: %s", strerror(-*removed));
	return 0;
}

static int policy_detach(int argc, char **argv)
{
	long removed = 0;
	struct pol p;
	int rc;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_start(argc, argv, &p);
	if (rc)
		return rc;
	rc = pol_detach(&p, &removed);
	if (!rc && json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", p.dir);
		jw_bool("attached", false);
		jw_int("sockets_removed", removed);
		jw_obj_end();
	} else if (!rc) {
		printf("detached; %ld socket%s left the sockhash and go%s on as plain kTLS sockets\n",
		       removed, removed == 1 ? "" : "s", removed == 1 ? "es" : "");
	}
	pol_close(&p);
	return rc;
}

/* --- cgroup ---------------------------------------------------------------- */

static unsigned long long cg_want;
static char cg_found[PATH_MAX];

static int cg_walk(const char *path, const struct stat *st, int flag,
		   struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D && st->st_ino == cg_want) {
		snprintf(cg_found, sizeof(cg_found), "%s", path);
		return 1;
	}
	return 0;
}

/* The path of the cgroup v2 directory with id @id, or NULL. */
static const char *cgroup_path(unsigned long long id)
{
	char line[1024], mnt[PATH_MAX], type[64];
	const char *ret = NULL;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return NULL;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %4095s %63s", mnt, type) != 2 ||
		    strcmp(type, "cgroup2"))
			continue;
		cg_want = id;
		cg_found[0] = '\0';
		if (nftw(mnt, cg_walk, 16, FTW_PHYS | FTW_MOUNT) == 1)
			ret = cg_found;
	}
	fclose(f);
	return ret;
}

static int cgroup_off(struct pol *p)
{
	char path[PATH_MAX];

	if (p->link < 0)
		return p_err("no cgroup hook at %s/%s", p->dir, PIN_LINK);
	if (bpf_link_detach(p->link))
		return p_err("detaching the cgroup hook: %s", why(errno));
	pin_path(path, sizeof(path), p->dir, PIN_LINK);
	unlink(path);
	pin_path(path, sizeof(path), p->dir, PIN_CGSTATS);
	unlink(path);
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", p->dir);
		jw_null("cgroup");
		jw_obj_end();
	} else {
		printf("cgroup hook removed: new connections no longer enter the sockhash\n");
	}
	return EXIT_OK;
}

static int cgroup_on(struct pol *p, const char *cgroup)
{
	struct ktls_sockops *skel = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map_info mi;
	struct bpf_prog_info pi;
	char path[PATH_MAX];
	struct statfs sf;
	int cg, rc = EXIT_FAIL, err;

	if (p->link >= 0) {
		struct bpf_link_info li;
		__u32 len = sizeof(li);
		const char *at = NULL;

		memset(&li, 0, sizeof(li));
		if (!bpf_obj_get_info_by_fd(p->link, &li, &len))
			at = cgroup_path(li.cgroup.cgroup_id);
		return p_err("the policy at %s is hooked to cgroup %s already (see '%s policy cgroup off')",
			     p->dir, at ? at : "?", PROG);
	}
	cg = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return p_err("cgroup %s: %s", cgroup, strerror(errno));
	if (fstatfs(cg, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		close(cg);
		return p_err("%s is not a cgroup v2 directory (mount -t cgroup2 none /sys/fs/cgroup)",
			     cgroup);
	}
	if (map_info(p->map, &mi) || mi.type != BPF_MAP_TYPE_SOCKHASH ||
	    mi.key_size != sizeof(__u64)) {
		close(cg);
		return p_err("the policy's map must be a sockhash with 8-byte keys (socket cookies) for 'policy cgroup'");
	}

	skel = ktls_sockops__open();
	if (!skel) {
		rc = p_err("sock_ops program: %s", why(errno));
		goto out;
	}
	err = bpf_map__reuse_fd(skel->maps.sock_hash, p->map);
	if (!err)
		err = ktls_sockops__load(skel);
	if (err) {
		rc = p_err("loading the sock_ops program: %s", why(err));
		goto out;
	}
	link = bpf_program__attach_cgroup(skel->progs.ktls_sockops, cg);
	if (!link) {
		rc = p_err("attaching to cgroup %s: %s", cgroup, why(errno));
		goto out;
	}
	pin_path(path, sizeof(path), p->dir, PIN_CGSTATS);
	err = bpf_map__pin(skel->maps.cgroup_stats, path);
	if (!err) {
		pin_path(path, sizeof(path), p->dir, PIN_LINK);
		err = bpf_link__pin(link, path);
	}
	if (err) {
		rc = p_err("pinning %s: %s", path, why(err));
		pin_path(path, sizeof(path), p->dir, PIN_CGSTATS);
		unlink(path);
		goto out;
	}
	prog_info(bpf_program__fd(skel->progs.ktls_sockops), &pi);
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", p->dir);
		jw_obj_begin("cgroup");
		jw_str("path", cgroup);
		jw_uint("sock_ops_id", pi.id);
		jw_obj_end();
		jw_obj_end();
	} else {
		printf("sock_ops program (id %u) attached to cgroup %s: its TCP connections enter the sockhash when established\n",
		       pi.id, cgroup);
	}
	rc = EXIT_OK;
out:
	/* The pinned link keeps the program attached after we exit. */
	bpf_link__destroy(link);
	ktls_sockops__destroy(skel);
	close(cg);
	return rc;
}

static int policy_cgroup(int argc, char **argv)
{
	const char *pos[1];
	struct pol p;
	int rc;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_args(argc, argv, 1, pos, &p.dir, "CGROUP (a cgroup v2 directory, or 'off')");
	if (rc)
		return rc;
	bpf_setup();
	rc = pol_open(p.dir, &p);
	if (rc)
		return rc;
	rc = strcmp(pos[0], "off") ? cgroup_on(&p, pos[0]) : cgroup_off(&p);
	pol_close(&p);
	return rc;
}

/* --- deny prefixes ---------------------------------------------------------- */

/* "GET /x\r\n" escapes to bytes; false if malformed or too long. */
static bool unescape(const char *s, struct ktls_deny_prefix *p)
{
	unsigned int v;

	memset(p, 0, sizeof(*p));
	while (*s) {
		unsigned char c = *s++;

		if (c == '\\') {
			switch (*s++) {
			case 'r':
				c = '\r';
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x':
				if (!isxdigit((unsigned char)s[0]) ||
				    !isxdigit((unsigned char)s[1]) ||
				    sscanf(s, "%2x", &v) != 1)
					return false;
				c = v;
				s += 2;
				break;
			default:
				return false;
			}
		}
		if (p->len == KTLS_DENY_LEN)
			return false;
		p->bytes[p->len++] = c;
	}
	return p->len > 0;
}

static void escape(const struct ktls_deny_prefix *p, char *out, size_t len)
{
	size_t o = 0;
	__u32 i;

	for (i = 0; i < p->len && i < KTLS_DENY_LEN && o + 5 < len; i++) {
		unsigned char c = p->bytes[i];

		if (c == '\r')
			o += snprintf(out + o, len - o, "\\r");
		else if (c == '\n')
			o += snprintf(out + o, len - o, "\\n");
		else if (c == '\t')
			o += snprintf(out + o, len - o, "\\t");
		else if (c == '\\')
			o += snprintf(out + o, len - o, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	out[o] = '\0';
}

static bool same(const struct ktls_deny_prefix *a, const struct ktls_deny_prefix *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

static void json_prefixes(int fd)
{
	struct ktls_deny_prefix p;
	char text[KTLS_DENY_LEN * 4 + 1];
	__u32 i;

	jw_arr_begin("deny_prefixes");
	for (i = 0; i < KTLS_DENY_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, &p) || !p.len)
			continue;
		escape(&p, text, sizeof(text));
		jw_obj_begin(NULL);
		jw_uint("slot", i);
		jw_str("prefix", text);
		jw_uint("length", p.len);
		jw_obj_end();
	}
	jw_arr_end();
}

static void text_prefixes(int fd, const char *indent)
{
	struct ktls_deny_prefix p;
	char text[KTLS_DENY_LEN * 4 + 1];
	int n = 0;
	__u32 i;

	for (i = 0; i < KTLS_DENY_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, &p) || !p.len)
			continue;
		escape(&p, text, sizeof(text));
		printf("%sslot %-2u \"%s\" (%u bytes)\n", indent, i, text, p.len);
		n++;
	}
	if (!n)
		printf("%s(no prefixes: nothing is denied)\n", indent);
}

static int deny_cmd(int which, int argc, char **argv)
{
	struct ktls_deny_prefix want, p;
	const char *pos[1], *dir;
	int npos = which < 2, rc, free_slot = -1, found = -1;
	struct pol pl;
	__u32 i;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_args(argc, argv, npos, pos, &dir, "PREFIX");
	if (rc)
		return rc;
	if (npos && !unescape(pos[0], &want))
		return p_usage("bad prefix '%s': 1 to %d bytes, escapes \\r \\n \\t \\\\ \\xHH",
			       pos[0], KTLS_DENY_LEN);
	bpf_setup();
	rc = pol_open(dir, &pl);
	if (rc)
		return rc;
	if (pl.deny < 0) {
		pol_close(&pl);
		return p_err("the policy at %s has no %s map (load 'deny')", dir,
			     MAP_DENY);
	}
	for (i = 0; i < KTLS_DENY_MAX; i++) {
		if (bpf_map_lookup_elem(pl.deny, &i, &p)) {
			rc = p_err("reading %s: %s", MAP_DENY, strerror(errno));
			goto out;
		}
		if (!p.len && free_slot < 0)
			free_slot = i;
		if (npos && p.len && same(&p, &want) && found < 0)
			found = i;
		if (which == 3 && p.len) {	/* clear */
			memset(&p, 0, sizeof(p));
			if (bpf_map_update_elem(pl.deny, &i, &p, BPF_ANY)) {
				rc = p_err("clearing slot %u: %s", i, strerror(errno));
				goto out;
			}
		}
	}
	if (which == 0 && found < 0) {		/* add */
		if (free_slot < 0) {
			rc = p_err("all %d prefix slots are in use", KTLS_DENY_MAX);
			goto out;
		}
		i = free_slot;
		if (bpf_map_update_elem(pl.deny, &i, &want, BPF_ANY)) {
			rc = p_err("adding the prefix: %s", strerror(errno));
			goto out;
		}
	} else if (which == 1) {		/* del */
		if (found < 0) {
			rc = p_err("'%s' is not a denied prefix", pos[0]);
			goto out;
		}
		i = found;
		memset(&p, 0, sizeof(p));
		if (bpf_map_update_elem(pl.deny, &i, &p, BPF_ANY)) {
			rc = p_err("removing the prefix: %s", strerror(errno));
			goto out;
		}
	}
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", dir);
		json_prefixes(pl.deny);
		jw_obj_end();
	} else {
		printf("denied prefixes:\n");
		text_prefixes(pl.deny, "  ");
	}
out:
	pol_close(&pl);
	return rc;
}

static int deny_add(int argc, char **argv)
{
	return deny_cmd(0, argc, argv);
}

static int deny_del(int argc, char **argv)
{
	return deny_cmd(1, argc, argv);
}

static int deny_show(int argc, char **argv)
{
	return deny_cmd(2, argc, argv);
}

static int deny_clear(int argc, char **argv)
{
	return deny_cmd(3, argc, argv);
}

static int policy_help_cmd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return p_help(policy_help);
}

static const struct cmd deny_cmds[] = {
	{ "add", deny_add },
	{ "del", deny_del },
	{ "show", deny_show },
	{ "clear", deny_clear },
	{ "help", policy_help_cmd },
	{ NULL, NULL },
};

static int policy_deny(int argc, char **argv)
{
	return cmd_dispatch("policy deny", deny_cmds, argc, argv);
}

/* --- show ------------------------------------------------------------------ */

static void sock_name(char *buf, size_t len, __u32 family, const __u32 *addr,
		      __u32 port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, port);
	} else {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, port);
	}
}

static void add_verdicts(struct ktls_verdicts *sum, const struct ktls_verdicts *v)
{
	sum->pass_msgs += v->pass_msgs;
	sum->pass_bytes += v->pass_bytes;
	sum->drop_msgs += v->drop_msgs;
	sum->drop_bytes += v->drop_bytes;
}

static void json_verdicts(const char *name, const struct ktls_verdicts *v)
{
	jw_obj_begin(name);
	jw_uint("pass_msgs", v->pass_msgs);
	jw_uint("pass_bytes", v->pass_bytes);
	jw_uint("drop_msgs", v->drop_msgs);
	jw_uint("drop_bytes", v->drop_bytes);
	jw_obj_end();
}

static void text_verdicts(const char *name, const struct ktls_verdicts *v)
{
	printf(" %s pass %llu/%llu B drop %llu/%llu B", name,
	       (unsigned long long)v->pass_msgs, (unsigned long long)v->pass_bytes,
	       (unsigned long long)v->drop_msgs, (unsigned long long)v->drop_bytes);
}

/* Per-socket counters (sock_stats), then their totals. */
static void show_sockets(int fd)
{
	struct ktls_sock_key key, next;
	struct ktls_sock_stats st;
	struct ktls_sock_stats sum;
	char local[64], remote[64];
	bool more;
	int n = 0;

	memset(&sum, 0, sizeof(sum));
	if (json_output)
		jw_arr_begin("sockets");
	else
		printf("per socket, messages/bytes (tls: plaintext on a kTLS socket; tcp: before the hand-off):\n");
	more = !bpf_map_get_next_key(fd, NULL, &key);
	while (more) {
		more = !bpf_map_get_next_key(fd, &key, &next);
		if (!bpf_map_lookup_elem(fd, &key, &st)) {
			sock_name(local, sizeof(local), key.family, key.local_addr,
				  key.local_port);
			sock_name(remote, sizeof(remote), key.family,
				  key.remote_addr, key.remote_port);
			add_verdicts(&sum.tls, &st.tls);
			add_verdicts(&sum.tcp, &st.tcp);
			if (json_output) {
				jw_obj_begin(NULL);
				jw_str("local", local);
				jw_str("remote", remote);
				json_verdicts("tls", &st.tls);
				json_verdicts("tcp", &st.tcp);
				jw_obj_end();
			} else {
				printf("  %s -> %s\n   ", local, remote);
				text_verdicts("tls", &st.tls);
				text_verdicts(" tcp", &st.tcp);
				printf("\n");
			}
			n++;
		}
		key = next;
	}
	if (json_output) {
		jw_arr_end();
		jw_obj_begin("totals");
		json_verdicts("tls", &sum.tls);
		json_verdicts("tcp", &sum.tcp);
		jw_obj_end();
	} else {
		if (!n)
			printf("  (none yet)\n");
		printf("totals\n   ");
		text_verdicts("tls", &sum.tls);
		text_verdicts(" tcp", &sum.tcp);
		printf("\n");
	}
}

static void show_cgroup(struct pol *p)
{
	struct ktls_cgroup_stats cs = { 0 };
	struct bpf_link_info li;
	__u32 len = sizeof(li), zero = 0;
	const char *path = NULL;

	memset(&li, 0, sizeof(li));
	if (p->link >= 0 && !bpf_obj_get_info_by_fd(p->link, &li, &len))
		path = cgroup_path(li.cgroup.cgroup_id);
	if (p->cgstats >= 0)
		bpf_map_lookup_elem(p->cgstats, &zero, &cs);
	if (json_output) {
		if (p->link < 0) {
			jw_null("cgroup");
			return;
		}
		jw_obj_begin("cgroup");
		jw_str("path", path);
		jw_uint("id", li.cgroup.cgroup_id);
		jw_uint("sock_ops_id", li.prog_id);
		jw_uint("added", cs.added);
		jw_uint("failed", cs.failed);
		jw_obj_end();
	} else if (p->link < 0) {
		printf("  %-15s none (see '%s policy cgroup')\n", "cgroup", PROG);
	} else {
		printf("  %-15s %s (sock_ops id %u): %llu sockets added, %llu failed\n",
		       "cgroup", path ? path : "?", li.prog_id,
		       (unsigned long long)cs.added, (unsigned long long)cs.failed);
	}
}

static int policy_show(int argc, char **argv)
{
	struct bpf_map_info mi;
	struct pol p;
	long n;
	int rc, i, att;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_start(argc, argv, &p);
	if (rc)
		return rc;
	map_info(p.map, &mi);
	n = map_count(p.map);

	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", p.dir);
		jw_arr_begin("programs");
		for (i = 0; i < NROLES; i++)
			if (p.prog[i] >= 0)
				json_prog(roles[i].pin, p.prog[i],
					  prog_attached(p.map, p.prog[i], roles[i].type));
		jw_arr_end();
		jw_obj_begin("sockhash");
		jw_str("name", mi.name);
		jw_uint("id", mi.id);
		jw_uint("max_entries", mi.max_entries);
		jw_int("sockets", n);
		jw_obj_end();
	} else {
		printf("policy pinned in %s\n", p.dir);
		for (i = 0; i < NROLES; i++) {
			struct bpf_prog_info pi;

			if (p.prog[i] < 0 || prog_info(p.prog[i], &pi))
				continue;
			att = prog_attached(p.map, p.prog[i], roles[i].type);
			printf("  %-15s %s (id %u) %s\n", roles[i].pin, pi.name, pi.id,
			       att < 0 ? "" : att ? "attached" : "not attached");
		}
		printf("  %-15s %s (id %u): %ld socket%s in it\n", "sockhash",
		       mi.name, mi.id, n, n == 1 ? "" : "s");
	}
	show_cgroup(&p);
	if (p.deny >= 0) {
		if (json_output) {
			json_prefixes(p.deny);
		} else {
			printf("  denied prefixes:\n");
			text_prefixes(p.deny, "    ");
		}
	}
	if (p.stats >= 0)
		show_sockets(p.stats);
	if (json_output)
		jw_obj_end();
	pol_close(&p);
	return EXIT_OK;
}

/* --- unload ---------------------------------------------------------------- */

static int policy_unload(int argc, char **argv)
{
	long removed = 0;
	struct pol p;
	int rc;

	if (wants_help(argc, argv))
		return p_help(policy_help);
	rc = pol_start(argc, argv, &p);
	if (rc)
		return rc;
	if (p.link >= 0 && bpf_link_detach(p.link))
		rc = p_err("detaching the cgroup hook: %s", why(errno));
	if (!rc)
		rc = pol_detach(&p, &removed);
	pol_close(&p);
	if (rc)
		return rc;
	unpin_all(p.dir);
	if (json_output) {
		jw_obj_begin(NULL);
		jw_str("pin", p.dir);
		jw_bool("unloaded", true);
		jw_int("sockets_removed", removed);
		jw_obj_end();
	} else {
		printf("policy at %s unloaded (%ld socket%s left the sockhash)\n",
		       p.dir, removed, removed == 1 ? "" : "s");
	}
	return EXIT_OK;
}

static const struct cmd policy_cmds[] = {
	{ "load", policy_load },
	{ "attach", policy_attach },
	{ "detach", policy_detach },
	{ "cgroup", policy_cgroup },
	{ "deny", policy_deny },
	{ "show", policy_show },
	{ "unload", policy_unload },
	{ "help", policy_help_cmd },
	{ NULL, NULL },
};

int do_policy(int argc, char **argv)
{
	return cmd_dispatch("policy", policy_cmds, argc, argv);
}
