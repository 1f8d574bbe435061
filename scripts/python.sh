#!/usr/bin/env sh
# The Python package's tests (called by scripts/test.sh): a virtual
# environment under target/ with the test requirements
# (python/requirements-test.txt, from PyPI), the package built by maturin
# through `pip install .` into the shared target/ (HiGHS is not compiled a
# second time), then pytest on python/tests. Needs python3 (3.10 or later)
# with venv and pip. Prints the time of each step.
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
# maturin (from the venv) builds the extension in the release profile into
# target/, where cargo already built the library's dependencies and HiGHS.
PATH="$venv/bin:$PATH" CARGO_TARGET_DIR="$root/target" \
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --no-deps --force-reinstall .
step "pip install . (the extension built)"
# The tests compare the package's plans with the CLI's: the binary that
# `cargo test --release` left (scripts/test.sh runs it first), built if missing
# (a `cargo build` after `cargo test` would build the library once more,
# without the features of the tests' dev-dependencies).
[ -x target/release/domopt ] || cargo build --release --bin domopt
# pytest runs from a folder outside the checkout, so that `import domopt`
# finds the installed package, not the source folder python/domopt.
cd "$root/target"
DOMOPT_BIN="$root/target/release/domopt" "$venv/bin/python" -m pytest -q \
    -p no:cacheprovider "$root/python/tests"
step "pytest"
