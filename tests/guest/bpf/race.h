/* SPDX-License-Identifier: GPL-2.0 */
/* What race.bpf.c and tests/guest/progs/policy_race.c share. */
#ifndef RACE_H
#define RACE_H

enum race_mode {
	RACE_PASS,
	RACE_CORK,
	RACE_REDIRECT,
	RACE_REDIRECT_INGRESS,
	RACE_DROP,
};

#define RACE_TARGET_KEY 1
#define RACE_CORK_BYTES 3000

#endif /* RACE_H */
