// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: fault injection, for tests only.  Built in only when the module is
 * built with KTLS_FAULT=1 (tests/modules/build.sh); the module as packaged
 * has none of it.  The Debian kernels have no fault-injection framework of
 * their own (no CONFIG_FAULT_INJECTION), so the paths that run when memory
 * runs out are reached through these points instead.
 *
 * A point in the bit mask fault_sites fails once fault_skip passes of
 * enabled points have gone by, fault_times times (negative: every time
 * from then on); fault_hits counts the failures injected.  Written through
 * /sys/module/ktls/parameters/ while no socket is busy.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>

#include "ktls.h"

static unsigned int fault_sites;
module_param(fault_sites, uint, 0600);
MODULE_PARM_DESC(fault_sites, "test build: bit mask of the points that fail");

static unsigned int fault_skip;
module_param(fault_skip, uint, 0600);
MODULE_PARM_DESC(fault_skip, "test build: passes to let go by first");

static int fault_times;
module_param(fault_times, int, 0600);
MODULE_PARM_DESC(fault_times, "test build: failures to inject (<0: all)");

static unsigned int fault_hits;
module_param(fault_hits, uint, 0400);
MODULE_PARM_DESC(fault_hits, "test build: failures injected so far");

static DEFINE_SPINLOCK(ktls_fault_lock);

bool ktls_fault(enum ktls_fault_site site)
{
	unsigned long flags;
	bool fail = false;

	if (!(READ_ONCE(fault_sites) & BIT(site)))
		return false;
	spin_lock_irqsave(&ktls_fault_lock, flags);
	if (fault_skip) {
		fault_skip--;
	} else if (fault_times) {
		if (fault_times > 0)
			fault_times--;
		fault_hits++;
		fail = true;
	}
	spin_unlock_irqrestore(&ktls_fault_lock, flags);
	if (fail)
		pr_info_ratelimited("fault injected at point %d\n", site);
	return fail;
}
