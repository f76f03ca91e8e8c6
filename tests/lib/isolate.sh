#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command in a private network and mount namespace, with its own sysfs,
# /run (so /run/netns and the lab's state are private), bpffs and tracefs.
# Whatever the command makes there (namespaces, veth pairs, attached XDP
# programs, pins) is gone when it exits, even after a crash or Ctrl-C.
#
# Usage: tests/lib/isolate.sh COMMAND [ARGS...]
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" || $# -eq 0 ]]; then
	echo "Usage: $0 COMMAND [ARGS...]: run COMMAND in a private network and mount namespace"
	[[ $# -eq 0 ]] && exit 2
	exit 0
fi

# Already inside: nothing to do.
if [[ "${XDP_TUTORIAL_ISOLATED:-}" == 1 ]]; then
	exec "$@"
fi

if [[ $EUID -ne 0 ]]; then
	echo "error: this needs root (BPF and network namespaces): run it with sudo" >&2
	exit 1
fi
if ! command -v unshare >/dev/null; then
	echo "error: unshare not found: install util-linux (make deps)" >&2
	exit 1
fi

# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --net --mount --propagation private -- \
	env XDP_TUTORIAL_ISOLATED=1 bash -c '
	set -e
	mount -t sysfs sysfs /sys
	mount -t tmpfs -o mode=755 tmpfs /run
	mount -t bpf bpf /sys/fs/bpf
	mount -t tracefs tracefs /sys/kernel/tracing
	ip link set lo up
	exec "$@"' isolate "$@"
