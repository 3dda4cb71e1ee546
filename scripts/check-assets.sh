#!/usr/bin/env bash
# Fails when the vendored USWDS files are not the version package.json pins.
set -euo pipefail
cd "$(dirname "$0")/.."
pinned=$(sed -n 's/.*"@uswds\/uswds": *"\([^"]*\)".*/\1/p' package.json)
vendored=$(cat assets/uswds/VERSION)
if [ "$pinned" != "$vendored" ]; then
  echo "assets/uswds is $vendored but package.json pins $pinned: run scripts/vendor-uswds.sh" >&2
  exit 1
fi
for f in css/uswds.min.css js/uswds.min.js js/uswds-init.min.js; do
  [ -s "assets/uswds/$f" ] || { echo "missing assets/uswds/$f" >&2; exit 1; }
done
echo "assets: USWDS $vendored"
