// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the optional "tls" ULP name (module parameter register_tls).
 *
 * The in-tree tls.ko ignores the error when it cannot register "tls".
 * If it loaded while we hold the name, its exit would unlink a list entry
 * that was never linked and corrupt the kernel's ULP list.  So while we
 * hold "tls", a module notifier refuses to let tls.ko load; if it slipped
 * in during our own registration, it is pinned for good instead.
 */
#include <linux/module.h>
#include <linux/notifier.h>
#include <net/tcp.h>

#include "ktls.h"

#define KTLS_INTREE_MODULE "tls"

/* The "ktls" operations under the in-tree module's name. */
static struct tcp_ulp_ops ktls_tls_ops;

static bool ktls_holds_tls;
static bool ktls_pinned_intree;

static int ktls_module_event(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;

	if (!READ_ONCE(ktls_holds_tls) || strcmp(mod->name, KTLS_INTREE_MODULE))
		return NOTIFY_DONE;

	switch (action) {
	case MODULE_STATE_COMING:
		pr_warn("refusing to load tls.ko: ktls holds the TCP ULP name \"tls\" (register_tls=1); unload ktls first\n");
		return notifier_from_errno(-EBUSY);
	case MODULE_STATE_LIVE:
		/* Raced with our registration: make sure it never unloads. */
		if (!ktls_pinned_intree && try_module_get(mod)) {
			ktls_pinned_intree = true;
			pr_warn("tls.ko loaded while ktls held \"tls\"; pinned it so it cannot be removed\n");
		}
		return NOTIFY_OK;
	default:
		return NOTIFY_DONE;
	}
}

static struct notifier_block ktls_module_nb = {
	.notifier_call = ktls_module_event,
};

bool ktls_alias_ops(const struct tcp_ulp_ops *ops)
{
	return ops == &ktls_tls_ops;
}

int ktls_alias_register(void)
{
	int err;

	/* Watch first, so no tls.ko can load between the two steps. */
	err = register_module_notifier(&ktls_module_nb);
	if (err)
		return err;

	ktls_tls_ops = ktls_ulp_ops;
	strscpy(ktls_tls_ops.name, "tls", sizeof(ktls_tls_ops.name));

	WRITE_ONCE(ktls_holds_tls, true);
	err = tcp_register_ulp(&ktls_tls_ops);
	if (err) {
		WRITE_ONCE(ktls_holds_tls, false);
		unregister_module_notifier(&ktls_module_nb);
		if (err == -EEXIST)
			pr_err("register_tls=1: the TCP ULP name \"tls\" is already taken (is tls.ko loaded or built in?); not loading\n");
		else
			pr_err("register_tls=1: cannot register TCP ULP \"tls\": %d\n",
			       err);
		return err;
	}
	return 0;
}

void ktls_alias_unregister(void)
{
	tcp_unregister_ulp(&ktls_tls_ops);
	WRITE_ONCE(ktls_holds_tls, false);
	unregister_module_notifier(&ktls_module_nb);
}
