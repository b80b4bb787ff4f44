// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/opt_check.c: the errno of every SOL_TLS option path,
 * as net/tls in Linux 6.12 returns it.
 */
#include "opt_check.h"
#include "wire.h"
#include "unit.h"

#define V12 TLS_1_2_VERSION
#define V13 TLS_1_3_VERSION

static const struct {
	u16 cipher;
	unsigned int size;
	bool tls13;
} sizes[] = {
	{ TLS_CIPHER_AES_GCM_128, 40, true },
	{ TLS_CIPHER_AES_GCM_256, 56, true },
	{ TLS_CIPHER_AES_CCM_128, 40, true },
	{ TLS_CIPHER_CHACHA20_POLY1305, 56, true },
	{ TLS_CIPHER_SM4_GCM, 40, true },
	{ TLS_CIPHER_SM4_CCM, 40, true },
	{ TLS_CIPHER_ARIA_GCM_128, 40, false },
	{ TLS_CIPHER_ARIA_GCM_256, 56, false },
};

static struct tls_crypto_info hdr(u16 version, u16 cipher)
{
	struct tls_crypto_info i = { .version = version, .cipher_type = cipher };

	return i;
}

static void test_conf_set_precheck(void)
{
	unsigned int n;

	CHECK_ERR(ktls_conf_set_precheck(true, 40), -EINVAL);
	for (n = 0; n < 4; n++)
		CHECK_ERR(ktls_conf_set_precheck(false, n), -EINVAL);
	CHECK_ERR(ktls_conf_set_precheck(false, 4), 0);
	CHECK_ERR(ktls_conf_set_precheck(false, 0xffffffff), 0);
}

static void test_conf_set_ok(void)
{
	const struct ktls_cipher *c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct tls_crypto_info in = hdr(V12, sizes[i].cipher);

		c = NULL;
		CHECK_ERR(ktls_conf_set_check(&in, NULL, sizes[i].size, &c), 0);
		CHECK(c && c->cipher_type == sizes[i].cipher);
		in.version = V13;
		c = NULL;
		CHECK_ERR(ktls_conf_set_check(&in, NULL, sizes[i].size, &c),
			  sizes[i].tls13 ? 0 : -EINVAL);
		CHECK(sizes[i].tls13 ? c == ktls_cipher_find(sizes[i].cipher) : !c);
	}
}

/* Larger is refused as well as smaller: no extensible struct here. */
static void test_conf_set_optlen(void)
{
	const struct ktls_cipher *c = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct tls_crypto_info in = hdr(V12, sizes[i].cipher);
		unsigned int n = sizes[i].size;

		CHECK_ERR(ktls_conf_set_check(&in, NULL, n - 1, &c), -EINVAL);
		CHECK_ERR(ktls_conf_set_check(&in, NULL, n + 1, &c), -EINVAL);
		CHECK_ERR(ktls_conf_set_check(&in, NULL, n == 40 ? 56 : 40, &c),
			  -EINVAL);
		CHECK_ERR(ktls_conf_set_check(&in, NULL, 4, &c), -EINVAL);
		CHECK_ERR(ktls_conf_set_check(&in, NULL, 4096, &c), -EINVAL);
	}
	CHECK(!c);
}

static void test_conf_set_version(void)
{
	static const u16 bad[] = { 0, 0x0300, 0x0301, 0x0302, 0x0305, 0x0403,
				   0x0203, 0xfefd, 0xffff };
	const struct ktls_cipher *c = NULL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct tls_crypto_info in = hdr(bad[i], TLS_CIPHER_AES_GCM_128);

		CHECK_ERR(ktls_conf_set_check(&in, NULL, 40, &c), -EINVAL);
	}
	CHECK(!c);
}

static void test_conf_set_cipher(void)
{
	static const u16 bad[] = { 0, 1, 50, 59, 60, 0x3300, 0xffff };
	const struct ktls_cipher *c = NULL;
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (n = 4; n <= 64; n += 4) {
			struct tls_crypto_info in = hdr(V12, bad[i]);

			CHECK_ERR(ktls_conf_set_check(&in, NULL, n, &c), -EINVAL);
			in.version = V13;
			CHECK_ERR(ktls_conf_set_check(&in, NULL, n, &c), -EINVAL);
		}
	}
	CHECK(!c);
}

/* Both directions must use the same version and cipher. */
static void test_conf_set_other_direction(void)
{
	struct tls_crypto_info in = hdr(V13, TLS_CIPHER_AES_GCM_256);
	struct tls_crypto_info same = in;
	struct tls_crypto_info other_ver = hdr(V12, TLS_CIPHER_AES_GCM_256);
	struct tls_crypto_info other_cipher = hdr(V13, TLS_CIPHER_AES_GCM_128);
	struct tls_crypto_info unset = hdr(V12, 0);
	const struct ktls_cipher *c = NULL;

	CHECK_ERR(ktls_conf_set_check(&in, &same, 56, &c), 0);
	CHECK(c);
	CHECK_ERR(ktls_conf_set_check(&in, &unset, 56, &c), 0);
	CHECK_ERR(ktls_conf_set_check(&in, &other_ver, 56, &c), -EINVAL);
	CHECK_ERR(ktls_conf_set_check(&in, &other_cipher, 56, &c), -EINVAL);
	CHECK_ERR(ktls_conf_set_check(&in, &other_cipher, 40, &c), -EINVAL);
}

static void test_conf_get_len(void)
{
	struct tls_crypto_info gcm = hdr(V12, TLS_CIPHER_AES_GCM_128);
	struct tls_crypto_info cp = hdr(V13, TLS_CIPHER_CHACHA20_POLY1305);
	struct tls_crypto_info unset = hdr(0, 0);
	int n;

	CHECK_ERR(ktls_conf_get_len(40, true, &gcm), -EINVAL);
	for (n = 0; n < 4; n++)
		CHECK_ERR(ktls_conf_get_len(n, false, &gcm), -EINVAL);
	CHECK_ERR(ktls_conf_get_len(40, false, NULL), -EBUSY);
	CHECK_ERR(ktls_conf_get_len(40, false, &unset), -EBUSY);
	CHECK_ERR(ktls_conf_get_len(4, false, &unset), -EBUSY);
	CHECK_ERR(ktls_conf_get_len(4, false, &gcm), 4);
	CHECK_ERR(ktls_conf_get_len(40, false, &gcm), 40);
	CHECK_ERR(ktls_conf_get_len(39, false, &gcm), -EINVAL);
	CHECK_ERR(ktls_conf_get_len(41, false, &gcm), -EINVAL);
	CHECK_ERR(ktls_conf_get_len(56, false, &gcm), -EINVAL);
	CHECK_ERR(ktls_conf_get_len(5, false, &gcm), -EINVAL);
	CHECK_ERR(ktls_conf_get_len(56, false, &cp), 56);
	CHECK_ERR(ktls_conf_get_len(4, false, &cp), 4);
	/* net/tls compares a negative optlen as unsigned: it gets past the
	 * first test, so an unconfigured direction reports EBUSY.
	 */
	CHECK_ERR(ktls_conf_get_len(-1, false, &gcm), -EINVAL);
	CHECK_ERR(ktls_conf_get_len(-1, false, &unset), -EBUSY);
	CHECK_ERR(ktls_conf_get_len(-40, false, &gcm), -EINVAL);
}

static void test_zc_ro(void)
{
	CHECK_ERR(ktls_zc_ro_set_precheck(true, 4), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_precheck(false, 0), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_precheck(false, 3), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_precheck(false, 5), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_precheck(false, 8), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_precheck(false, 4), 0);
	CHECK_ERR(ktls_zc_ro_set_value(0), 0);
	CHECK_ERR(ktls_zc_ro_set_value(1), 1);
	CHECK_ERR(ktls_zc_ro_set_value(2), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_value(0x80000000), -EINVAL);
	CHECK_ERR(ktls_zc_ro_set_value(0xffffffff), -EINVAL);
	CHECK_ERR(ktls_zc_ro_get_len(4), 4);
	CHECK_ERR(ktls_zc_ro_get_len(0), -EINVAL);
	CHECK_ERR(ktls_zc_ro_get_len(3), -EINVAL);
	CHECK_ERR(ktls_zc_ro_get_len(5), -EINVAL);
	CHECK_ERR(ktls_zc_ro_get_len(8), -EINVAL);
	CHECK_ERR(ktls_zc_ro_get_len(-4), -EINVAL);
}

static void test_no_pad_set(void)
{
	/* TLS 1.3 only, and the version of either direction counts */
	CHECK_ERR(ktls_no_pad_set_precheck(V12, false, 4), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_precheck(0, false, 4), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_precheck(V13, true, 4), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_precheck(V13, false, 0), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_precheck(V13, false, 3), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_precheck(V13, false, 4), 0);
	CHECK_ERR(ktls_no_pad_set_precheck(V13, false, 8), 0);
	CHECK_ERR(ktls_no_pad_set_precheck(V13, false, 0xffffffff), 0);

	CHECK_ERR(ktls_no_pad_set_value(0, 1, true), 0);
	CHECK_ERR(ktls_no_pad_set_value(1, 1, true), 1);
	CHECK_ERR(ktls_no_pad_set_value(2, 1, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_value(1, 0, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_value(1, -EFAULT, true), -EFAULT);
	CHECK_ERR(ktls_no_pad_set_value(2, -EFAULT, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_value(1, 1, false), -EINVAL);
	CHECK_ERR(ktls_no_pad_set_value(1, -EFAULT, false), -EFAULT);
}

static void test_no_pad_get(void)
{
	CHECK_ERR(ktls_no_pad_get_len(V13, 4, true), 4);
	CHECK_ERR(ktls_no_pad_get_len(V13, 64, true), 4);
	CHECK_ERR(ktls_no_pad_get_len(V12, 4, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_get_len(0, 4, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_get_len(V13, 3, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_get_len(V13, 0, true), -EINVAL);
	CHECK_ERR(ktls_no_pad_get_len(V13, 4, false), -EINVAL);
	/* negative optlen passes the unsigned comparison in net/tls */
	CHECK_ERR(ktls_no_pad_get_len(V13, -1, true), 4);
}

static const struct unit_case cases[] = {
	UNIT_CASE(conf_set_precheck),
	UNIT_CASE(conf_set_ok),
	UNIT_CASE(conf_set_optlen),
	UNIT_CASE(conf_set_version),
	UNIT_CASE(conf_set_cipher),
	UNIT_CASE(conf_set_other_direction),
	UNIT_CASE(conf_get_len),
	UNIT_CASE(zc_ro),
	UNIT_CASE(no_pad_set),
	UNIT_CASE(no_pad_get),
};

UNIT_MAIN(cases)
