#!/usr/bin/env bash
# Starts, checks and stops the private Docker engine and loopback registry that the tests and the
# quickstart use (see shared/design/TEST-ENGINE.md). Nothing here is a mock: a real dockerd and a
# real registry with htpasswd auth.
#
#   test-engine.sh start    install what is missing, start dockerd + registry, build the base image
#   test-engine.sh env      print the variables the tests read (source-able)
#   test-engine.sh stop     stop both and delete their folders
#   test-engine.sh base-image   build the busybox base image on $DOCKER_HOST (for an engine of your own)
#
# State lives in $CT_ENGINE_DIR (default /tmp/containertools-engine). Starting twice is harmless.
set -euo pipefail

STATE_DIR="${CT_ENGINE_DIR:-/tmp/containertools-engine}"
SOCKET="$STATE_DIR/docker.sock"
REGISTRY_PORT="${CT_REGISTRY_PORT:-5055}"
REGISTRY_USER="ctuser"
REGISTRY_PASSWORD="ct-test-password"
BASE_IMAGE="containertools-test/busybox:latest"

log() { echo "[test-engine] $*" >&2; }

need_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -q '^wget$' || missing+=(busybox-static)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  # Compose v1 (Debian docker-compose 1.29): a peer for the compose model tests (about 10 s to install).
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  # Local machines (the machine tests): ip for namespaces, veth pairs and bridges; nsenter to start dockerd in them.
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # The docker CLI is the tests' independent oracle. Debian's docker.io brings one; keep whatever is on PATH.
  command -v docker >/dev/null 2>&1 || { log "no docker CLI on PATH"; exit 1; }
}

engine_answers() {
  curl -sf --max-time 2 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1
}

registry_answers() {
  curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REGISTRY_PORT/v2/" 2>/dev/null | grep -q 401
}

start_engine() {
  if engine_answers; then log "engine already running at unix://$SOCKET"; return; fi
  mkdir -p "$STATE_DIR/data" "$STATE_DIR/exec"
  log "starting dockerd at unix://$SOCKET"
  # setsid: the daemon must not die with the shell that started it.
  setsid dockerd --data-root "$STATE_DIR/data" --exec-root "$STATE_DIR/exec" \
    -H "unix://$SOCKET" --pidfile "$STATE_DIR/docker.pid" --ip 127.0.0.1 \
    --insecure-registry "127.0.0.1:$REGISTRY_PORT" \
    >"$STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 1 150); do
    engine_answers && return
    sleep 0.2
  done
  log "dockerd did not answer within 30 s; its log:"; tail -n 40 "$STATE_DIR/dockerd.log" >&2; exit 1
}

start_registry() {
  if registry_answers; then log "registry already running at 127.0.0.1:$REGISTRY_PORT"; return; fi
  mkdir -p "$STATE_DIR/registry/data"
  htpasswd -Bbc "$STATE_DIR/registry/htpasswd" "$REGISTRY_USER" "$REGISTRY_PASSWORD" 2>/dev/null
  cat >"$STATE_DIR/registry/config.yml" <<YAML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $STATE_DIR/registry/data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$REGISTRY_PORT
auth:
  htpasswd: { realm: containertools-test, path: $STATE_DIR/registry/htpasswd }
YAML
  log "starting registry at 127.0.0.1:$REGISTRY_PORT"
  setsid docker-registry serve "$STATE_DIR/registry/config.yml" >"$STATE_DIR/registry.log" 2>&1 < /dev/null &
  echo $! >"$STATE_DIR/registry.pid"
  for _ in $(seq 1 100); do
    registry_answers && return
    sleep 0.1
  done
  log "registry did not answer within 10 s; its log:"; tail -n 40 "$STATE_DIR/registry.log" >&2; exit 1
}

build_base_image() {
  if docker -H "${SOCKET_HOST:-unix://$SOCKET}" image inspect "$BASE_IMAGE" busybox:latest >/dev/null 2>&1; then return; fi
  log "building $BASE_IMAGE from busybox-static"
  local ctx; ctx=$(mktemp -d)
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/etc" "$ctx/rootfs/www"
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$ctx/rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ctx/rootfs/etc/passwd"
  echo 'root:x:0:' >"$ctx/rootfs/etc/group"
  echo 'hello from containertools' >"$ctx/rootfs/www/index.html"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/bin
CMD ["sh"]
DOCKERFILE
  # Also tagged busybox:latest, so that examples and docs can say 'busybox' as users would, with no registry.
  DOCKER_BUILDKIT=0 docker -H "${SOCKET_HOST:-unix://$SOCKET}" build -q -t "$BASE_IMAGE" -t busybox:latest "$ctx" >/dev/null
  rm -rf "$ctx"
}

print_env() {
  cat <<ENV
export CONTAINERTOOLS_TEST_HOST=unix://$SOCKET
export CONTAINERTOOLS_TEST_IMAGE=$BASE_IMAGE
export CONTAINERTOOLS_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT
export CONTAINERTOOLS_TEST_REGISTRY_USER=$REGISTRY_USER
export CONTAINERTOOLS_TEST_REGISTRY_PASSWORD=$REGISTRY_PASSWORD
ENV
}

stop_all() {
  if [ -f "$STATE_DIR/registry.pid" ]; then
    kill "$(cat "$STATE_DIR/registry.pid")" 2>/dev/null || true
    rm -f "$STATE_DIR/registry.pid"
  fi
  if [ -f "$STATE_DIR/docker.pid" ]; then
    local pid; pid=$(cat "$STATE_DIR/docker.pid")
    if kill -TERM "$pid" 2>/dev/null; then
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    fi
  fi
  # dockerd leaves mounts under its data root if it was killed hard; unmount before deleting.
  if [ -d "$STATE_DIR" ]; then
    grep -o " $STATE_DIR[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$STATE_DIR"
  fi
  log "stopped"
}

case "${1:-}" in
  start) need_packages; start_engine; start_registry; build_base_image; print_env ;;
  env) print_env ;;
  stop) stop_all ;;
  base-image) SOCKET_HOST="${DOCKER_HOST:-unix://$SOCKET}"; build_base_image ;;
  *) echo "usage: $0 start|env|stop|base-image" >&2; exit 2 ;;
esac
