#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/TARGET, not committed, or
# $CORPUS_DIR/TARGET) from the
# repository's fixtures in testdata/ and the small hand-made seeds in
# fuzz/seeds/TARGET. Safe to run again: files are copied under names made of
# their path, so a second run adds nothing new.
#
#   fuzz/seed.sh            # every target
#   fuzz/seed.sh versions   # one target
set -euo pipefail
cd "$(dirname "$0")"
testdata=../testdata
# Where the corpora go (smoke.sh seeds a fresh one).
corpus=${CORPUS_DIR:-corpus}

# copy TARGET FILE...: each FILE into corpus/TARGET.
copy() {
  local target=$1
  shift
  mkdir -p "$corpus/$target"
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$corpus/$target/$(printf '%s' "${f#"$testdata"/}" | tr '/' '_')"
  done
}

# found PATTERN...: the fixtures whose name matches one of the patterns.
found() {
  local args=() p
  for p in "$@"; do
    args+=(-o -name "$p")
  done
  find "$testdata" -type f \( "${args[@]:1}" \) | sort
}

# The entries' text of a manifest, as the parallel reader cuts it out.
entries_of() {
  { printf '\n'; awk '/^  "entries": \{$/ {on = 1; next} /^  \},?$/ {on = 0} on' "$1"; } | head -c -1
}

# The files under DIR as the migration_files target reads a folder: each
# file's path relative to DIR, a NUL, its bytes, a NUL.
folder_seed() {
  local f
  while IFS= read -r f; do
    printf '%s\0' "${f#"$1"/}"
    cat "$f"
    printf '\0'
  done < <(find "$1" -type f | sort)
}

seed() {
  case $1 in
    config_json) mapfile -t f < <(found '*.json' '*.lock' | xargs grep -l '^[[:space:]]*[{[]' 2>/dev/null || true) ;;
    config_yaml) mapfile -t f < <(found '*.yaml' '*.yml') ;;
    config_toml) mapfile -t f < <(found '*.toml' 'Cargo.lock' 'poetry.lock' 'uv.lock') ;;
    config_dotenv) mapfile -t f < <(found '.env' '.env.*' '*.env') ;;
    config_ini_properties) mapfile -t f < <(found '*.ini' '*.cnf' '*.properties' '*.conf') ;;
    packages) mapfile -t f < <(find "$testdata/packages" -type f ! -name '*.sqlite' | sort) ;;
    packages_rpmdb) mapfile -t f < <(found '*.sqlite') ;;
    schema_ddl) mapfile -t f < <(found '*.sql') ;;
    drift_toml) mapfile -t f < <(found 'drift.toml' '*.drift.toml') ;;
    kube_manifests) mapfile -t f < <(find "$testdata/kube" -type f | sort) ;;
    *) f=() ;;
  esac
  copy "$1" "${f[@]}"
  copy "$1" "$testdata"/fuzz-findings/"$1"-*.input
  if [ -d "seeds/$1" ]; then
    copy "$1" seeds/"$1"/*
  fi
  if [ "$1" = migration_files ]; then
    # Each migrations folder of testdata/ as one input: NUL-separated
    # paths (relative to the folder) and contents, as the target cuts them.
    local dir
    mkdir -p "$corpus/migration_files"
    while IFS= read -r dir; do
      folder_seed "$dir" >"$corpus/migration_files/$(printf '%s' "${dir#"$testdata"/}" | tr '/' '_')"
    done < <(find "$testdata" -type d \( -name migrations -o -name migrate \) | sort)
  fi
  if [ "$1" = manifest_entries ]; then
    mkdir -p "$corpus/manifest_entries"
    local m
    for m in seeds/manifest_read/*; do
      [ -f "$m" ] || continue
      entries_of "$m" >"$corpus/manifest_entries/$(basename "$m").entries"
    done
  fi
}

targets=(config_json config_yaml config_toml config_dotenv config_ini_properties
  packages packages_rpmdb schema_ddl manifest_read manifest_entries drift_toml
  versions known_hosts ssh_config sftp_replies manifest_structured migration_files
  kube_manifests)
for t in "${@:-${targets[@]}}"; do
  seed "$t"
  printf '%-22s %4d seeds\n' "$t" "$(find "$corpus/$t" -type f | wc -l)"
done
