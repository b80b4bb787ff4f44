// SPDX-License-Identifier: GPL-2.0
/*
 * ktls: the AEAD of one direction: allocation, keys, and running a request
 * to completion (the algorithm may complete asynchronously).
 */
#include <crypto/aead.h>
#include <linux/slab.h>

#include "ktls.h"

int ktls_dir_init(struct ktls_dir *dir, const struct ktls_cipher *c,
		  const struct tls_crypto_info *info)
{
	const u8 *key = (const u8 *)info + c->key_offset;
	int err;

	err = ktls_prot_init(&dir->prot, c, info->version);
	if (err)
		return err;

	dir->aead = crypto_alloc_aead(c->aead_name, 0, 0);
	if (IS_ERR(dir->aead)) {
		err = PTR_ERR(dir->aead);
		dir->aead = NULL;
		if (err == -ENOENT)
			pr_warn_ratelimited("%s needs %s: not in this kernel\n",
					    c->name, c->aead_name);
		return err;
	}

	err = crypto_aead_setkey(dir->aead, key, c->key_size);
	if (err)
		goto err_free;
	err = crypto_aead_setauthsize(dir->aead, c->tag_size);
	if (err)
		goto err_free;

	ktls_iv_state_load(c, &dir->st, info);
	return 0;

err_free:
	crypto_free_aead(dir->aead);
	dir->aead = NULL;
	return err;
}

/* TLS 1.3 KeyUpdate: same cipher, new key and IV, sequence from @info. */
int ktls_dir_rekey(struct ktls_dir *dir, const struct ktls_cipher *c,
		   const struct tls_crypto_info *info)
{
	int err;

	err = crypto_aead_setkey(dir->aead, (const u8 *)info + c->key_offset,
				 c->key_size);
	if (err)
		return err;
	ktls_iv_state_load(c, &dir->st, info);
	return 0;
}

/* Frees the AEAD (which wipes its key schedule) and our nonce state. */
void ktls_dir_free(struct ktls_dir *dir)
{
	if (dir->req)
		kfree_sensitive(dir->req);
	dir->req = NULL;
	crypto_free_aead(dir->aead);
	dir->aead = NULL;
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
	return crypto_wait_req(err, &wait);
}
