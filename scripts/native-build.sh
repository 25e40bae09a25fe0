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
#
# A compile takes about two minutes of one core. CI starts it before npm ci, which spends most of its
# time waiting on the registry:
#   bash scripts/native-build.sh --stage DIR NODE...   builds from the registry's tarball of the
#       version package-lock.json pins (no node_modules needed) into DIR/<node version>/<platform>/<arch>/
#   bash scripts/native-build.sh --from DIR NODE...    after npm ci: takes a staged build from DIR when
#       it is there and loads, else builds as above
set -euo pipefail
cd "$(dirname "$0")/.."
module=node_modules/better-sqlite3
mode=install
stage=""
case "${1:-}" in
  --stage) mode=stage; stage="${2:?--stage DIR}"; shift 2 ;;
  --from) stage="$(cd "${2:?--from DIR}" 2>/dev/null && pwd || echo "$2")"; shift 2 ;;
esac
[ "$#" -gt 0 ] || { echo "usage: native-build.sh [--stage DIR | --from DIR] NODE..." >&2; exit 2; }
triple() { "$1" -p 'process.versions.node + "/" + process.platform + "/" + process.arch'; }

# Compiles the package's sources in $1 for node $2; the module ends in $1/build/Release.
compile() {
  local work="$1" node_bin="$2" prefix nodedir=()
  prefix="$(dirname "$(dirname "$node_bin")")"
  [ -d "$prefix/include/node" ] && nodedir=("npm_config_nodedir=$prefix")
  (cd "$work" && env PATH="$(dirname "$node_bin"):$PATH" "${nodedir[@]}" npm run --silent build-release > build.log 2>&1) \
    || { tail -30 "$work/build.log" >&2; return 1; }
}

if [ "$mode" = stage ]; then
  version="$(node -p "require('./package-lock.json').packages['node_modules/better-sqlite3'].version")"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  npm pack "better-sqlite3@$version" --pack-destination "$work" --silent > /dev/null
  tar -xzf "$work/better-sqlite3-$version.tgz" -C "$work"
  for node_bin in "$@"; do
    node_bin="$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin")"
    started="$SECONDS"
    rm -rf "$work/package/build"
    compile "$work/package" "$node_bin"
    mkdir -p "$stage/$(triple "$node_bin")"
    cp "$work/package/build/Release/better_sqlite3.node" "$stage/$(triple "$node_bin")/"
    echo "better-sqlite3 $version for node $("$node_bin" --version): staged in $(( SECONDS - started )) s"
  done
  exit 0
fi

[ -d "$module" ] || { echo "native-build.sh: run npm ci first" >&2; exit 1; }
for node_bin in "$@"; do
  node_bin="$(cd "$(dirname "$node_bin")" && pwd)/$(basename "$node_bin")"
  target="$module/compiled/$(triple "$node_bin")"
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
  staged="${stage:+$stage/$(triple "$node_bin")/better_sqlite3.node}"
  if [ -n "$staged" ] && [ -f "$staged" ] && "$node_bin" -e "require(process.argv[1])" "$staged" 2>/dev/null; then
    cp "$staged" "$target/"
    echo "better-sqlite3 for node $("$node_bin" --version): staged build"
    continue
  fi
  started="$SECONDS"
  work="$(mktemp -d)"
  cp -r "$module/package.json" "$module/binding.gyp" "$module/deps" "$module/src" "$work/"
  compile "$work" "$node_bin" || { rm -rf "$work"; exit 1; }
  cp "$work/build/Release/better_sqlite3.node" "$target/"
  rm -rf "$work"
  echo "better-sqlite3 for node $("$node_bin" --version): built in $(( SECONDS - started )) s"
done
rm -f "$module/build/Release/better_sqlite3.node"
