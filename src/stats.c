// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: statistics.  Per network namespace, per-CPU counters with the
 * names mainline Linux uses in /proc/net/tls_stat, shown in
 * /proc/net/ktls_stat, followed by the module's own counters.
 */
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "ktls.h"

static const char *const ktls_stat_names[KTLS_NUM_STATS] = {
	[KTLS_STAT_CURR_TX_SW] = "TlsCurrTxSw",
	[KTLS_STAT_CURR_RX_SW] = "TlsCurrRxSw",
	[KTLS_STAT_CURR_TX_DEVICE] = "TlsCurrTxDevice",
	[KTLS_STAT_CURR_RX_DEVICE] = "TlsCurrRxDevice",
	[KTLS_STAT_TX_SW] = "TlsTxSw",
	[KTLS_STAT_RX_SW] = "TlsRxSw",
	[KTLS_STAT_TX_DEVICE] = "TlsTxDevice",
	[KTLS_STAT_RX_DEVICE] = "TlsRxDevice",
	[KTLS_STAT_DECRYPT_ERROR] = "TlsDecryptError",
	[KTLS_STAT_RX_DEVICE_RESYNC] = "TlsRxDeviceResync",
	[KTLS_STAT_DECRYPT_RETRY] = "TlsDecryptRetry",
	[KTLS_STAT_RX_NO_PAD_VIOLATION] = "TlsRxNoPadViolation",
	[KTLS_STAT_RX_REKEY_OK] = "TlsRxRekeyOk",
	[KTLS_STAT_RX_REKEY_ERROR] = "TlsRxRekeyError",
	[KTLS_STAT_TX_REKEY_OK] = "TlsTxRekeyOk",
	[KTLS_STAT_TX_REKEY_ERROR] = "TlsTxRekeyError",
	[KTLS_STAT_RX_REKEY_RECEIVED] = "TlsRxRekeyReceived",
	[KTLS_STAT_TX_MSG_PASS] = "KtlsTxMsgPass",
	[KTLS_STAT_TX_MSG_DROP] = "KtlsTxMsgDrop",
	[KTLS_STAT_TX_MSG_REDIRECT] = "KtlsTxMsgRedirect",
	[KTLS_STAT_TX_MSG_CORKED_BYTES] = "KtlsTxMsgCorkedBytes",
	[KTLS_STAT_TX_MSG_DROPPED_BYTES] = "KtlsTxMsgDroppedBytes",
	[KTLS_STAT_RX_SKB_PASS] = "KtlsRxSkbPass",
	[KTLS_STAT_RX_SKB_DROP] = "KtlsRxSkbDrop",
	[KTLS_STAT_RX_SKB_REDIRECT] = "KtlsRxSkbRedirect",
	[KTLS_STAT_RX_SKB_REDIRECT_LOST] = "KtlsRxSkbRedirectLost",
	[KTLS_STAT_FRAG_REUSED] = "KtlsFragReused",
};

struct ktls_net {
	unsigned long __percpu *mib; /* KTLS_NUM_STATS counters per CPU */
};

static unsigned int ktls_net_id __read_mostly;

/* Objects alive in the whole module, for leak checks. */
atomic_long_t ktls_live_ctx = ATOMIC_LONG_INIT(0);
atomic_long_t ktls_live_rx_records = ATOMIC_LONG_INIT(0);

void ktls_stat_add(const struct sock *sk, enum ktls_stat stat, long n)
{
	struct ktls_net *kn = net_generic(sock_net(sk), ktls_net_id);

	this_cpu_add(kn->mib[stat], n);
}

static int ktls_stat_show(struct seq_file *seq, void *v)
{
	struct ktls_net *kn =
		net_generic(seq_file_single_net(seq), ktls_net_id);
	int i, cpu;

	for (i = 0; i < KTLS_NUM_STATS; i++) {
		unsigned long sum = 0;

		for_each_possible_cpu(cpu)
			sum += per_cpu_ptr(kn->mib, cpu)[i];
		seq_printf(seq, "%-32s\t%lu\n", ktls_stat_names[i], sum);
	}
	seq_printf(seq, "%-32s\t%ld\n", "KtlsLiveContexts",
		   atomic_long_read(&ktls_live_ctx));
	seq_printf(seq, "%-32s\t%ld\n", "KtlsLiveRxRecords",
		   atomic_long_read(&ktls_live_rx_records));
	return 0;
}

static int __net_init ktls_net_init(struct net *net)
{
	struct ktls_net *kn = net_generic(net, ktls_net_id);

	kn->mib = __alloc_percpu(sizeof(unsigned long) * KTLS_NUM_STATS,
				 sizeof(unsigned long));
	if (!kn->mib)
		return -ENOMEM;
	if (!proc_create_net_single("ktls_stat", 0444, net->proc_net,
				    ktls_stat_show, NULL)) {
		free_percpu(kn->mib);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit ktls_net_exit(struct net *net)
{
	struct ktls_net *kn = net_generic(net, ktls_net_id);

	remove_proc_entry("ktls_stat", net->proc_net);
	free_percpu(kn->mib);
}

static struct pernet_operations ktls_net_ops = {
	.init = ktls_net_init,
	.exit = ktls_net_exit,
	.id = &ktls_net_id,
	.size = sizeof(struct ktls_net),
};

int ktls_stats_init(void)
{
	return register_pernet_subsys(&ktls_net_ops);
}

void ktls_stats_exit(void)
{
	unregister_pernet_subsys(&ktls_net_ops);
}
