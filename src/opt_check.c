// SPDX-License-Identifier: GPL-2.0
/*
 * SOL_TLS option validation. Applications and test suites written against
 * the in-tree module check exact error codes, so each function returns what
 * net/tls in Linux 6.12 returns for the same input, in the same order.
 */
#include "opt_check.h"
#include "wire.h"

static bool ktls_info_ready(const struct tls_crypto_info *info)
{
	/* A direction is configured once its cipher_type is set. */
	return info && info->cipher_type;
}

/* Too short to hold even the version and cipher: nothing to look at. */
int ktls_conf_set_precheck(bool optval_null, unsigned int optlen)
{
	if (optval_null || optlen < sizeof(struct tls_crypto_info))
		return -EINVAL;
	return 0;
}

/*
 * @info is the copied header of the user's crypto_info, @other the header
 * installed for the opposite direction (NULL or zeroed if none): both
 * directions must agree on version and cipher. @optlen must be the exact
 * size of the cipher's struct, larger is refused as well as smaller.
 * The caller checks for an already installed direction (-EBUSY) first.
 */
int ktls_conf_set_check(const struct tls_crypto_info *info,
			const struct tls_crypto_info *other,
			unsigned int optlen, const struct ktls_cipher **cipher)
{
	const struct ktls_cipher *c;

	if (info->version != TLS_1_2_VERSION &&
	    info->version != TLS_1_3_VERSION)
		return -EINVAL;

	c = ktls_cipher_find(info->cipher_type);
	if (c && info->version == TLS_1_3_VERSION && !c->tls13)
		return -EINVAL;

	if (ktls_info_ready(other) && (other->version != info->version ||
				       other->cipher_type != info->cipher_type))
		return -EINVAL;

	if (!c || optlen != c->info_size)
		return -EINVAL;

	*cipher = c;
	return 0;
}

/*
 * getsockopt() of a direction's crypto_info. Either just the version and
 * cipher (optlen == sizeof(struct tls_crypto_info)) or the whole struct
 * (optlen == its size) is copied; net/tls leaves *optlen as it was.
 * A negative optlen passes the first test because net/tls compares it as
 * an unsigned size, then fails on the exact size.
 */
int ktls_conf_get_len(int optlen, bool optval_null,
		      const struct tls_crypto_info *installed)
{
	const struct ktls_cipher *c;

	if (optval_null || (size_t)optlen < sizeof(struct tls_crypto_info))
		return -EINVAL;
	if (!ktls_info_ready(installed))
		return -EBUSY;
	if (optlen == sizeof(struct tls_crypto_info))
		return optlen;

	c = ktls_cipher_find(installed->cipher_type);
	if (!c || optlen != c->info_size)
		return -EINVAL;
	return optlen;
}

/* TLS_TX_ZEROCOPY_RO takes exactly an unsigned int. */
int ktls_zc_ro_set_precheck(bool optval_null, unsigned int optlen)
{
	if (optval_null || optlen != sizeof(u32))
		return -EINVAL;
	return 0;
}

/* Boolean options accept 0 and 1 only. Returns the value. */
int ktls_zc_ro_set_value(u32 val)
{
	return val > 1 ? -EINVAL : (int)val;
}

int ktls_zc_ro_get_len(int optlen)
{
	return optlen == sizeof(u32) ? optlen : -EINVAL;
}

/*
 * TLS_RX_EXPECT_NO_PAD only means something for TLS 1.3: @version is the
 * one installed in either direction (0 if none). Longer options are
 * accepted when the extra bytes are zero, as for extensible structs.
 */
int ktls_no_pad_set_precheck(u16 version, bool optval_null, unsigned int optlen)
{
	if (version != TLS_1_3_VERSION || optval_null || optlen < sizeof(u32))
		return -EINVAL;
	return 0;
}

/*
 * @tail_zeroed is what check_zeroed_sockptr() said of the bytes past the
 * first four: 1 all zero, 0 not, or a negative error to pass on. The option
 * also needs a receive direction installed. Returns the value.
 */
int ktls_no_pad_set_value(u32 val, int tail_zeroed, bool rx_installed)
{
	if (val > 1)
		return -EINVAL;
	if (tail_zeroed < 0)
		return tail_zeroed;
	if (!tail_zeroed || !rx_installed)
		return -EINVAL;
	return val;
}

/*
 * Copies an int and, unlike the other options, writes sizeof(int) back to
 * *optlen. A negative optlen passes as in ktls_conf_get_len().
 */
int ktls_no_pad_get_len(u16 version, int optlen, bool rx_installed)
{
	if (version != TLS_1_3_VERSION)
		return -EINVAL;
	if ((size_t)optlen < sizeof(int) || !rx_installed)
		return -EINVAL;
	return sizeof(int);
}
