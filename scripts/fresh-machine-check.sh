#!/usr/bin/env bash
# `make test` on a fresh machine, for real: a bare Debian 12 made with debootstrap in a
# chroot (what a fresh machine of ours has: Python 3.11 with venv, make, git; no Chromium, no
# Java, no Redis, no PostgreSQL), a clone of this checkout's HEAD in it, then, as root with an
# empty environment (but PGPORT, see below), `make test`. With --deps-only, only scripts/test-deps.sh, twice: the first
# run installs the system packages, the second must find them all and say nothing.
#
#   sudo scripts/fresh-machine-check.sh [--deps-only] [--keep] [DIR]
#
# Needs root, debootstrap (`apt-get install debootstrap`), the Debian mirror and PyPI, and
# about 3 GB in DIR (default: a new directory under /var/tmp). The chroot gets this machine's
# resolv.conf and CA bundle (for networks that inspect TLS). DIR is removed at the end unless
# --keep is given. tests/test_make_test.py checks the same decisions on a faked system, fast.
set -euo pipefail

deps_only=0
keep=0
dir=
for arg in "$@"; do
    case $arg in
        --deps-only) deps_only=1 ;;
        --keep) keep=1 ;;
        -*) echo "usage: $0 [--deps-only] [--keep] [DIR]" >&2; exit 2 ;;
        *) dir=$arg ;;
    esac
done

[[ $(id -u) == 0 ]] || { echo "error: run as root (debootstrap and chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "error: apt-get install debootstrap" >&2; exit 1; }

repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
dir=${dir:-$(mktemp -d /var/tmp/fresh-machine.XXXXXX)}
mounted=()

clean_up() {
    local rc=$? point
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        point=${mounted[i]}
        umount -l "$point" 2>/dev/null || true
    done
    if ((keep)); then
        echo "fresh-machine-check: kept $dir" >&2
    else
        rm -rf --one-file-system "$dir"
    fi
    exit "$rc"
}
trap clean_up EXIT

mount_in() { # type-or-bind source target
    mkdir -p "$dir$3"
    if [[ $1 == bind ]]; then mount --bind "$2" "$dir$3"; else mount -t "$1" "$2" "$dir$3"; fi
    mounted+=("$dir$3")
}

if [[ ! -x $dir/usr/bin/python3 ]]; then
    echo "==> debootstrap bookworm into $dir" >&2
    debootstrap --variant=minbase \
        --include=python3,python3-venv,make,git,ca-certificates \
        bookworm "$dir" http://deb.debian.org/debian >/dev/null
fi
cp /etc/resolv.conf "$dir/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
mount_in proc proc /proc
mount_in bind /dev /dev
mount_in devpts devpts /dev/pts
mount_in tmpfs tmpfs /dev/shm

echo "==> a clone of $(git -C "$repo" rev-parse --short HEAD) in /root/shop" >&2
rm -rf "$dir/root/shop"
git clone --quiet "$repo" "$dir/root/shop"

# The chroot shares this machine's network: its throwaway PostgreSQL takes a free port, not
# 5433, which a server out here may hold.
pgport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

in_chroot() {
    chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        TERM=dumb PGPORT="$pgport" bash -c "cd /root/shop && $1"
}

if ((deps_only)); then
    echo "==> scripts/test-deps.sh, first run (installs)" >&2
    in_chroot "bash scripts/test-deps.sh"
    echo "==> scripts/test-deps.sh, second run (must say nothing)" >&2
    out=$(in_chroot "bash scripts/test-deps.sh" 2>&1)
    [[ -z $out ]] || { echo "error: the second run said: $out" >&2; exit 1; }
    in_chroot "/usr/bin/chromium --headless --no-sandbox --disable-gpu --dump-dom \
        'data:text/html;charset=utf-8,<p>Байкальск</p>' | grep -q Байкальск && java -version 2>&1 | head -n 1 \
        && redis-server --version && ls /usr/lib/postgresql/*/bin/initdb"
    echo "==> system packages: OK" >&2
else
    echo "==> make test" >&2
    in_chroot "time make test"
fi
