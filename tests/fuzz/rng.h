/* SPDX-License-Identifier: GPL-2.0 */
/* The fuzzer's random numbers: a small seeded generator of its own, so that a
 * frame is a function of two numbers, the seed and the frame's index. Any frame
 * can then be made again on its own, from the pair a report prints, without
 * making the frames before it; and the same seed gives the same frames on every
 * machine and with every C library.
 *
 * The state is a 64-bit counter that steps by a large odd constant; each output
 * is the counter scrambled by two multiply-xorshift rounds (the SplitMix64
 * construction). Not for cryptography: fast, and even enough to pick fields.
 */
#ifndef FUZZ_RNG_H
#define FUZZ_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct rng {
	__u64 state;
};

/* The step: 2^64 divided by the golden ratio, odd, so the counter runs through
 * all 2^64 values before it repeats.
 */
#define RNG_STEP 0x9e3779b97f4a7c15ULL

/* Scramble 64 bits so that inputs one bit apart give unrelated outputs. */
static inline __u64 rng_scramble(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The generator of frame number index under seed. Scrambling the index first
 * keeps the streams of frames 1 and 2 apart (their counters are not one step
 * from each other).
 */
static inline void rng_init(struct rng *r, __u64 seed, __u64 index)
{
	r->state = rng_scramble(seed ^ rng_scramble(index + RNG_STEP));
}

static inline __u64 rng_next(struct rng *r)
{
	r->state += RNG_STEP;
	return rng_scramble(r->state);
}

/* A number in 0..n-1 (n > 0): the top 32 bits scaled, which is fair to within
 * one part in 2^32, and needs no division.
 */
static inline __u32 rng_below(struct rng *r, __u32 n)
{
	return (__u32)(((rng_next(r) >> 32) * n) >> 32);
}

/* A number in lo..hi, both included. */
static inline __u32 rng_range(struct rng *r, __u32 lo, __u32 hi)
{
	return lo + rng_below(r, hi - lo + 1);
}

/* True percent times in a hundred. */
static inline bool rng_chance(struct rng *r, __u32 percent)
{
	return rng_below(r, 100) < percent;
}

static inline void rng_bytes(struct rng *r, void *buf, size_t n)
{
	__u8 *p = buf;
	__u64 v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			v = rng_next(r);
		p[i] = v;
		v >>= 8;
	}
}

#endif /* FUZZ_RNG_H */
