# Sourced by the bench-*.sh scripts: prints the machine, builds the release binary (unless
# WANGGE_RELEASE_BIN names one; wangge-bench beside it) and seeds the sample city into
# $DIR/city.sqlite. Sets BIN and BENCH_BIN.
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/ {print $2}') GB"
if [ -z "${WANGGE_RELEASE_BIN:-}" ]; then
  swift build -c release --scratch-path .build-release --product wangge 2>&1 | tail -1
  swift build -c release --scratch-path .build-release --product wangge-bench 2>&1 | tail -1
fi
BIN=${WANGGE_RELEASE_BIN:-$PWD/.build-release/release/wangge}
BENCH_BIN=${WANGGE_BENCH_BIN:-$(dirname "$BIN")/wangge-bench}
rm -f "$DIR"/city.sqlite*
$BIN seed --db "$DIR/city.sqlite" 2>/dev/null
