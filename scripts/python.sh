#!/usr/bin/env sh
# The Python package's tests (called by scripts/test.sh): a virtual
# environment under target/ with the test requirements
# (python/requirements-test.txt, from PyPI), the package, then pytest on
# python/tests. Needs python3 (3.10 or later) with venv and pip. Prints the
# time of each step.
#
# The package is the pure-Python part python/domopt/ with the extension that
# scripts/test.sh's workspace build made (target/release/lib_domopt.so), laid
# out as the wheel lays it out, under target/py-pkg. With
# DOMOPT_PY_WHEEL=1 it is the wheel instead, built by maturin through
# `pip install .` as a user builds it (this compiles the library and most of
# its dependencies again, with the binding's own features).
set -eu
cd "$(dirname "$0")/.."
root=$PWD
venv=$root/target/py-venv
python=${PYTHON:-python3}
step() {
    now=$(date +%s)
    echo "python.sh: $1 in $((now - started)) s" >&2
    started=$now
}
started=$(date +%s)
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r python/requirements-test.txt
step "test requirements installed"
pkg=$root/target/py-pkg
rm -rf "$pkg"
if [ "${DOMOPT_PY_WHEEL:-0}" = 1 ]; then
    PATH="$venv/bin:$PATH" CARGO_TARGET_DIR="$root/target" \
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-build-isolation --no-deps --force-reinstall .
    step "pip install . (the wheel built)"
else
    # No installed copy may shadow the one under test.
    "$venv/bin/python" -m pip uninstall --quiet --yes domopt >/dev/null 2>&1 || true
    # The workspace build of scripts/test.sh (nothing to do after it).
    cargo build --release --workspace --lib --bins --tests --examples
    mkdir -p "$pkg"
    cp -R python/domopt "$pkg/domopt"
    cp target/release/lib_domopt.so "$pkg/domopt/_domopt.abi3.so"
    step "the package laid out from the workspace build"
fi
# The tests compare the package's plans with the CLI's: the binary of the
# same workspace build (with the wheel, built if missing).
[ -x target/release/domopt ] || cargo build --release --bin domopt
# pytest runs from a folder outside the checkout, so that `import domopt`
# finds the package under test (target/py-pkg, or the installed wheel), not
# the source folder python/domopt.
cd "$root/target"
PYTHONPATH="$pkg" DOMOPT_BIN="$root/target/release/domopt" "$venv/bin/python" -m pytest -q \
    -p no:cacheprovider "$root/python/tests"
step "pytest"
