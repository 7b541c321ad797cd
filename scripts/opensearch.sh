#!/usr/bin/env bash
# A local OpenSearch node for tests, CI and `npm start`, from the minimal distribution on Maven
# Central (no Docker). Plain HTTP on loopback, single node, small heap, data under a cache dir.
#
#   scripts/opensearch.sh start    provision (once), start, wait for yellow; prints OPENSEARCH_URL=…
#   scripts/opensearch.sh stop     stop the node this script started (and wait until it is gone)
#   scripts/opensearch.sh status   print OPENSEARCH_URL=… and exit 0 when running, exit 1 otherwise
#   scripts/opensearch.sh url      print the URL only (for `export OPENSEARCH_URL=$(… url)`)
#
# Environment: KITH_OPENSEARCH_VERSION (2.19.6), KITH_OPENSEARCH_PORT (default: a free port),
# KITH_OPENSEARCH_HEAP (512m), KITH_OPENSEARCH_HOME (~/.cache/kith/opensearch; as root
# /var/cache/kith/opensearch). Each checkout runs its own node, with its data under the home.
set -euo pipefail

VERSION="${KITH_OPENSEARCH_VERSION:-2.19.6}"
# OpenSearch refuses to run as root: as root (CI), the node runs as a system user, from a cache
# dir that user can reach (root's home is private).
RUN_AS="${KITH_OPENSEARCH_USER:-kith-opensearch}"
if [ "$(id -u)" = 0 ]; then DEFAULT_HOME=/var/cache/kith/opensearch; else DEFAULT_HOME="${XDG_CACHE_HOME:-$HOME/.cache}/kith/opensearch"; fi
HOME_DIR="${KITH_OPENSEARCH_HOME:-$DEFAULT_HOME}"
HEAP="${KITH_OPENSEARCH_HEAP:-512m}"
DIST="$HOME_DIR/opensearch-$VERSION"
# One node per checkout: worktrees and CI clones on the same machine never share (or stop) a node.
REPO_ROOT="$(cd "$(dirname "$0")/.." && pwd -P)"
RUN="${KITH_OPENSEARCH_RUN:-$HOME_DIR/run/$(printf %s "$REPO_ROOT" | sha1sum | cut -c1-12)}"
PID_FILE="$RUN/opensearch.pid"
PORT_FILE="$RUN/port"
ARTIFACT="org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip"
ZIP="$HOME/.m2/repository/org/opensearch/distribution/integ-test-zip/opensearch/$VERSION/opensearch-$VERSION.zip"

log() { echo "opensearch: $*" >&2; }

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

url() { echo "http://127.0.0.1:$(cat "$PORT_FILE")"; }

provision() {
  [ -x "$DIST/bin/opensearch" ] && return 0
  command -v java >/dev/null 2>&1 || { log "Java 17+ is required"; exit 1; }
  if [ ! -f "$ZIP" ]; then
    command -v mvn >/dev/null 2>&1 || { log "Maven is required to fetch OpenSearch $VERSION (apt-get install maven)"; exit 1; }
    log "fetching OpenSearch $VERSION from Maven Central (once, cached in ~/.m2)"
    mvn -q dependency:get -Dartifact="$ARTIFACT" -Dtransitive=false >&2
  fi
  mkdir -p "$HOME_DIR"
  local tmp
  tmp="$(mktemp -d "$HOME_DIR/unpack.XXXXXX")"
  unzip -q "$ZIP" -d "$tmp"
  rm -rf "$DIST"
  mv "$tmp/opensearch-$VERSION" "$DIST"
  rm -rf "$tmp"
}

free_port() {
  # The kernel picks a free port; the tiny race until OpenSearch binds it is acceptable for a dev tool.
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  if running_pid >/dev/null; then
    echo "OPENSEARCH_URL=$(url)"
    return 0
  fi
  provision
  mkdir -p "$RUN"
  local port="${KITH_OPENSEARCH_PORT:-$(free_port)}"
  echo "$port" >"$PORT_FILE"
  rm -rf "$RUN/data" "$RUN/logs"
  local launch=()
  if [ "$(id -u)" = 0 ]; then
    id -u "$RUN_AS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
    mkdir -p "$RUN/data" "$RUN/logs"
    chown -R "$RUN_AS" "$RUN" "$DIST"
    chmod o+rx "$HOME_DIR" "$HOME_DIR/run"
    launch=(runuser -u "$RUN_AS" --)
  fi
  # The bundled JDK is not in the integ-test zip; use the machine's Java 17+.
  export OPENSEARCH_JAVA_HOME="${OPENSEARCH_JAVA_HOME:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}"
  export OPENSEARCH_JAVA_OPTS="-Xms$HEAP -Xmx$HEAP ${OPENSEARCH_JAVA_OPTS:-}"
  # Disk watermarks off: a nearly full dev disk must not turn the test index read-only.
  "${launch[@]}" env OPENSEARCH_JAVA_HOME="$OPENSEARCH_JAVA_HOME" OPENSEARCH_JAVA_OPTS="$OPENSEARCH_JAVA_OPTS" \
    "$DIST/bin/opensearch" -d -p "$PID_FILE" \
    -Ecluster.name=kith-local -Enode.name=kith-local \
    -Ediscovery.type=single-node \
    -Enetwork.host=127.0.0.1 -Ehttp.port="$port" -Etransport.port=0 \
    -Epath.data="$RUN/data" -Epath.logs="$RUN/logs" \
    -Ecluster.routing.allocation.disk.threshold_enabled=false \
    -Eaction.auto_create_index=false >"$RUN/stdout.log" 2>&1 || {
    log "failed to start; see $RUN/stdout.log"
    cat "$RUN/stdout.log" >&2
    exit 1
  }
  local deadline=$((SECONDS + 120))
  until curl -fsS "$(url)/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; do
    if ! running_pid >/dev/null && { [ -f "$PID_FILE" ] || [ $SECONDS -ge $((deadline - 90)) ]; }; then
      log "exited during start; last log lines:"
      tail -20 "$RUN/stdout.log" >&2 2>/dev/null || true
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      log "not healthy after 120 s"
      stop
      exit 1
    fi
    sleep 1
  done
  log "OpenSearch $VERSION is up at $(url)"
  echo "OPENSEARCH_URL=$(url)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if running_pid >/dev/null; then echo "OPENSEARCH_URL=$(url)"; else
      echo "not running" >&2
      exit 1
    fi
    ;;
  url) running_pid >/dev/null && url ;;
  *)
    echo "usage: $0 start|stop|status|url" >&2
    exit 2
    ;;
esac
