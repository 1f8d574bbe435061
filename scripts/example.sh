#!/usr/bin/env sh
# The main job on a shipped dataset: build domopt (installing HiGHS's build
# prerequisites if missing), solve the seed example in both variants, write
# the plans to target/example/ and verify them with the independent checker.
set -eu
cd "$(dirname "$0")/.."
./scripts/prereqs.sh
cargo build --release --quiet
for variant in two-shipments backorder; do
  ./target/release/domopt solve "datasets/seed-example/$variant.json" --out "target/example/$variant"
  ./target/release/domopt check "datasets/seed-example/$variant.json" "target/example/$variant"
  echo
done
