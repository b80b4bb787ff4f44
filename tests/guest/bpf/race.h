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
	RACE_SKB_INGRESS,
	RACE_SKB_INGRESS_RAW,
};

#define RACE_TARGET_KEY 1
#define RACE_CORK_BYTES 3000

/* A TLS 1.3 AES-GCM-128 record around its plaintext: header; tag, type. */
#define RACE_REC_FRONT 5
#define RACE_REC_TAIL 17

#endif /* RACE_H */
