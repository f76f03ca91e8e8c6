/* SPDX-License-Identifier: GPL-2.0 */
/* Compiled with -target bpf, glibc's <gnu/stubs.h> asks for the 32-bit variant
 * of this file, which only the i386 development package ships. It declares
 * nothing a BPF program uses, so an empty one lets kernel headers that pull in
 * libc headers (linux/icmp.h -> linux/if.h -> sys/socket.h) compile without
 * libc6-dev-i386. common.mk adds this directory after every other one, so a
 * real stubs-32.h, where installed, wins.
 */
