#!/usr/bin/env bash
# Start the in-memory MongoDB wire-protocol TEST server (mongo-java-server 1.47.0).
#
#   bash scripts/mongo-test-server.sh [port]     # or: npm run --silent mongo:test-server -- [port]
#
# port defaults to 0 (a free port). Prints exactly one line "READY <port>" on stdout
# once listening, then runs until SIGTERM/SIGINT. Needs only Java 17+ and Maven:
# the classpath is resolved from Maven Central once (tools/mongo-test-server/pom.xml)
# and cached in tools/mongo-test-server/target/classpath.txt; it is resolved again
# only if that file is missing or the pom is newer, or one of its jars has vanished.
# Maven's own output goes to stderr so stdout carries only the READY line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOL_DIR="$ROOT/tools/mongo-test-server"
POM="$TOOL_DIR/pom.xml"
CP_FILE="$TOOL_DIR/target/classpath.txt"

cp_is_stale() {
  [[ ! -s "$CP_FILE" || "$POM" -nt "$CP_FILE" ]] && return 0
  local jar
  IFS=':' read -r -a jars < "$CP_FILE"
  for jar in "${jars[@]}"; do
    [[ -f "$jar" ]] || return 0
  done
  return 1
}

if cp_is_stale; then
  echo "mongo-test-server: resolving classpath with Maven (first run only)..." >&2
  rm -f "$CP_FILE"
  # -Dmaven.repo.local defaults to the usual ~/.m2/repository; override with MAVEN_REPO_LOCAL.
  mvn -B -q -f "$POM" \
    -Dmaven.repo.local="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}" \
    generate-resources 1>&2
  if [[ ! -s "$CP_FILE" ]]; then
    echo "mongo-test-server: Maven did not write $CP_FILE" >&2
    exit 1
  fi
fi

exec java -cp "$(cat "$CP_FILE")" "$TOOL_DIR/MongoTestServer.java" "${1:-0}"
