// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: kernel TLS as a loadable TCP upper layer protocol.
 *
 * Module entry points and parameters.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "ktls.h"

bool ktls_register_tls;
module_param_named(register_tls, ktls_register_tls, bool, 0444);
MODULE_PARM_DESC(register_tls,
		 "Also register the ULP name \"tls\" (default: no)");

static int __init ktls_init(void)
{
	int err;

	err = ktls_frag_init();
	if (err)
		return err;
	err = ktls_stats_init();
	if (err)
		goto err_frag;
	err = ktls_redirect_init();
	if (err)
		goto err_stats;
	/*
	 * Names last, and "ktls" after "tls" (which fails when tls.ko holds
	 * it): once a name is registered a socket can take a reference on
	 * this module, and a failing init would free it all the same.
	 */
	if (ktls_register_tls) {
		err = ktls_alias_register();
		if (err)
			goto err_redirect;
	}
	err = ktls_ulp_register();
	if (err)
		goto err_alias;

	pr_info("loaded: ULP \"ktls\"%s\n",
		ktls_register_tls ? " and \"tls\"" : "");
	return 0;

err_alias:
	if (ktls_register_tls)
		ktls_alias_unregister();
err_redirect:
	ktls_redirect_exit();
err_stats:
	ktls_stats_exit();
err_frag:
	ktls_frag_cleanup();
	return err;
}

static void __exit ktls_exit(void)
{
	if (ktls_register_tls)
		ktls_alias_unregister();
	ktls_ulp_unregister();
	/* Sockets hold a module reference: none can still use the tables. */
	rcu_barrier();
	ktls_redirect_exit();
	/* Every socket is gone (each held a reference): so must its state be. */
	if (atomic_long_read(&ktls_live_ctx) ||
	    atomic_long_read(&ktls_live_rx_records))
		pr_err("leak: %ld contexts, %ld records still allocated\n",
		       atomic_long_read(&ktls_live_ctx),
		       atomic_long_read(&ktls_live_rx_records));
	ktls_proto_cleanup();
	ktls_frag_cleanup();
	ktls_stats_exit();
}

module_init(ktls_init);
module_exit(ktls_exit);

MODULE_DESCRIPTION("Kernel TLS as a loadable TCP ULP, sockmap-compatible");
MODULE_AUTHOR("The ktls developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KTLS_VERSION);
MODULE_ALIAS_TCP_ULP("ktls");
