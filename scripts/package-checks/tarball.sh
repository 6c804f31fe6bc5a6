#!/usr/bin/env bash
# Run by scripts/package-test.sh inside a bare bookworm container without network, /dist mounted.
set -euo pipefail
check() { echo "ok: $*"; }
dev=$(dpkg-query -W -f='${Package}\n' | grep -- '-dev$' || true)
[ -z "$dev" ] || { echo "the container has -dev packages: $dev"; exit 1; }
cd /tmp
tar -xzf /dist/llm-d-*-linux-amd64.tar.gz
cd llm-d-*-linux-amd64
ls
ldd ./llm-d
! ldd ./llm-d ./llm-d-mock | grep 'not found'
./llm-d --version
./llm-d --check-config examples/minimal.yaml >/dev/null
check "the binaries run with only glibc"

# wait_port FILE: the port of the "listening on HOST:PORT" line the process writes to FILE.
wait_port() {
  for _ in $(seq 100); do
    if grep -q 'listening on' "$1"; then sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$1" | head -n1; return; fi
    sleep 0.1
  done
  echo "no listening line in $1: $(cat "$1")" >&2
  exit 1
}
./llm-d-mock --listen 127.0.0.1:0 --name m >mock.out 2>mock.err &
mock_port=$(wait_port mock.out)
printf 'models:\n  - name: m\n    endpoint: http://127.0.0.1:%s/v1\n' "$mock_port" >llm-d.yaml
./llm-d --config llm-d.yaml --listen 127.0.0.1:0 >llmd.out 2>llmd.err &
llmd=$!
port=$(wait_port llmd.out)

source /checks/post.sh
answer=$(post "$port" '{"model": "m", "messages": [{"role": "user", "content": "Hello"}]}')
grep -q '^HTTP/1.1 200' <<<"$answer" && grep -q '"object":"chat.completion"' <<<"$answer" &&
  grep -q '"content":"\[m\] t1' <<<"$answer" || { echo "$answer"; cat llmd.err; exit 1; }
check "a chat completion from llm-d-mock through llm-d"
answer=$(post "$port" '{"model": "m", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}')
grep -qi '^content-type: text/event-stream' <<<"$answer" && grep -q '^data: \[DONE\]' <<<"$answer" ||
  { echo "$answer"; cat llmd.err; exit 1; }
check "a streamed one: $(grep -c '^data: ' <<<"$answer") events ending with [DONE]"
kill -TERM "$llmd"
wait "$llmd"
check "llm-d drained and exited 0 on SIGTERM"
