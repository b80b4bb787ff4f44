# SPDX-License-Identifier: GPL-2.0
# Harness self-test, never part of a normal run: plants a WARN through a
# test-only module.  With panic_on_warn the guest dies; the host must
# report the run as failed (tests/check.sh asserts that it does).
result PASS planted-warn.loading
insmod /t/modules/ktls_warn_test.ko
result FAIL planted-warn.survived "the planted WARN did not stop the guest"
