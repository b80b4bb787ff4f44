// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the AEAD of one direction: allocation, keys, and running a request
 * to completion (the algorithm may complete asynchronously).
 */
#include <crypto/aead.h>
#include <linux/slab.h>

#include "ktls.h"

/* A new AEAD of cipher @c, keyed from @info; an ERR_PTR on failure. */
static struct crypto_aead *ktls_aead_new(const struct ktls_cipher *c,
					 const struct tls_crypto_info *info)
{
	struct crypto_aead *aead;
	int err;

	aead = crypto_alloc_aead(c->aead_name, 0, 0);
	if (IS_ERR(aead)) {
		if (PTR_ERR(aead) == -ENOENT)
			pr_warn_ratelimited("%s needs %s: not in this kernel\n",
					    c->name, c->aead_name);
		return aead;
	}
	err = crypto_aead_setkey(aead, (const u8 *)info + c->key_offset,
				 c->key_size);
	if (!err)
		err = crypto_aead_setauthsize(aead, c->tag_size);
	if (err) {
		crypto_free_aead(aead);
		return ERR_PTR(err);
	}
	return aead;
}

/*
 * Frees the direction's AEAD (which wipes its key schedule) and puts
 * @aead (or nothing) in its place.  The request was sized for the old
 * one: a new request is allocated on next use.
 */
static void ktls_dir_set_aead(struct ktls_dir *dir, struct crypto_aead *aead)
{
	kfree_sensitive(dir->req);
	dir->req = NULL;
	crypto_free_aead(dir->aead);
	dir->aead = aead;
}

int ktls_dir_init(struct ktls_dir *dir, const struct ktls_cipher *c,
		  const struct tls_crypto_info *info)
{
	struct crypto_aead *aead;
	int err;

	err = ktls_prot_init(&dir->prot, c, info->version);
	if (err)
		return err;
	aead = ktls_aead_new(c, info);
	if (IS_ERR(aead))
		return PTR_ERR(aead);
	dir->aead = aead;
	ktls_iv_state_load(c, &dir->st, info);
	return 0;
}

/*
 * TLS 1.3 KeyUpdate: same cipher, new key and IV, sequence from @info.
 * The key goes into a new AEAD, which replaces the old one once keyed: a
 * key schedule that fails half-way (setkey can run out of memory) leaves
 * the direction on its old key.
 */
int ktls_dir_rekey(struct ktls_dir *dir, const struct ktls_cipher *c,
		   const struct tls_crypto_info *info)
{
	struct crypto_aead *aead = ktls_aead_new(c, info);

	if (IS_ERR(aead))
		return PTR_ERR(aead);
	ktls_dir_set_aead(dir, aead);
	ktls_iv_state_load(c, &dir->st, info);
	return 0;
}

/* Frees the AEAD and wipes our nonce state. */
void ktls_dir_free(struct ktls_dir *dir)
{
	ktls_dir_set_aead(dir, NULL);
	memzero_explicit(&dir->st, sizeof(dir->st));
	memzero_explicit(dir->nonce, sizeof(dir->nonce));
}

/*
 * Seal (@enc) or open @len bytes of @src into @dst with the nonce and AAD
 * already in dir->nonce and dir->aad; @src and @dst start with the AAD.
 * Sleeps until the request completes.  The request is allocated on first
 * use: a socket that never sends (or receives) does not pay for it.
 */
int ktls_aead_run(struct ktls_dir *dir, struct scatterlist *src,
		  struct scatterlist *dst, unsigned int len, bool enc)
{
	u32 flags = CRYPTO_TFM_REQ_MAY_BACKLOG | CRYPTO_TFM_REQ_MAY_SLEEP;
	struct aead_request *req = dir->req;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	if (unlikely(!req)) {
		req = kmalloc(sizeof(*req) + crypto_aead_reqsize(dir->aead),
			      GFP_KERNEL);
		if (!req)
			return -ENOMEM;
		aead_request_set_tfm(req, dir->aead);
		dir->req = req;
	}
	aead_request_set_callback(req, flags, crypto_req_done, &wait);
	aead_request_set_ad(req, dir->prot.aad_size);
	aead_request_set_crypt(req, src, dst, len, dir->nonce);
	err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	err = crypto_wait_req(err, &wait);
	if (ktls_fault(KTLS_FAULT_AEAD_LATE))
		err = -ENOMEM;
	/*
	 * A request can run out of memory part way through (a bounce buffer
	 * for a block that straddles two entries).  In place, what it did
	 * cannot be undone or done again: the stream cannot go on.
	 */
	if (err == -ENOMEM && src == dst)
		err = -EIO;
	return err;
}
