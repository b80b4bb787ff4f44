/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktls: private declarations shared by the module's source files.
 */
#ifndef _KTLS_KTLS_H
#define _KTLS_KTLS_H

#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/skbuff.h>
#include <linux/skmsg.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/strparser.h>
#include <net/tls.h>

#include "compat.h"
#include "wire.h"

/*
 * Points where a test build (src/fault.c, KTLS_FAULT=1) can make a call
 * fail as if memory had run out.  Nothing fails in any other build.
 */
enum ktls_fault_site {
	KTLS_FAULT_TX_SEAL, /* sealing a TX record */
	KTLS_FAULT_TX_COPY, /* a page fragment for TX plaintext */
	KTLS_FAULT_RX_OPEN, /* decrypting a received record */
	KTLS_FAULT_AEAD_LATE, /* an AEAD request, after it has done its work */
};

#ifdef KTLS_FAULT_INJECT
bool ktls_fault(enum ktls_fault_site site);
#else
static inline bool ktls_fault(enum ktls_fault_site site)
{
	return false;
}
#endif

/* Index of the protocol tables: a direction is either plain TCP or ours. */
enum {
	KTLS_BASE,
	KTLS_SW,
	KTLS_NUM_CONF,
};

/* One direction's record protection. */
struct ktls_dir {
	struct crypto_aead *aead;
	struct aead_request *req;
	struct ktls_prot prot;
	struct ktls_iv_state st;
	u8 aad[KTLS_MAX_AAD_SIZE];
	u8 nonce[KTLS_MAX_NONCE_SIZE];
};

/* Largest record on the wire: header, nonce, 2^14 data, type, tag. */
#define KTLS_MAX_RECORD \
	(KTLS_MAX_PREPEND_SIZE + KTLS_MAX_PLAINTEXT + 1 + KTLS_TAG_SIZE)
#define KTLS_TX_PAGES DIV_ROUND_UP(KTLS_MAX_RECORD, PAGE_SIZE)
/*
 * Pieces a sealed record is kept in: the rest of the socket's page
 * fragment, then a new fragment or (short of memory) pages of its own.
 */
#define KTLS_EN_PIECES (KTLS_TX_PAGES + 1)

enum {
	KTLS_TX_CLOSING, /* tx.flags: the socket is closing */
	KTLS_TX_SCHEDULED, /* the push work is queued (or must not be) */
	KTLS_TX_UNSEALED, /* a flush left bytes open: the next catch-up's */
	KTLS_TX_REDIRECTING, /* a redirect let go of the locks: senders wait */
	KTLS_TX_CLOSE_WAIT, /* close() waits for tx->lock: senders wait too */
	KTLS_TX_DELIVERING, /* a redirect from another socket holds the locks */
	KTLS_TX_SHUT_FOR_CLOSE, /* close() set SEND_SHUTDOWN to end its wait */
	KTLS_TX_REDIR_HELD, /* a redirect's bytes wait for its target */
	KTLS_TX_REDIR_AGAIN, /* ... and this flush put them back again */
	KTLS_TX_BROKEN, /* a seal failed: no record is sealed any more */
};

/* SK_MSG verdict state of a TX side in a sockmap, see policy.c. */
struct ktls_tx_policy {
	int eval; /* __SK_NONE until the program ran */
	bool counted; /* the verdict has been counted */
	bool ingress; /* redirect to the target's receive queue */
	u32 apply; /* bytes the verdict still covers */
	u32 corked; /* bytes of the open record already counted as corked */
	struct sock *redir; /* redirect target, referenced */
};

struct ktls_tx {
	struct ktls_dir dir;
	/* The open record's plaintext, in the kernel's sk_msg ring layout. */
	struct sk_msg pl;
	u8 type; /* content type of the open record */
	u8 seal_type; /* content type of the record being sealed */
	u8 en_n; /* pieces of the sealed record */
	struct ktls_tx_policy pol;
	/*
	 * The sealed record being handed to TCP, and how much already is:
	 * en_plen[i] bytes at en_poff[i] of (compound) page en_page[i].
	 */
	struct page *en_page[KTLS_EN_PIECES];
	u16 en_poff[KTLS_EN_PIECES];
	u16 en_plen[KTLS_EN_PIECES];
	u32 en_len;
	u32 en_sent;
	u16 max_payload;
	struct sock *sk;
	unsigned long flags;
	struct mutex lock; /* one sender at a time, see ktls_tx_lock() */
	struct delayed_work work; /* catch-up, see ktls_tx_work() */
	struct ktls_tx_sg *sg; /* allocated when the first record is sealed */
};

/*
 * The AEAD's view of a record being sealed; and the caller's pages that
 * the open record holds while an SK_MSG program judges it (see
 * ktls_tx_send_judged()).
 */
struct ktls_tx_sg {
	struct scatterlist src[MAX_MSG_FRAGS + 3];
	struct scatterlist dst[KTLS_EN_PIECES + 1];
	struct page *pinned[MAX_MSG_FRAGS];
	u8 pinned_n;
};

struct ktls_rx {
	struct ktls_dir dir;
	struct sk_buff_head list; /* decrypted records not yet read */
	struct sk_buff *cur; /* the record being taken out of TCP */
	u32 cur_got; /* bytes of it taken so far */
	struct sk_buff *ready; /* a whole record copied out, still encrypted */
	u32 in_tcp; /* or: the length of a whole record still in TCP */
	u32 hdr_len; /* length of the record at TCP's head, 0: not parsed */
	u8 hdr[KTLS_MAX_PREPEND_SIZE]; /* and its header */
	u8 hdr_got; /* bytes of hdr taken out of TCP (see ktls_rx_pull) */
	bool retry; /* out of memory in data_ready: a reader must try */
	bool arrived; /* bytes data_ready left for the lock holder */
	int err; /* sticky -EBADMSG: a record failed authentication */
	bool stopped; /* framing error: nothing more is parsed */
	bool key_update; /* KeyUpdate read: wait for the new key (TLS 1.3) */
	bool avail; /* a record or an error waits (see ktls_rx_check) */
	bool padded; /* the peer pads TLS 1.3 records */
	u8 tail; /* TLS 1.3 content type of a record read in place */
	u32 taken; /* records readers have taken off the list, ever */
	void (*saved_data_ready)(struct sock *sk);
};

/*
 * Per-socket state, reached through icsk_ulp_data.  Core kernel code
 * (skmsg.c, tcp_bpf.c, filter.c) reads icsk_ulp_data of a socket in a
 * sockmap as a struct tls_context, so that structure must come first and
 * its tx_conf/rx_conf must tell the truth.
 */
struct ktls_protos;

struct ktls_ctx {
	struct tls_context tls;
	refcount_t refs; /* the socket's, plus redirecting senders' */
	const struct proto_ops *sk_ops; /* the socket's ops before ours */
	struct ktls_protos *protos; /* our tables for the base protocol */
	struct ktls_tx *tx;
	struct ktls_rx *rx;
	u16 tx_max_payload; /* TLS_TX_MAX_PAYLOAD_LEN */
	/* sockmap's psock hook, which ours stands in for (see ulp.c) */
	int (*psock_update)(struct sock *sk, struct sk_psock *psock,
			    bool restore);
};

/*
 * Decrypted records in the rx list: the content type; strp_msg() holds
 * the plaintext's offset and length.
 */
struct ktls_rx_cb {
	u8 type;
};

static inline struct ktls_rx_cb *ktls_rx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct ktls_rx_cb) > SK_SKB_CB_PRIV_LEN);
	return (struct ktls_rx_cb *)skb->cb;
}

static inline struct ktls_ctx *ktls_ctx(const struct sock *sk)
{
	/* Callers hold the socket lock or an RCU read section. */
	return (__force struct ktls_ctx *)inet_csk(sk)->icsk_ulp_data;
}

/* msg.c: the sk_msg ring */
void ktls_msg_init(struct sk_msg *msg);
void ktls_msg_free(struct sk_msg *msg);
int ktls_msg_pin(struct sk_msg *msg, struct iov_iter *from, u32 len);
int ktls_msg_append(struct sock *sk, struct sk_msg *msg, struct iov_iter *from,
		    u32 len, bool hide);
void ktls_msg_trim(struct sk_msg *msg, u32 size);
void ktls_msg_split(struct sk_msg *msg, struct sk_msg *front, u32 len);
void ktls_msg_unsplit(struct sk_msg *msg, struct sk_msg *front);
u32 ktls_msg_to_sg(struct sk_msg *msg, struct scatterlist *sg);
bool ktls_msg_copy_elem(struct sock *sk, struct scatterlist *sg);

/* stats.c: /proc/net/ktls_stat */
enum ktls_stat {
	KTLS_STAT_CURR_TX_SW,
	KTLS_STAT_CURR_RX_SW,
	KTLS_STAT_CURR_TX_DEVICE,
	KTLS_STAT_CURR_RX_DEVICE,
	KTLS_STAT_TX_SW,
	KTLS_STAT_RX_SW,
	KTLS_STAT_TX_DEVICE,
	KTLS_STAT_RX_DEVICE,
	KTLS_STAT_DECRYPT_ERROR,
	KTLS_STAT_RX_DEVICE_RESYNC,
	KTLS_STAT_DECRYPT_RETRY,
	KTLS_STAT_RX_NO_PAD_VIOLATION,
	KTLS_STAT_RX_REKEY_OK,
	KTLS_STAT_RX_REKEY_ERROR,
	KTLS_STAT_TX_REKEY_OK,
	KTLS_STAT_TX_REKEY_ERROR,
	KTLS_STAT_RX_REKEY_RECEIVED,
	/* ours: BPF policy verdicts (docs/policy.md) */
	KTLS_STAT_TX_MSG_PASS,
	KTLS_STAT_TX_MSG_DROP,
	KTLS_STAT_TX_MSG_REDIRECT,
	KTLS_STAT_TX_MSG_CORKED_BYTES,
	KTLS_STAT_TX_MSG_DROPPED_BYTES,
	KTLS_STAT_RX_SKB_PASS,
	KTLS_STAT_RX_SKB_DROP,
	KTLS_STAT_RX_SKB_REDIRECT,
	KTLS_STAT_RX_SKB_REDIRECT_LOST,
	/* ours: used-up page fragments whose pages came back (frag.c) */
	KTLS_STAT_FRAG_REUSED,
	KTLS_NUM_STATS,
};

extern atomic_long_t ktls_live_ctx;
extern atomic_long_t ktls_live_rx_records;
void ktls_stat_add(const struct sock *sk, enum ktls_stat stat, long n);
int ktls_stats_init(void);
void ktls_stats_exit(void);

static inline void ktls_stat_inc(const struct sock *sk, enum ktls_stat stat)
{
	ktls_stat_add(sk, stat, 1);
}

/* frag.c: page fragments whose pages come back */
bool ktls_frag_refill(struct sock *sk, struct page_frag *pfrag,
		      unsigned int sz);
int ktls_frag_init(void);
void ktls_frag_cleanup(void);

/* ulp.c */
extern struct tcp_ulp_ops ktls_ulp_ops;
void ktls_ctx_free(struct ktls_ctx *ctx);
void ktls_ctx_put(struct ktls_ctx *ctx);
void ktls_psock_unhook(struct sock *sk, struct ktls_ctx *ctx);
struct ktls_ctx *ktls_ctx_get(struct sock *sk);
bool ktls_sk_is_ours(const struct sock *sk);
int ktls_ulp_register(void);
void ktls_ulp_unregister(void);

/* proto.c: protocol tables and switching */
int ktls_proto_attach(struct sock *sk, struct ktls_ctx *ctx);
void ktls_proto_update(struct sock *sk);
int ktls_proto_rebase(struct sock *sk, struct ktls_ctx *ctx,
		      const struct proto *base);
void ktls_proto_cleanup(void);

/* options.c: SOL_TLS */
int ktls_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
		    unsigned int optlen);
int ktls_getsockopt(struct sock *sk, int level, int optname,
		    char __user *optval, int __user *optlen);

/* crypto.c */
int ktls_dir_init(struct ktls_dir *dir, const struct ktls_cipher *c,
		  const struct tls_crypto_info *info);
int ktls_dir_rekey(struct ktls_dir *dir, const struct ktls_cipher *c,
		   const struct tls_crypto_info *info);
void ktls_dir_free(struct ktls_dir *dir);
int ktls_aead_run(struct ktls_dir *dir, struct scatterlist *src,
		  struct scatterlist *dst, unsigned int len, bool enc);

/* tx.c */
int ktls_tx_init(struct sock *sk, struct ktls_ctx *ctx,
		 const struct ktls_cipher *c,
		 const struct tls_crypto_info *info);
void ktls_tx_lock_close(struct sock *sk, struct ktls_tx *tx);
void ktls_tx_close(struct sock *sk, struct ktls_ctx *ctx);
int ktls_tx_rekey(struct sock *sk, struct ktls_ctx *ctx,
		  const struct ktls_cipher *c,
		  const struct tls_crypto_info *info);
void ktls_tx_free(struct ktls_ctx *ctx);
void ktls_tx_free_mem(struct ktls_tx *tx);
int ktls_sendmsg(struct sock *sk, struct msghdr *msg, size_t size);
int ktls_sendmsg_locked(struct sock *sk, struct msghdr *msg, bool spliced);
int ktls_tx_flush(struct sock *sk, struct ktls_tx *tx, int flags);
int ktls_tx_seal_front(struct sock *sk, struct ktls_tx *tx, u32 len, int flags);
int ktls_tx_own_pinned(struct sock *sk, struct ktls_tx *tx);
void ktls_tx_relock(struct sock *sk, struct ktls_tx *tx, bool unlock);
enum ktls_tx_locker {
	KTLS_LOCK_SENDER, /* adds to the open record */
	KTLS_LOCK_DELIVERY, /* a redirect from another socket */
	KTLS_LOCK_DELIVERY_NOWAIT, /* the same, with MSG_DONTWAIT */
};

struct ktls_ctx *ktls_tx_lock(struct sock *sk, int *err,
			      enum ktls_tx_locker who);
int ktls_tx_lock_mutex(struct ktls_tx *tx, bool sender);
void ktls_tx_unlock(struct sock *sk, struct ktls_ctx *ctx);
int ktls_tx_send_msg(struct sock *sk, struct ktls_tx *tx, struct sk_msg *msg,
		     int flags);
#ifdef HAVE_PROTO_SENDPAGE
int ktls_sendpage(struct sock *sk, struct page *page, int offset, size_t size,
		  int flags);
#endif
void ktls_splice_eof(struct socket *sock);

/* rx.c */
int ktls_rx_init(struct sock *sk, struct ktls_ctx *ctx,
		 const struct ktls_cipher *c,
		 const struct tls_crypto_info *info);
void ktls_rx_free(struct sock *sk, struct ktls_ctx *ctx);
int ktls_rx_rekey(struct sock *sk, struct ktls_ctx *ctx,
		  const struct ktls_cipher *c,
		  const struct tls_crypto_info *info);
int ktls_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags,
		 int *addr_len);
__poll_t ktls_poll(struct file *file, struct socket *sock,
		   struct poll_table_struct *wait);
ssize_t ktls_splice_read(struct socket *sock, loff_t *ppos,
			 struct pipe_inode_info *pipe, size_t len,
			 unsigned int flags);
bool ktls_sock_is_readable(struct sock *sk);
void ktls_rx_release(struct sock *sk, struct ktls_rx *rx);
void ktls_release_cb(struct sock *sk);
void ktls_rx_own_data_ready(struct sock *sk, struct ktls_rx *rx,
			    struct sk_psock *psock);

/* policy.c: sockmap verdicts */
int ktls_tx_policy_flush(struct sock *sk, struct ktls_tx *tx, int flags,
			 bool full, ssize_t *copied);
void ktls_tx_policy_close(struct sock *sk, struct ktls_tx *tx);
void ktls_tx_policy_release(struct ktls_tx *tx);
bool ktls_tx_has_policy(struct sock *sk);
bool ktls_rx_has_verdict(struct sock *sk);
bool ktls_rx_verdict(struct sock *sk, struct sk_buff *skb, u32 off, u32 *len);
bool ktls_psock_has_data(struct sock *sk);
int ktls_psock_recvmsg(struct sock *sk, struct msghdr *msg, size_t len,
		       int flags);

/* rx_redirect.c: where a stream verdict sends a record */
void ktls_rx_redirect(struct sk_buff *skb, struct sock *target);
int ktls_redirect_init(void);
void ktls_redirect_exit(void);

/* tls_alias.c: the optional "tls" ULP name */
int ktls_alias_register(void);
bool ktls_alias_ops(const struct tcp_ulp_ops *ops);
void ktls_alias_unregister(void);

extern bool ktls_register_tls;

#endif /* _KTLS_KTLS_H */
