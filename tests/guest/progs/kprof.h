/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kprof: where the CPUs spend their time during a measurement, for
 * tls_bench -p.  Every online CPU samples its instruction pointer with the
 * software cpu-clock event; samples are resolved against /proc/kallsyms
 * (modules included).  kprof_stop() sums them up as idle, cipher (the
 * AEAD's own code), user and the rest, and can print the busiest symbols
 * as "INFO prof <name> <share>% <symbol> [<module>]".  Under QEMU's TCG the
 * emulated AES-NI dominates and its speed moves with the host's load; the
 * rest (the kernel's work around the cipher) is the steadier figure when
 * two implementations are compared.
 */
#ifndef KPROF_H
#define KPROF_H

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define KPROF_CPUS 16
#define KPROF_PAGES 256 /* data pages per CPU: 1 MiB, 64k samples */

struct kprof_sum {
	unsigned long total, idle, cipher, user;
};

struct kprof_sym {
	unsigned long addr;
	char name[64];
	char mod[24];
	unsigned long hits;
};

static struct kprof_sym *kprof_syms;
static size_t kprof_nsyms;
static int kprof_fd[KPROF_CPUS];
static void *kprof_ring[KPROF_CPUS];
static int kprof_ncpu;

static int kprof_cmp(const void *a, const void *b)
{
	const struct kprof_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int kprof_by_hits(const void *a, const void *b)
{
	const struct kprof_sym *x = a, *y = b;

	return x->hits > y->hits ? -1 : x->hits < y->hits;
}

static int kprof_load_syms(void)
{
	char line[256], type, name[64], mod[24];
	size_t cap = 0;
	unsigned long a;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		mod[0] = 0;
		if (sscanf(line, "%lx %c %63s [%23[^]]]", &a, &type, name,
			   mod) < 3 ||
		    !a || (type != 't' && type != 'T'))
			continue;
		if (kprof_nsyms == cap) {
			cap = cap ? 2 * cap : 65536;
			kprof_syms = realloc(kprof_syms,
					     cap * sizeof(*kprof_syms));
			if (!kprof_syms)
				break;
		}
		kprof_syms[kprof_nsyms].addr = a;
		snprintf(kprof_syms[kprof_nsyms].name,
			 sizeof(kprof_syms[0].name), "%s", name);
		snprintf(kprof_syms[kprof_nsyms].mod,
			 sizeof(kprof_syms[0].mod), "%s", mod);
		kprof_nsyms++;
	}
	fclose(f);
	if (!kprof_nsyms)
		return -1;
	qsort(kprof_syms, kprof_nsyms, sizeof(*kprof_syms), kprof_cmp);
	return 0;
}

static int kprof_start(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 500000, /* ns: 2 kHz */
		.sample_type = PERF_SAMPLE_IP,
		.disabled = 1,
		.exclude_hv = 1,
	};
	size_t len = (KPROF_PAGES + 1) * 4096;
	int cpu;

	if (!kprof_syms && kprof_load_syms())
		return -1;
	kprof_ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (kprof_ncpu > KPROF_CPUS)
		kprof_ncpu = KPROF_CPUS;
	for (cpu = 0; cpu < kprof_ncpu; cpu++) {
		kprof_fd[cpu] = syscall(SYS_perf_event_open, &attr, -1, cpu,
					-1, 0);
		if (kprof_fd[cpu] < 0)
			return -1;
		kprof_ring[cpu] = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_SHARED, kprof_fd[cpu], 0);
		if (kprof_ring[cpu] == MAP_FAILED)
			return -1;
		ioctl(kprof_fd[cpu], PERF_EVENT_IOC_ENABLE, 0);
	}
	return 0;
}

static void kprof_hit(unsigned long ip, unsigned long *user)
{
	size_t lo = 0, hi = kprof_nsyms;

	if (ip < kprof_syms[0].addr) {
		(*user)++;
		return;
	}
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (kprof_syms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid;
	}
	kprof_syms[lo].hits++;
}

static int kprof_is_idle(const struct kprof_sym *s)
{
	return strstr(s->name, "idle") || strstr(s->name, "halt");
}

static int kprof_is_cipher(const struct kprof_sym *s)
{
	static const char *const mods[] = { "aesni_intel", "ghash_clmulni_intel",
					    "chacha_x86_64", "poly1305_x86_64",
					    "aes_generic", "gcm" };
	size_t i;

	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (!strcmp(s->mod, mods[i]))
			return 1;
	return !strncmp(s->name, "aes", 3) || !strncmp(s->name, "gcm", 3) ||
	       !strncmp(s->name, "ghash", 5) || !strncmp(s->name, "chacha", 6) ||
	       !strncmp(s->name, "poly1305", 8);
}

/*
 * Stop sampling; add the samples to @sum and print the @top busiest
 * symbols under @name.
 */
static void kprof_stop(const char *name, int top, struct kprof_sum *sum)
{
	size_t len = (KPROF_PAGES + 1) * 4096, i;
	unsigned long total = 0, user = 0;
	int cpu, k;

	for (i = 0; i < kprof_nsyms; i++)
		kprof_syms[i].hits = 0;
	for (cpu = 0; cpu < kprof_ncpu; cpu++) {
		struct perf_event_mmap_page *pg = kprof_ring[cpu];
		unsigned char *data = (unsigned char *)pg + 4096;
		__u64 head, tail;

		ioctl(kprof_fd[cpu], PERF_EVENT_IOC_DISABLE, 0);
		head = __atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
		for (tail = pg->data_tail; tail < head;) {
			struct perf_event_header h;
			unsigned long ip;
			size_t o = tail % (KPROF_PAGES * 4096);

			memcpy(&h, data + o, sizeof(h));
			if (h.type == PERF_RECORD_SAMPLE &&
			    o + sizeof(h) + sizeof(ip) <= KPROF_PAGES * 4096) {
				memcpy(&ip, data + o + sizeof(h), sizeof(ip));
				kprof_hit(ip, &user);
				total++;
			}
			if (!h.size)
				break;
			tail += h.size;
		}
		munmap(pg, len);
		close(kprof_fd[cpu]);
	}
	for (i = 0; i < kprof_nsyms; i++) {
		if (kprof_is_idle(&kprof_syms[i]))
			sum->idle += kprof_syms[i].hits;
		else if (kprof_is_cipher(&kprof_syms[i]))
			sum->cipher += kprof_syms[i].hits;
	}
	sum->total += total;
	sum->user += user;
	if (!total || !top)
		return;
	printf("INFO prof %s %lu samples, user %.1f%%\n", name, total,
	       100.0 * user / total);
	qsort(kprof_syms, kprof_nsyms, sizeof(*kprof_syms), kprof_by_hits);
	for (k = 0; k < top && k < (int)kprof_nsyms && kprof_syms[k].hits;
	     k++)
		printf("INFO prof %s %5.1f%% %s%s%s%s\n", name,
		       100.0 * kprof_syms[k].hits / total, kprof_syms[k].name,
		       kprof_syms[k].mod[0] ? " [" : "", kprof_syms[k].mod,
		       kprof_syms[k].mod[0] ? "]" : "");
	qsort(kprof_syms, kprof_nsyms, sizeof(*kprof_syms), kprof_cmp);
}

#endif
