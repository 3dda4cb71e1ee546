#!/usr/bin/env bash
# Copies the parts of the pinned @uswds/uswds package that pages use into assets/uswds/,
# so a fresh checkout builds and runs without npm. Run after changing the version in
# package.json, then commit the result. `scripts/check-assets.sh` verifies they agree.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/@uswds/uswds/dist
[ -d "$src" ] || { echo "run 'npm ci' first" >&2; exit 1; }
dst=assets/uswds
rm -rf "$dst"
mkdir -p "$dst/css" "$dst/js"
cp "$src/css/uswds.min.css" "$dst/css/"
cp "$src/js/uswds.min.js" "$src/js/uswds-init.min.js" "$dst/js/"
# Only the fonts and images the stylesheet references (dist/img alone is 10 MB).
grep -o 'url([^)]*)' "$src/css/uswds.min.css" | sed -e 's/^url(//' -e 's/)$//' -e 's/"//g' \
  | grep '^\.\./' | sort -u | while read -r rel; do
    f=${rel#../}
    mkdir -p "$dst/$(dirname "$f")"
    cp "$src/$f" "$dst/$f"
  done
cp node_modules/@uswds/uswds/LICENSE.md "$dst/LICENSE.md"
node -p "JSON.parse(require('fs').readFileSync('node_modules/@uswds/uswds/package.json')).version" > "$dst/VERSION"
echo "vendored USWDS $(cat "$dst/VERSION") into $dst ($(du -sh "$dst" | cut -f1))"
