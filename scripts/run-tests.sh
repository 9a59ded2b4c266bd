#!/bin/sh
# The test command of README.md: installs what is needed, builds with ASan+UBSan, runs every
# suite (unit, fuzz replay, lint, integration, e2e, gui) and ends with "N passed, N failed".
# A skipped test, or a skipped TAP subtest, counts as failed: in CI nothing may quietly not run.
# Needs root (network namespaces, tun devices, test users).  Usage: scripts/run-tests.sh [SUITE...]
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "run-tests: needs root (network namespaces, tun devices, test users)" >&2
	exit 2
fi
./scripts/install-deps.sh
BUILD=${BUILD_DIR:-build-test}
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Db_sanitize=address,undefined \
		-Dhelper=enabled -Dgui=enabled >"$BUILD.setup.log" 2>&1 ||
		{ cat "$BUILD.setup.log"; exit 1; }
fi
ninja -C "$BUILD" >/dev/null || ninja -C "$BUILD"
# The worker's user, as the package makes it; removed again at the end if this run made it.
made_user=$(scripts/worker-user.sh ensure)
[ "$made_user" = created ] && trap 'scripts/worker-user.sh remove' EXIT
# Labs left by a run that was killed (their owner is gone) would only collide with ours.
tests/lab/lab.sh gc >/dev/null 2>&1 || true
suites=""
for s in "$@"; do suites="$suites --suite $s"; done
# ASan: leaks are errors, and a report must fail the test, not just print.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
set +e
# shellcheck disable=SC2086
meson test -C "$BUILD" --no-rebuild --print-errorlogs $suites
set -e
/usr/bin/python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
bad = []
for line in open(sys.argv[1]):
    t = json.loads(line)
    # A TAP subtest skipped inside a passing test did not run either.
    skipped = [l for l in (t.get("stdout") or "").splitlines()
               if l.startswith("ok ") and "# SKIP" in l]
    if t["result"] in ("OK", "EXPECTEDFAIL") and not skipped:
        passed += 1
    else:
        failed += 1
        bad.append("%s (%s)" % (t["name"], skipped[0] if skipped else t["result"]))
for b in bad:
    print("not passed:", b)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or not passed else 0)
PY
