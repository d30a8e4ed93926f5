#!/usr/bin/env bash
# The README demo: a new repository on the embedded default (a rendered Caddy file, no server),
# validated from the working tree and from a commit, planned and applied to the file target,
# changed and planned again, compared between two commits, then broken on purpose.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
gitway() { node "$here/bin/gitway.js" "$@"; }
demo="$(mktemp -d "${TMPDIR:-/tmp}/gitway-demo-XXXXXX")"
trap 'rm -rf "$demo"' EXIT
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
cd "$demo"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com

step "gitway init"; gitway init
echo ".gitway/" > .gitignore   # rendered config (it holds secret values) and caches stay out of git
git init -q && git add -A && git commit -qm "gitway init"
step "gitway validate"; gitway validate
step "gitway validate --rev HEAD   (reads the commit, not the disk)"; gitway validate --rev HEAD
step "gitway lint   (the rulesets: gitway:oas and gitway:manifests, extended in rules/ruleset.yaml)"; gitway lint
step "gitway lint --format github   (annotations for a CI run)"; gitway lint --format github

step "gitway plan   (the desired state against .gitway/local/caddy.json, which does not exist yet)"; gitway plan
step "gitway apply --yes   (writes the Caddy config file atomically)"; gitway apply --yes
step "gitway plan   (again: the file now matches)"; gitway plan
if command -v caddy >/dev/null 2>&1; then
  step "caddy validate --config .gitway/local/caddy.json"; caddy validate --config .gitway/local/caddy.json 2>&1 | tail -1
fi
step "sed -i 's/read: 30s/read: 10s/' gateway/petstore.yaml   (a shorter upstream timeout)"
sed -i 's/read: 30s/read: 10s/' gateway/petstore.yaml
step "gitway plan --detailed-exitcode   (exit 2: changes)"; gitway plan --detailed-exitcode; echo "(exit code $?)"
git commit -qam "shorter read timeout"
step "gitway diff HEAD~1 HEAD   (what the commit changes on the gateway, offline)"; gitway diff HEAD~1 HEAD
step "gitway plan --format markdown   (for a pull-request comment)"; gitway plan --format markdown

step "sed -i 's/upstream: petstore-backend/upstream: petstore-backnd/' gateway/petstore.yaml   (a typo)"
sed -i 's/upstream: petstore-backend/upstream: petstore-backnd/' gateway/petstore.yaml
step "gitway validate"; gitway validate; echo "(exit code $?)"
step "gitway validate --rev HEAD   (the committed tree is still fine)"; gitway validate --rev HEAD; echo "(exit code $?)"

step "git add -A && gitway validate --staged   (what a pre-commit hook runs)"; git add -A; gitway validate --staged --format json | head -20; echo "(exit code ${PIPESTATUS[0]})"
step "gitway validate --env prod   (no such environment)"; gitway validate --env prod; echo "(exit code $?)"

# Part 2: the main job on a live gateway. A real Caddy (admin API included) and a small backend, both on
# free 127.0.0.1 ports, stopped by process id when the demo ends.
if ! command -v caddy >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  step "apt-get install -y caddy   (the live part needs a Caddy)"; { apt-get update -qq && apt-get install -y -qq caddy; } >/dev/null 2>&1
fi
if ! command -v caddy >/dev/null 2>&1; then
  echo; echo "Caddy is not installed (apt-get install -y caddy): skipping the live part of the demo."; exit 0
fi
git reset -q && git checkout -q -- .   # drop the typo of part 1
freeport() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
ADMIN=$(freeport); PROXY=$(freeport); UP=$(freeport); DEAD=$(freeport)
mkdir -p "$demo/.caddy"
printf '{"admin":{"listen":"127.0.0.1:%s","config":{"persist":false}},"logging":{"logs":{"default":{"level":"ERROR"}}}}' "$ADMIN" > "$demo/.caddy/bootstrap.json"
XDG_CONFIG_HOME="$demo/.caddy" XDG_DATA_HOME="$demo/.caddy" caddy run --config "$demo/.caddy/bootstrap.json" >"$demo/.caddy/log" 2>&1 &
caddy_pid=$!
node "$here/scripts/demo-upstream.mjs" "$UP" & upstream_pid=$!
trap 'kill $caddy_pid $upstream_pid 2>/dev/null; wait $caddy_pid $upstream_pid 2>/dev/null; rm -rf "$demo"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$ADMIN/config/" >/dev/null 2>&1 && break; sleep 0.1; done
cat >> gitway.yaml <<YAML
  # A live Caddy: its admin API, where it serves traffic (smoke checks go there), and the backend.
  staging:
    driver: caddy
    admin: http://127.0.0.1:$ADMIN
    proxy: http://127.0.0.1:$PROXY
    listen: 127.0.0.1:$PROXY
    vars:
      petstore_upstream: http://127.0.0.1:$UP
YAML
echo ".caddy/" >> .gitignore
git commit -qam "staging: a live Caddy"
echo; echo "── Part 2: a live Caddy (admin API on 127.0.0.1:$ADMIN, traffic on 127.0.0.1:$PROXY) ──"
step "gitway plan --env staging"; gitway plan --env staging
step "gitway apply --env staging --yes --auto-rollback   (one write, read back, then the API's smoke checks)"; gitway apply --env staging --yes --auto-rollback
step "curl http://127.0.0.1:$PROXY/v1/pets   (through Caddy to the backend)"; curl -s "http://127.0.0.1:$PROXY/v1/pets"; echo
step "gitway plan --env staging --detailed-exitcode   (exit 0: the gateway matches the commit)"; gitway plan --env staging --detailed-exitcode; echo "(exit code $?)"

step "a bad deploy: point staging at a backend that is not there, commit, apply with --auto-rollback"
sed -i "s#petstore_upstream: http://127.0.0.1:$UP#petstore_upstream: http://127.0.0.1:$DEAD#" gitway.yaml
git commit -qam "staging: wrong backend"
gitway apply --env staging --yes --auto-rollback; echo "(exit code $?: the check failed, the previous state is back)"
step "curl http://127.0.0.1:$PROXY/v1/pets   (still served by the previous config)"; curl -s "http://127.0.0.1:$PROXY/v1/pets"; echo
git revert --no-edit HEAD >/dev/null

step "sed -i 's/interval: 10s/interval: 5s/' gateway/petstore.yaml && git commit && gitway apply --env staging --yes"
sed -i 's/interval: 10s/interval: 5s/' gateway/petstore.yaml
git commit -qam "health checks every 5s"
gitway apply --env staging --yes -q
step "gitway history --env staging   (read from the gateway itself)"; gitway history --env staging
step "gitway rollback --env staging --yes   (back to the deployment before, without a checkout)"; gitway rollback --env staging --yes
step "gitway history --env staging"; gitway history --env staging
echo
echo "Demo done."
