#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of a test guest (started by tests/kernels/initramfs-init): prepare the
# system the way a booted machine has it, run the project's test runner with
# the layers named in /xdpt-results/config, write its exit status next to the
# output for tests/kernels/run.sh, and power off.

RESULTS=/xdpt-results
# shellcheck source=/dev/null # written by tests/kernels/run.sh
. "$RESULTS/config"

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
# The host chose the tree to test (tests/lib/pristine.sh) and built it; under
# emulation everything takes longer, and so may each layer of the tests.
export XDP_TUTORIAL_TREE="$REPO_DIR" XDP_TUTORIAL_BOUND_SCALE="$BOUND_SCALE"

# devtmpfs makes device nodes, not the links that shells and tools expect.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
ip link set lo up
hostname xdp-guest

echo "guest: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s, running: tests/run.sh $TEST_ARGS"
cd "$REPO_DIR" || exit 1
status=0
# shellcheck disable=SC2086 # TEST_ARGS is a list of words, written by run.sh
tests/run.sh $TEST_ARGS || status=$?
echo "guest: tests done at $(cut -d' ' -f1 /proc/uptime) s of uptime"
echo "$status" >"$RESULTS/status"
sync
/bin/busybox poweroff -f
