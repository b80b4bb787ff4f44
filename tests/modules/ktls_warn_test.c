// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the harness self-test: loading it triggers a WARN,
 * which must fail the test run.  Never installed or packaged.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init ktls_warn_test_init(void)
{
	WARN(1, "ktls harness self-test: planted warning\n");
	return 0;
}

static void __exit ktls_warn_test_exit(void)
{
}

module_init(ktls_warn_test_init);
module_exit(ktls_warn_test_exit);
MODULE_DESCRIPTION("ktls harness self-test: plants a WARN");
MODULE_LICENSE("GPL");
