#!/usr/bin/env bash
# The test command: formatting, lints, dependency policy, unit and integration tests
# (property tests and bounded HTTP fuzzing included) on SQLite and PostgreSQL, then the
# browser suite with accessibility checks. Fails on the first failing part.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export PRECINCT_TEST_POSTGRES_URL="${PRECINCT_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"

echo "== vendored assets"
bash scripts/check-assets.sh
echo "== cargo fmt"
cargo fmt --check
echo "== cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "== cargo deny (licences, bans, sources)"
cargo deny --locked check licenses bans sources
echo "== cargo test (SQLite and PostgreSQL; HTTP fuzzer: the seed corpus, then PRECINCT_FUZZ_REQUESTS from a fresh seed)"
cargo test --locked
echo "== browser suite"
cargo build --locked --bin precinct
npm run --silent e2e
