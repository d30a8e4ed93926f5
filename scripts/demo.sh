#!/usr/bin/env bash
# The README demo: a new repository on the embedded default (a rendered Caddy file, no server),
# validated from the working tree and from a commit, then broken on purpose.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
gitway() { node "$here/bin/gitway.js" "$@"; }
demo="$(mktemp -d "${TMPDIR:-/tmp}/gitway-demo-XXXXXX")"
trap 'rm -rf "$demo"' EXIT
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
cd "$demo"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.com GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.com

step "gitway init"; gitway init
git init -q && git add -A && git commit -qm "gitway init"
step "gitway validate"; gitway validate
step "gitway validate --rev HEAD   (reads the commit, not the disk)"; gitway validate --rev HEAD
step "gitway lint   (the rulesets: gitway:oas and gitway:manifests, extended in rules/ruleset.yaml)"; gitway lint
step "gitway lint --format github   (annotations for a CI run)"; gitway lint --format github

step "sed -i 's/upstream: petstore-backend/upstream: petstore-backnd/' gateway/petstore.yaml   (a typo)"
sed -i 's/upstream: petstore-backend/upstream: petstore-backnd/' gateway/petstore.yaml
step "gitway validate"; gitway validate; echo "(exit code $?)"
step "gitway validate --rev HEAD   (the committed tree is still fine)"; gitway validate --rev HEAD; echo "(exit code $?)"

step "git add -A && gitway validate --staged   (what a pre-commit hook runs)"; git add -A; gitway validate --staged --format json | head -20; echo "(exit code ${PIPESTATUS[0]})"
step "gitway validate --env prod   (no such environment)"; gitway validate --env prod; echo "(exit code $?)"
echo
echo "Demo done. Next in the roadmap: lint, plan, apply and rollback (see README)."
