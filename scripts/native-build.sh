#!/usr/bin/env bash
# Builds better-sqlite3's native module for each Node binary given and keeps every build, so that one
# node_modules serves several runtimes at once (CI runs the suite on Node 20 and 22). Each build goes
# to node_modules/better-sqlite3/compiled/<node version>/<platform>/<arch>/, where the `bindings`
# loader looks after build/Release; build/Release is then emptied of the module, as it holds one ABI
# only and a mismatch there stops the loader before it reaches the others.
#   bash scripts/native-build.sh "$(command -v node)" .ci/node22/bin/node
# npm ci's own build is kept for the runtime it was made for. Other runtimes compile from source (no
# prebuilt binary is fetched) against the headers beside their binary, <prefix>/include/node, which
# the npm package of Node ships and Debian's nodejs puts in /usr/include; they compile in a copy of
# the package, so that tests running meanwhile on another runtime never see a half-built module.
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
  mkdir -p "$target"
  if "$node_bin" -e "require('./$module/build/Release/better_sqlite3.node')" 2>/dev/null; then
    cp "$module/build/Release/better_sqlite3.node" "$target/"
    echo "better-sqlite3 for node $("$node_bin" --version): npm ci's build"
    continue
  fi
  started="$SECONDS"
  work="$(mktemp -d)"
  cp -r "$module/package.json" "$module/binding.gyp" "$module/deps" "$module/src" "$work/"
  prefix="$(dirname "$(dirname "$node_bin")")"
  nodedir=()
  [ -d "$prefix/include/node" ] && nodedir=("npm_config_nodedir=$prefix")
  (cd "$work" && env PATH="$(dirname "$node_bin"):$PATH" "${nodedir[@]}" npm run --silent build-release > build.log 2>&1) \
    || { tail -30 "$work/build.log" >&2; rm -rf "$work"; exit 1; }
  cp "$work/build/Release/better_sqlite3.node" "$target/"
  rm -rf "$work"
  echo "better-sqlite3 for node $("$node_bin" --version): built in $(( SECONDS - started )) s"
done
rm -f "$module/build/Release/better_sqlite3.node"
