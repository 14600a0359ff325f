#!/bin/sh
# Cross-architecture proof: build a Debian root of ARCH under qemu-user with
# mmdebstrap, install the .deb with apt, run smoke.sh against it, clean up.
# Usage: cross-test.sh arm64|armhf path/to/utserver_VER_all.deb   (needs root)
set -eu
arch=$1
deb=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
case $arch in
arm64) qemu=aarch64 ;;
armhf) qemu=arm ;;
*) echo "ARCH must be arm64 or armhf" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "cross-test needs root (mmdebstrap, chroot, mount)" >&2; exit 2; }

# qemu-user runs the foreign binaries through binfmt_misc, which may not be mounted yet.
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable "qemu-$qemu" 2>/dev/null || true
arch-test "$arch" >/dev/null || { echo "cannot run $arch binaries (qemu-user-static, binfmt-support)" >&2; exit 2; }

# The mirror this host's apt uses, never a hard-coded one.
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
# shellcheck disable=SC2016 # $(REPO_URI) is apt's placeholder, not a shell expansion
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' "Codename: $codename" | head -n1)
[ -n "$mirror" ] || { echo "no apt source for $codename" >&2; exit 2; }

root=$(realpath -m "build/cross/$arch")
# Processes whose root is $root (a daemon left running by a failed check).
processes_inside() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
	return 0
}
cleanup() {
	for pid in $(processes_inside); do kill -9 "$pid" 2>/dev/null || true; done
	i=0
	while [ -n "$(processes_inside)" ] && [ "$i" -lt 30 ]; do sleep 1; i=$((i + 1)); done
	for m in dev/pts dev proc; do
		mountpoint -q "$root/$m" && umount "$root/$m"
	done
	rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cleanup
mkdir -p "$(dirname "$root")"

# Dependencies first (as a user's apt would pull them), then our package from the file.
mmdebstrap --arch="$arch" --variant=apt \
	--include=python3-libtorrent,python3-bottle,python3-cheroot,python3-netifaces,python3-miniupnpc,python3-feedparser,adduser \
	--customize-hook="copy-in $deb /tmp" \
	--customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y /tmp/$(basename "$deb")" \
	"$codename" "$root" "$mirror"

mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
echo "root: $(chroot "$root" uname -m), $(du -sh --one-file-system "$root" | cut -f1)"
"$here/smoke.sh" "$root"
echo "cross-test $arch: PASS"
