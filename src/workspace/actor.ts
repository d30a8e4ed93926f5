/**
 * Who deploys, and the git tree of what is deployed: what a deployment stamp records. CI runners
 * are named by their own variables (the person or bot that started the run, and the run); a
 * terminal by git's user.name and user.email; `GITWAY_ACTOR` overrides both.
 */
import os from 'node:os';
import type { Revision } from './revision.js';

const CI_ACTORS: [string, (env: NodeJS.ProcessEnv) => string | undefined][] = [
  ['GITHUB_ACTOR', (e) => `${e.GITHUB_ACTOR} (GitHub Actions${e.GITHUB_RUN_ID ? ` run ${e.GITHUB_RUN_ID}` : ''})`],
  ['GITLAB_USER_LOGIN', (e) => `${e.GITLAB_USER_LOGIN} (GitLab CI${e.CI_JOB_ID ? ` job ${e.CI_JOB_ID}` : ''})`],
  ['BUILDKITE_BUILD_CREATOR', (e) => `${e.BUILDKITE_BUILD_CREATOR} (Buildkite${e.BUILDKITE_BUILD_NUMBER ? ` build ${e.BUILDKITE_BUILD_NUMBER}` : ''})`],
  ['CIRCLE_USERNAME', (e) => `${e.CIRCLE_USERNAME} (CircleCI${e.CIRCLE_BUILD_NUM ? ` build ${e.CIRCLE_BUILD_NUM}` : ''})`],
  ['BUILD_USER_ID', (e) => `${e.BUILD_USER_ID} (Jenkins${e.BUILD_NUMBER ? ` build ${e.BUILD_NUMBER}` : ''})`],
  ['BUILD_REQUESTEDFOR', (e) => `${e.BUILD_REQUESTEDFOR} (Azure Pipelines${e.BUILD_BUILDID ? ` build ${e.BUILD_BUILDID}` : ''})`],
];

export async function actorOf(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.GITWAY_ACTOR) return env.GITWAY_ACTOR;
  for (const [name, show] of CI_ACTORS) if (env[name]) return show(env) as string;
  if (env.CI) return 'CI';
  try {
    const { simpleGit } = await import('simple-git');
    const git = simpleGit({ baseDir: root });
    const name = (await git.raw(['config', '--get', 'user.name']).catch(() => '')).trim();
    const email = (await git.raw(['config', '--get', 'user.email']).catch(() => '')).trim();
    if (name || email) return email ? `${name || email} <${email}>` : name;
  } catch {
    // not a repository, or no git
  }
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The git tree of the deployed commit (a clean working tree deploys HEAD's); null when it is not a commit. */
export async function treeOf(root: string, revision: Revision): Promise<string | null> {
  const commit = revision.source === 'commit' ? revision.commit : revision.source === 'worktree' && !revision.dirty ? revision.head : null;
  if (!commit) return null;
  try {
    const { simpleGit } = await import('simple-git');
    const sha = (await simpleGit({ baseDir: root }).raw(['rev-parse', '--verify', '--quiet', `${commit}^{tree}`])).trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}
