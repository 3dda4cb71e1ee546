#!/usr/bin/env bash
# Installs and starts what the tests need, idempotently: Chromium for the browser
# suite, cargo-deny, the npm packages, and a PostgreSQL server on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Browser for the end-to-end suite (Debian's build; test tools cannot download their own here).
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium"
  apt_install chromium
fi

# pdftotext, to read generated certificates back in tests.
if ! command -v pdftotext >/dev/null; then
  echo "setup: installing poppler-utils"
  apt_install poppler-utils
fi

# Dependency licence, ban and source checks (built once; about three minutes).
if ! command -v cargo-deny >/dev/null; then
  echo "setup: installing cargo-deny"
  cargo install --locked cargo-deny@0.20.2
fi

# Node packages pinned by package-lock.json.
if ! command -v npm >/dev/null; then
  echo "setup: installing nodejs and npm"
  apt_install nodejs npm
fi
if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# PostgreSQL on 127.0.0.1:5432 for the second backend.
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "setup: installing postgresql"
    apt_install postgresql
    fresh_install=1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "setup: starting postgresql $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  pg_up || { echo "setup: postgresql did not start" >&2; exit 1; }
  if [ "${fresh_install:-0}" -eq 1 ]; then
    # A fresh Debian cluster asks for passwords over TCP; give the test role one.
    as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
  fi
fi
if ! psql "${PRECINCT_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  echo "setup: cannot connect to PostgreSQL with PRECINCT_TEST_POSTGRES_URL" >&2
  exit 1
fi
echo "setup: ready"
