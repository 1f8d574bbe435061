#!/usr/bin/env sh
# Installs what HiGHS's source build (highs-sys) needs when it is missing:
# cmake, a C++ compiler and libclang (for bindgen); and python3 with venv and
# pip for the Python package's tests. Debian/Ubuntu via apt-get.
set -eu
missing=""
command -v cmake >/dev/null 2>&1 || missing="$missing cmake"
command -v c++ >/dev/null 2>&1 || missing="$missing g++"
have_libclang=no
for f in /usr/lib/llvm-*/lib/libclang.so* /usr/lib/llvm-*/lib/libclang-[0-9]*.so* \
         /usr/lib/*-linux-gnu/libclang.so* /usr/lib/*-linux-gnu/libclang-[0-9]*.so*; do
  [ -e "$f" ] && have_libclang=yes && break
done
[ -n "${LIBCLANG_PATH:-}" ] && have_libclang=yes
[ "$have_libclang" = no ] && missing="$missing libclang-dev"
# The Python package's tests (scripts/python.sh) need python3 with venv and pip.
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing="$missing python3-venv python3-pip"
[ -z "$missing" ] && exit 0
echo "domopt: installing HiGHS build prerequisites:$missing" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "domopt: no apt-get here; install$missing with your package manager and re-run" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
