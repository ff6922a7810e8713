#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the autograder's
# image. It installs the Debian/Ubuntu packages that the kit's `kit` script
# lists (one list, read from there) and builds the grader, ipcgrade, in
# SOURCE/build, where SOURCE is the kit's folder: this script's folder in the
# bundle (/autograder/source on Gradescope), or the checkout's top when it is
# run as tools/gradescope/setup.sh. The students' labs are built per submission
# by run_autograder.
#
#   setup.sh                    install what is missing, then build the grader
#   setup.sh --print-packages   print the package list, one a line, and exit
#
# Exit codes: 0 done; 1 the grader did not build; 2 bad usage; 3 packages
# missing that could not be installed, or tools too old for the kit.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")" && pwd)
[ -f "$source_dir/kit" ] || source_dir=$(cd "$source_dir/../.." && pwd)
build=$source_dir/build

# say MESSAGE: one line to stderr, prefixed with the script's name.
say() { printf 'setup.sh: %s\n' "$*" >&2; }

# kit_packages: print the kit script's `packages=(...)` list, one a line.
kit_packages() {
  sed -n '/^packages=(/,/)/p' "$source_dir/kit" | sed -e 's/^packages=(//' -e 's/).*//' \
    | tr -s ' \t' '\n' | sed '/^$/d'
}

# missing_packages: print those of "$@" that dpkg does not have installed.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
      || printf '%s\n' "$p"
  done
}

# install_packages: apt-get install the kit's packages that are missing.
install_packages() {
  local packages missing
  mapfile -t packages < <(kit_packages)
  [ "${#packages[@]}" -gt 0 ] || { say "no packages=(...) list found in $source_dir/kit"; exit 3; }
  mapfile -t missing < <(missing_packages "${packages[@]}")
  if [ "${#missing[@]}" -eq 0 ]; then
    say "every package is installed: ${packages[*]}"
    return 0
  fi
  say "installing ${missing[*]}"
  apt-get update -qq || { say "apt-get update failed: is the network up?"; exit 3; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || { say "could not install ${missing[*]}: choose a newer Debian or Ubuntu base image"; exit 3; }
}

# check_meson: the kit needs Meson 1.0 or newer (Ubuntu 22.04 has 0.61).
check_meson() {
  local version
  version=$(meson --version)
  if [ "$(printf '%s\n' 1.0.0 "$version" | sort -V | head -n 1)" != 1.0.0 ]; then
    say "meson $version is older than 1.0: choose a newer base image (Debian 12, Ubuntu 24.04)"
    exit 3
  fi
}

# build_grader: configure SOURCE/build once and build only grader/ipcgrade.
build_grader() {
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$source_dir" >/dev/null \
      || { say "meson setup failed: see $build/meson-logs/meson-log.txt"; exit 1; }
  fi
  ninja -C "$build" grader/ipcgrade || { say "the grader did not build"; exit 1; }
  say "the grader is $build/grader/ipcgrade"
}

case "${1:-}" in
  --print-packages) kit_packages ;;
  "")
    install_packages
    check_meson
    build_grader
    ;;
  *)
    say "usage: setup.sh [--print-packages]"
    exit 2
    ;;
esac
