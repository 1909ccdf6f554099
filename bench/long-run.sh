#!/usr/bin/env bash
# Long run (issue 8): a generated archive of 20 million netfilter lines and a 20-million-packet
# (~2.3 GB) capture, streamed through `portmatrix check -` (never stored), with peak memory recorded
# for a tenth of each input too, so flat memory shows as a ratio. Writes bench/long-run.md.
#   bash bench/long-run.sh [lines=20000000] [packets=20000000]
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${1:-20000000}
PACKETS=${2:-20000000}
[ -f dist/cli/main.js ] || npx tsc -p tsconfig.json
out=bench/long-run.md
run() { # name generator-args...
  local name=$1; shift
  local t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o /tmp/pm-long-rss "$@" > /tmp/pm-long-report.json || true
  local t1=$(date +%s.%N)
  local rss=$(tail -1 /tmp/pm-long-rss)
  local read=$(node -e 'const r=JSON.parse(require("fs").readFileSync("/tmp/pm-long-report.json","utf8"));const t=r.totals.records;console.log(`${t.read} read, ${t.used} used, ${t.skipped} skipped, ${r.totals.findings} findings`)')
  printf '| %s | %.1f | %d | %s |\n' "$name" "$(echo "$t1 - $t0" | bc)" "$((rss / 1024))" "$read" >> "$out"
}
check=(node bin/portmatrix.js check -r kcps-file-server -i bench/inventory.yaml --format json --fail-on none -q -)
{
  echo "# Long run ($(date -u +%Y-%m-%d), $(nproc) cores, node $(node --version))"
  echo
  echo "Command: \`bash bench/long-run.sh $LINES $PACKETS\`. Inputs are generated on the fly and piped into \`portmatrix check -\`; nothing is stored."
  echo
  echo "| input | wall s | peak RSS MiB | accounting |"
  echo "|---|---|---|---|"
} > "$out"
run "netfilter, $((LINES / 10)) lines, 20k flows" bash -c "node bench/gen-logs.mjs netfilter /dev/stdout $((LINES / 10)) 20000 2>/dev/null | ${check[*]}"
run "netfilter, $LINES lines, 20k flows" bash -c "node bench/gen-logs.mjs netfilter /dev/stdout $LINES 20000 2>/dev/null | ${check[*]}"
run "pcap, $((PACKETS / 10)) packets, 20k flows" bash -c "node bench/gen-pcap.mjs /dev/stdout $((PACKETS / 10)) 20000 2>/dev/null | ${check[*]}"
run "pcap, $PACKETS packets (~$((PACKETS * 115 / 1000000)) MB), 20k flows" bash -c "node bench/gen-pcap.mjs /dev/stdout $PACKETS 20000 2>/dev/null | ${check[*]}"
cat "$out"
