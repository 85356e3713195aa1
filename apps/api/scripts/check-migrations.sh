#!/usr/bin/env bash
# Fails when src/database/schema.ts has changes that no committed migration contains:
# generates into a copy of drizzle/ and looks for a new migration file.
set -euo pipefail
cd "$(dirname "$0")/.."
copy=".drift-check-$$"
mkdir -p "$copy"
trap 'rm -rf "$copy" "$copy.log"' EXIT
cp -r drizzle/. "$copy"
npx drizzle-kit check
npx drizzle-kit generate --dialect postgresql --schema ./src/database/schema.ts --out "$copy" < /dev/null > "$copy.log" 2>&1 || { cat "$copy.log"; exit 1; }
# drizzle-kit exits 0 even when it fails (a rename needs a TTY prompt, say): read what it said.
if ! grep -q "No schema changes" "$copy.log"; then
  cat "$copy.log"
  echo "The schema has changes without a migration (or drizzle-kit failed): run 'npm run db:generate' and commit drizzle/." >&2
  exit 1
fi
if [ "$(ls "$copy"/*.sql | wc -l)" != "$(ls drizzle/*.sql | wc -l)" ]; then
  cat "$copy.log"
  echo "The schema has changes without a migration: run 'npm run db:generate' and commit drizzle/." >&2
  exit 1
fi
echo "Migrations match the schema."
