import type { Command } from 'commander';
import type { CommandContext } from '../main.js';

export function registerRules(program: Command, ctx: CommandContext): void {
  const rules = program.command('rules').description("work with the team's rules");
  rules
    .command('test')
    .description('run the test cases written beside rules (rules/**/*.test.yaml): each document must give exactly the expected findings')
    .argument('[files...]', 'test files (default: rules/**/*.test.yaml)')
    .option('--ruleset <file>', 'ruleset to test (default: the test file\'s `ruleset:`, then the configured one)')
    .addHelpText(
      'after',
      `
A test file:
  rule: no-wildcard-cors
  cases:
    - name: a wildcard origin is refused
      document: { "x-gitway": project, manifests: [{ kind: Policy, name: c, spec: { cors: { origins: ["*"] } } }] }
      findings: [{ path: [manifests, 0, spec, cors, origins], severity: error }]
    - name: a pinned origin passes
      document: { "x-gitway": project, manifests: [{ kind: Policy, name: c, spec: { cors: { origins: [https://a.example] } } }] }
      findings: []

Exit codes: 0 all cases pass, 1 a case fails, 3 a test file or ruleset cannot be read.

Examples:
  gitway rules test
  gitway rules test rules/tests/no-wildcard-cors.test.yaml`,
    )
    .action(
      ctx.action(async (options, files: string[] = []) => {
        const { locateRoot, loadConfig, CONFIG_FILE } = await import('../../manifest/config.js');
        const { WorkTree } = await import('../../workspace/worktree.js');
        const { runRuleTests } = await import('../../checks/rules-test.js');
        const { root, configFile } = locateRoot({ cwd: options.cwd ? String(options.cwd) : ctx.io.cwd, config: options.config as string | undefined });
        const tree = new WorkTree(root);
        const configured = (await tree.exists(configFile ?? CONFIG_FILE)) ? (await loadConfig(tree, configFile)).config?.ruleset : undefined;
        const results = await runRuleTests({ root, tree, files, ruleset: options.ruleset as string | undefined, configuredRuleset: configured });
        const failed = results.filter((r) => !r.ok);
        const lines = results.filter((r) => !options.quiet || !r.ok).map((r) => `${r.ok ? '✔' : '✖'} ${r.file} › ${r.name}${r.ok ? '' : '\n' + r.problems.map((p) => `    ${p}`).join('\n')}`);
        ctx.io.stdout(`${lines.join('\n')}\n${results.length - failed.length} passed, ${failed.length} failed\n`);
        return failed.length ? 1 : 0;
      }),
    );
}
