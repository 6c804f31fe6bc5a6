#!/usr/bin/env bash
# Run by scripts/package-test.sh inside a bare bookworm container whose init is systemd, once
# apt-get has installed /dist/llm-d_*_amd64.deb and systemd (or failed to: /root/apt.log; not in
# /tmp, which systemd empties as it starts).
set -euo pipefail
check() { echo "ok: $*"; }
[ -f /root/installed ] || { tail -30 /root/apt.log; exit 1; }
check "apt-get install ./$(basename /dist/llm-d_*_amd64.deb) systemd; llm-d depends on: $(dpkg-query -W -f='${Depends}' llm-d)"
llm-d --version
llm-d --check-config /etc/llm-d/llm-d.yaml
systemd-analyze verify /lib/systemd/system/llm-d.service
check "systemd-analyze verify llm-d.service"
id llm-d
[ "$(stat -c '%U:%G %a' /etc/llm-d/llm-d.yaml)" = "root:llm-d 640" ] || { stat /etc/llm-d/llm-d.yaml; exit 1; }
check "/etc/llm-d/llm-d.yaml is root:llm-d 0640"

source /checks/post.sh
# The packaged config sends model "chat" to localhost:8000, vLLM's port: the mock stands in.
systemd-run --unit llm-d-mock --quiet /usr/bin/llm-d-mock --listen 127.0.0.1:8000 --name vllm
systemctl start llm-d
check "systemctl start llm-d returned: $(systemctl show -p SubState --value llm-d), status \"$(systemctl show -p StatusText --value llm-d)\""
# Type=notify: start returns once READY=1 came, so the listener is up now.
answer=$(post 8080 '{"model": "chat", "messages": [{"role": "user", "content": "Hello"}]}')
grep -q '^HTTP/1.1 200' <<<"$answer" && grep -q '"content":"\[vllm\] t1' <<<"$answer" ||
  { echo "$answer"; journalctl -u llm-d --no-pager | tail; exit 1; }
check "a chat completion through the service at once"
pid=$(systemctl show -p MainPID --value llm-d)
[ "$(stat -c %U "/proc/$pid")" = llm-d ] || { echo "llm-d does not run as the user llm-d"; exit 1; }
grep -Eq '^NoNewPrivs:\s+1$' "/proc/$pid/status" && grep -Eq '^CapEff:\s+0+$' "/proc/$pid/status" &&
  grep -Eq '^Seccomp:\s+2$' "/proc/$pid/status" || { grep -E 'NoNewPrivs|Cap|Seccomp' "/proc/$pid/status"; exit 1; }
check "llm-d runs as llm-d, with no capability, no new privileges and a system call filter"
systemctl reload llm-d
[ "$(systemctl show -p SubState --value llm-d)" = running ] || { systemctl status llm-d --no-pager; exit 1; }
journalctl -u llm-d --no-pager | grep -q 'SIGHUP: reloading the config'
check "systemctl reload llm-d: reloaded, \"$(systemctl show -p StatusText --value llm-d)\""
systemctl stop llm-d
[ "$(systemctl show -p Result --value llm-d)" = success ] || { systemctl status llm-d --no-pager; exit 1; }
journalctl -u llm-d --no-pager | grep -q 'signal 15: draining'
check "systemctl stop llm-d: drained, result success"

runuser -u llm-d -- llm-d --check-config /etc/llm-d/llm-d.yaml >/dev/null
check "the llm-d user reads the config"
dpkg-query -W -f='${Conffiles}\n' llm-d | grep -q '^ /etc/llm-d/llm-d.yaml ' || { echo "not a conffile"; exit 1; }
echo "# edited by package-test.sh" >>/etc/llm-d/llm-d.yaml
dpkg -i /dist/llm-d_*_amd64.deb >/dev/null
[ "$(tail -n1 /etc/llm-d/llm-d.yaml)" = "# edited by package-test.sh" ] || { echo "the edit was lost"; exit 1; }
check "an edited /etc/llm-d/llm-d.yaml survives a reinstall"
[ -f /usr/share/doc/llm-d/README.md ] && [ -f /usr/share/doc/llm-d/docs/deployment.md ] && [ -f /usr/share/doc/llm-d/copyright ]
check "docs under /usr/share/doc/llm-d: $(find /usr/share/doc/llm-d -type f | wc -l) files"
apt-get remove -y -q llm-d >/dev/null 2>&1
[ ! -e /usr/bin/llm-d ] && [ ! -e /lib/systemd/system/llm-d.service ] && [ -f /etc/llm-d/llm-d.yaml ]
check "apt-get remove takes the binaries and the unit, keeps the edited config"
