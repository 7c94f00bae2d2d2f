#!/usr/bin/env bash
# Check a built image with buildah, as the image's own user: its configuration (non-root user, `pushback run` by
# default, a HEALTHCHECK, no compilers), `pushback triage` on an example, `pushback db upgrade`, then
# `pushback run` in HTTP mode until the image's own HEALTHCHECK passes and /healthz answers 200, and a clean
# stop on SIGTERM. Usage: sudo deploy/check-image.sh [tag]      (default tag: localhost/pushback:latest)
set -euo pipefail
tag="${1:-localhost/pushback:latest}"
buildah=(buildah --storage-driver vfs)
started=$SECONDS

# The image's configuration, checked; prints the HEALTHCHECK's command, one argument a line.
probe_lines=$("${buildah[@]}" inspect --type image "$tag" | python3 -c '
import json, sys
config = json.load(sys.stdin)["Docker"]["config"]
user, cmd, test = config.get("User") or "", config.get("Cmd"), (config.get("Healthcheck") or {}).get("Test") or []
print(f"check-image: user={user} cmd={cmd} healthcheck={test[:1]}", file=sys.stderr)
if user.split(":")[0] in ("", "0", "root"):
    sys.exit("check-image: FAILED: the image runs as root")
if cmd != ["pushback", "run"]:
    sys.exit("check-image: FAILED: the default command is not pushback run")
argv = test[1:] if test[:1] == ["CMD"] else ["/bin/sh", "-c", test[1]] if test[:1] == ["CMD-SHELL"] else []
if not argv:
    sys.exit("check-image: FAILED: the image has no HEALTHCHECK (build it with --format docker)")
print("\n".join(argv))')
mapfile -t probe <<<"$probe_lines"

container=$("${buildah[@]}" from "$tag")
trap '"${buildah[@]}" rm "$container" >/dev/null' EXIT
run=("${buildah[@]}" run --isolation chroot)

tools=$("${run[@]}" "$container" -- /bin/sh -c \
  'for tool in cc gcc g++ make ld as; do command -v "$tool"; done; true')
if [ -n "$tools" ]; then
  echo "check-image: FAILED: build tools in the final image: $tools" >&2
  exit 1
fi
echo "check-image: no compilers; running as uid $("${run[@]}" "$container" -- id -u)"

echo "check-image: pushback triage"
"${run[@]}" "$container" -- pushback triage "Could you add a French version of the site by Friday at no extra cost?"

# The image's own data directory (/var/lib/pushback, SQLite), written by its non-root user.
env=(--env SLACK_BOT_TOKEN=xoxb-image-check --env SLACK_SIGNING_SECRET=image-check
     --env SLACK_API_URL=http://127.0.0.1:9/api/ --env PORT=3917 --env PUSHBACK_SCHEDULER=off)
echo "check-image: pushback db upgrade"
"${run[@]}" "${env[@]}" "$container" -- pushback db upgrade

echo "check-image: pushback run, the image's HEALTHCHECK and /healthz"
"${run[@]}" "${env[@]}" "$container" -- /bin/sh -c '
    pushback run > /tmp/run.log 2>&1 &
    server=$!
    healthy=""
    for attempt in $(seq 1 120); do
      if "$@" >/dev/null 2>&1; then healthy=$attempt; break; fi
      kill -0 "$server" 2>/dev/null || break
      sleep 0.5
    done
    if [ -z "$healthy" ]; then
      echo "HEALTHCHECK never passed"; cat /tmp/run.log; kill "$server" 2>/dev/null; exit 1
    fi
    echo "HEALTHCHECK: passed after $healthy tries"
    python3 -c "import urllib.request; print(\"healthz:\", urllib.request.urlopen(\"http://127.0.0.1:3917/healthz\", timeout=4).status)" \
      || { cat /tmp/run.log; kill "$server"; exit 1; }
    kill -TERM "$server"
    status=0; wait "$server" || status=$?
    if [ "$status" != 0 ]; then echo "pushback run exited $status on SIGTERM"; cat /tmp/run.log; exit 1; fi
    echo "pushback run: stopped cleanly on SIGTERM"' check "${probe[@]}"

echo "check-image: all checks passed in $((SECONDS - started))s"
