#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel matrix behind `make test-kernels`: boot Debian's own kernel
# packages under qemu, with this machine's root file system shared read-only,
# and run the project's test runner (tests/run.sh) inside each, so that every
# BPF program is proven to load and work on the kernels students run, not only
# on the newest one. Prints each guest's test lines, a line
# "KERNEL: N passed, N failed, N skipped" per kernel, and a last line with the
# total. Exits non-zero when any test failed or any guest did not finish.
#
# Usage: tests/kernels/run.sh [--help]      (build first: make)
#
# Environment:
#   KERNELS="6.1 6.12"   Debian kernel series to boot (the newest package of each
#                        in the archive: linux-image-SERIES.*-amd64), or full
#                        package names (linux-image-6.1.0-57-amd64)
#   FULL=1               run every layer (prog, lab, checks: 40 to 60 minutes
#                        per kernel under emulation); default: the prog layer,
#                        plus the lab tests tagged vlan (the kernel features
#                        that the machine running CI lacks)
#   TESTS="ARGS"         the arguments for tests/run.sh instead (e.g. "lab")
#   GUEST_TIMEOUT=S      seconds one guest may take (default 600, FULL: 5400)
#
# Like make test, it tests the lessons as committed (tests/lib/pristine.sh).
# Kernels are downloaded with apt-get (no installation into /boot) and unpacked
# into build/kernels/. The guest sees the host's files as they are: its writes go
# to memory and vanish at power-off. Ctrl-C or a failure stops every guest.
set -euo pipefail

TOP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# The kernels are kept in the clone's build/, also when the tests run on a copy.
CACHE_DIR=${XDP_KERNEL_CACHE:-$TOP_DIR/build/kernels}
PROG=${0#"$TOP_DIR"/}

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
	sed -n 's/^# \{0,1\}//; 4,28p' "${BASH_SOURCE[0]}"
	exit 0
fi

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

[[ $EUID -eq 0 ]] ||
	die "booting kernels and running the tests in them needs root: run 'sudo make test-kernels'"
case "$TOP_DIR" in
*[[:space:]\'\"\\]*) die "the repository path '$TOP_DIR' has a space or quote; clone it elsewhere" ;;
esac
# Like make test, on the lessons as committed (tests/lib/pristine.sh, which
# builds them and runs this script again, in a copy when a lesson was changed).
if [[ -z ${XDP_TUTORIAL_TREE:-} ]]; then
	export XDP_KERNEL_CACHE=$CACHE_DIR
	exec "$TOP_DIR/tests/lib/pristine.sh" tests/kernels/run.sh
fi
[[ -x $TOP_DIR/tests/prog/prog_test ]] || die "the tests are not built: run 'make' first"
for tool in qemu-system-x86_64 busybox cpio depmod modprobe xz apt-get dpkg; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: run 'make deps-kernels' (or 'make test-kernels', which installs it)"
done
# The initramfs has no shared libraries: busybox must be the static build.
if [[ $(readelf -l "$(command -v busybox)" 2>&1) == *"program interpreter"* ]]; then
	die "busybox is not a static binary: install busybox-static ('make deps-kernels')"
fi

KERNELS=${KERNELS:-6.1 6.12}
if [[ -n "${TESTS:-}" ]]; then
	TEST_ARGS=$TESTS
elif [[ "${FULL:-0}" == 1 ]]; then
	TEST_ARGS="prog lab checks"
else
	TEST_ARGS="--tags vlan prog lab"
fi
if [[ "${FULL:-0}" == 1 ]]; then
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-5400}
else
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-600}
fi
[[ $GUEST_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "GUEST_TIMEOUT must be a number of seconds"

# ---- kernels --------------------------------------------------------------------

# The package name of a kernel: SERIES (6.1) is the newest generic amd64 kernel
# of that series in the archive; a full package name is taken as it is.
resolve_kernel() { # SERIES|PACKAGE
	local want=$1 pkg
	if [[ $want == linux-image-* ]]; then
		echo "$want"
		return
	fi
	[[ $want =~ ^[0-9]+\.[0-9]+$ ]] ||
		die "'$want' is neither a kernel series (6.1) nor a package name (linux-image-...)"
	pkg=$(apt-cache pkgnames "linux-image-$want." |
		grep -E "^linux-image-${want//./\\.}\.[0-9]+[-+][^ ]*-amd64\$" |
		grep -vE -- '-(cloud|rt|dbg)-' | sort -V | tail -n 1 || true)
	if [[ -z $pkg ]]; then
		# The package lists may be missing or stale on a fresh machine.
		apt-get -qq update >&2 || true
		pkg=$(apt-cache pkgnames "linux-image-$want." |
			grep -E "^linux-image-${want//./\\.}\.[0-9]+[-+][^ ]*-amd64\$" |
			grep -vE -- '-(cloud|rt|dbg)-' | sort -V | tail -n 1 || true)
	fi
	[[ -n $pkg ]] || die "no Debian kernel package of series $want in the archive (apt-cache pkgnames)"
	echo "$pkg"
}

# Download and unpack PACKAGE into the cache (once); its directory.
fetch_kernel() { # PACKAGE
	local pkg=$1 dir=$CACHE_DIR/$1 tmp release
	if [[ ! -f $dir/.complete ]]; then
		echo "fetching $pkg" >&2
		rm -rf "$dir"
		tmp=$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")
		(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2) ||
			{ rm -rf "$tmp"; die "apt-get download $pkg failed (run apt-get update?)"; }
		dpkg -x "$tmp"/*.deb "$tmp/root"
		release=$(ls "$tmp/root/lib/modules")
		# The package ships no modules.dep: make one for modprobe.
		depmod -b "$tmp/root" "$release"
		mv "$tmp/root" "$dir"
		rm -rf "$tmp"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

# The initramfs of a kernel: busybox, /init, and the modules 9p and overlayfs
# need (some kernels build part of them in), decompressed, in load order.
build_initramfs() { # KERNEL_DIR RELEASE OUT
	local kdir=$1 release=$2 out=$3 tmp line path name
	tmp=$(mktemp -d)
	mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev"
	cp "$(command -v busybox)" "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	cp "$TOP_DIR/tests/kernels/initramfs-init" "$tmp/init"
	chmod 755 "$tmp/init"
	: >"$tmp/modules/order"
	while read -r line; do
		[[ $line == insmod\ * ]] || continue
		path=${line#insmod }
		path=${path%% *}
		name=${path##*/}
		name=${name%.xz}
		grep -qxF "$name" "$tmp/modules/order" && continue
		case $path in
		*.xz) xz -dc "$path" >"$tmp/modules/$name" ;;
		*) cp "$path" "$tmp/modules/$name" ;;
		esac
		echo "$name" >>"$tmp/modules/order"
	done < <(modprobe -d "$kdir" -S "$release" --show-depends -a \
		virtio_pci 9pnet_virtio 9p overlay)
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$tmp"
}

# ---- running a guest ------------------------------------------------------------

# KVM only where it can run a stock kernel: /dev/kvm alone is not enough (in a
# VM without nested virtualisation it exists but hangs), the CPU flags tell.
ACCEL=(-accel tcg -cpu max) BOUND_SCALE=8
if [[ -w /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	ACCEL=(-accel kvm -cpu host) BOUND_SCALE=2
	echo "using KVM"
else
	echo "no hardware virtualisation for guests here (no vmx/svm in /proc/cpuinfo): emulating with TCG, slower"
fi

QEMU_PID='' TAIL_PID='' WORK=''
cleanup() {
	local pid
	for pid in $QEMU_PID $TAIL_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[[ -n $WORK ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "interrupted: stopping the guest" >&2; exit 130' INT TERM

mkdir -p "$CACHE_DIR"
WORK=$(mktemp -d "$CACHE_DIR/.run.XXXXXX")

# Boot PACKAGE, run the tests in it; print the guest's output, prefixed, and
# leave its exit status in $WORK/NAME/status (none when it did not finish).
run_guest() { # LABEL PACKAGE
	local label=$1 pkg=$2 kdir release results
	kdir=$(fetch_kernel "$pkg")
	release=$(ls "$kdir/lib/modules")
	results=$WORK/$label
	mkdir -p "$results"
	build_initramfs "$kdir" "$release" "$results/initramfs.gz"
	cat >"$results/config" <<-EOF
		KERNEL_RELEASE='$release'
		MODULES_DIR='$kdir/lib/modules/$release'
		REPO_DIR='$TOP_DIR'
		TEST_ARGS='$TEST_ARGS'
		BOUND_SCALE='$BOUND_SCALE'
	EOF
	echo "== $label: booting $pkg ($release), running tests/run.sh $TEST_ARGS =="
	timeout -k 10 "$GUEST_TIMEOUT" qemu-system-x86_64 "${ACCEL[@]}" -smp 1 -m 2G \
		-nodefaults -no-reboot -display none \
		-kernel "$kdir/boot/vmlinuz-$release" -initrd "$results/initramfs.gz" \
		-append "console=ttyS0 panic=-1 ${KERNEL_CMDLINE:-quiet loglevel=3}" \
		-chardev "file,id=console,path=$results/console" -serial chardev:console \
		-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$results,mount_tag=results,security_model=none" \
		</dev/null >"$results/qemu.log" 2>&1 &
	QEMU_PID=$!
	# Show the console as it comes; tail ends soon after qemu does. Both are
	# waited for with wait, which a signal interrupts at once (a foreground
	# pipeline would hold the INT/TERM trap back until the guest ends).
	touch "$results/console"
	tail -n +1 -s 0.5 -f --pid="$QEMU_PID" "$results/console" |
		sed -u "s/\r\$//; s/^/[$label] /" &
	TAIL_PID=$!
	local status=0
	wait "$QEMU_PID" || status=$?
	QEMU_PID=
	wait "$TAIL_PID" || true
	TAIL_PID=
	if [[ $status -ne 0 ]]; then
		echo "[$label] qemu exited with status $status$([[ $status -eq 124 ]] &&
			echo ": the guest was stopped after ${GUEST_TIMEOUT}s")"
		sed "s/^/[$label] qemu: /" "$results/qemu.log"
	fi
	tr -d '\r' <"$results/console" >"$results/output"
}

total_passed=0 total_failed=0 total_skipped=0 broken=()
summaries=()
for want in $KERNELS; do
	pkg=$(resolve_kernel "$want")
	label=${want#linux-image-}
	run_guest "$label" "$pkg"
	results=$WORK/$label
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$results/output" | tail -n 1 || true)
	status=$(cat "$results/status" 2>/dev/null || echo none)
	if [[ -z $summary || $status == none ]]; then
		broken+=("$label")
		summaries+=("$label ($pkg): did not finish (no summary or exit status from the guest)")
		continue
	fi
	read -r p _ f _ s _ <<<"${summary//,/}"
	total_passed=$((total_passed + p)) total_failed=$((total_failed + f))
	total_skipped=$((total_skipped + s))
	[[ $status == 0 || $f -gt 0 ]] || broken+=("$label")
	summaries+=("$label ($pkg): $summary")
done

echo
echo "== kernel matrix: tests/run.sh $TEST_ARGS =="
printf '%s\n' "${summaries[@]}"
[[ ${#broken[@]} -eq 0 ]] || echo "guests that did not finish cleanly: ${broken[*]}"
# A guest that did not finish counts as one failure, so the total cannot pass.
echo "$total_passed passed, $((total_failed + ${#broken[@]})) failed, $total_skipped skipped"
[[ $total_failed -eq 0 && ${#broken[@]} -eq 0 ]]
