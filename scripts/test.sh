#!/usr/bin/env bash
# Run kneetrack's whole test suite: system packages (when root), services, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

# System packages the tests use (browser, PostgreSQL, PDF libraries, ffmpeg): .ci/apt-packages.txt
# (KNEETRACK_SKIP_APT=1 skips this step.)
if [ -z "${KNEETRACK_SKIP_APT:-}" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null && [ -f .ci/apt-packages.txt ]; then
  mapfile -t pkgs < <(grep -v '^\s*#' .ci/apt-packages.txt | sed 's/\s//g' | grep -v '^$' | sort -u)
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# Services the tests talk to (each script prints the variables to export). A service
# that a script started itself (it exports KNEETRACK_PG_STARTED=1) is stopped again
# when the suite ends, however it ends; one the user started is left running.
stop_services() {
  if [ "${KNEETRACK_PG_STARTED:-}" = "1" ]; then
    bash .ci/start-postgres.sh stop >/dev/null 2>&1 || true
  fi
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for svc in .ci/start-*.sh; do
  [ -f "$svc" ] || continue
  # shellcheck disable=SC1090
  source "$svc" start || echo "warning: $svc failed; tests needing it will say so"
done

# --durations=15: the slowest tests, printed at the end of every CI run.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider --durations=15 "$@"
