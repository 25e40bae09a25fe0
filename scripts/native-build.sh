#!/usr/bin/env bash
# Builds better-sqlite3's native module for each Node binary given and keeps every build, so that one
# node_modules serves several runtimes at once (CI runs the suite on Node 20 and 22). Each build goes
# to node_modules/better-sqlite3/compiled/<node version>/<platform>/<arch>/, where the `bindings`
# loader looks after build/Release; build/Release is then emptied of the module, as it holds one ABI
# only and a mismatch there stops the loader before it reaches the others.
#   bash scripts/native-build.sh "$(command -v node)" .ci/node22/bin/node
# Compiled from source (no prebuilt binary is fetched) against the headers beside each binary,
# <prefix>/include/node, which the npm package of Node ships and Debian's nodejs puts in /usr/include.
set -euo pipefail
cd "$(dirname "$0")/.."
module=node_modules/better-sqlite3
[ -d "$module" ] || { echo "native-build.sh: run npm ci first" >&2; exit 1; }
for node_bin in "$@"; do
  node_bin="$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin")"
  target="$module/compiled/$("$node_bin" -p 'process.versions.node + "/" + process.platform + "/" + process.arch')"
  if [ -f "$target/better_sqlite3.node" ]; then
    echo "better-sqlite3 for node $("$node_bin" --version): kept build"
    continue
  fi
  # npm ci's own build, when it was made for this binary's ABI, is as good as a rebuild.
  if ! "$node_bin" -e "require('./$module/build/Release/better_sqlite3.node')" 2>/dev/null; then
    prefix="$(dirname "$(dirname "$node_bin")")"
    nodedir=()
    [ -d "$prefix/include/node" ] && nodedir=("npm_config_nodedir=$prefix")
    env PATH="$(dirname "$node_bin"):$PATH" "${nodedir[@]}" npm_config_build_from_source=true npm rebuild better-sqlite3 --silent
  fi
  mkdir -p "$target"
  cp "$module/build/Release/better_sqlite3.node" "$target/"
  echo "better-sqlite3 for node $("$node_bin" --version): built"
done
rm -f "$module/build/Release/better_sqlite3.node"
