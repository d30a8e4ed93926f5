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
echo
echo "Demo done. Next in the roadmap: the live Caddy admin API, rollback and history (see README)."
