#!/usr/bin/env bash
# CI's fuzz smoke run: builds every fuzz target (nightly, cargo-fuzz) and
# runs each briefly from the seeded corpus, so that a regression that
# crashes a parser, or makes a fast path disagree with its twin, fails CI.
# Every target together runs for about SECONDS x 18 (default 8 s each, about
# 2 minutes), plus the build. Exits non-zero on the first crash; libFuzzer
# leaves the input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${SECONDS_PER_TARGET:-8}

cargo +nightly fuzz build
# A fresh corpus of the seeds: the same run on every machine, however long
# fuzz/corpus has grown.
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
CORPUS_DIR=$corpus ./seed.sh >/dev/null
for t in $(cargo +nightly fuzz list); do
  printf '%-22s ' "$t"
  if ! out=$(cargo +nightly fuzz run "$t" "$corpus/$t" -- -max_total_time="$seconds" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 2>&1); then
    printf 'FAILED\n%s\n' "$out" | tail -60
    exit 1
  fi
  printf '%s\n' "$(printf '%s\n' "$out" | grep -E '^#[0-9]+.*(DONE|pulse)' | tail -1)"
done
