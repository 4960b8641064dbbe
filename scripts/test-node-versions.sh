#!/usr/bin/env bash
# Runs the CLI's end-to-end smoke tests on other Node majors (default: 22 and 24): each is the Node binary
# npm publishes as node-linux-<arch>@<major>, unpacked into a temporary directory and put first on PATH
# (the tests spawn bin/run.js with the node that runs them). Uses the build `npm test` made: the addon is
# N-API, so one build serves every Node version.
#   scripts/test-node-versions.sh [major ...]
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=(test/foundation/ test/probe/kernel test/limits/report test/echo/serve-epoll test/install/)
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24)
arch=$(node -p process.arch)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for major in "${majors[@]}"; do
  dir="$scratch/node-$major"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-linux-$arch@$major" >/dev/null && tar -xzf node-linux-*.tgz)
  echo "== smoke tests on Node $("$dir/package/bin/node" --version): ${smoke[*]}"
  # The package carries its headers: node-gyp (test/install's source fallback) uses them, not nodejs.org.
  PATH="$dir/package/bin:$PATH" npm_config_nodedir="$dir/package" node scripts/test.js "${smoke[@]}" || status=1
done
exit $status
