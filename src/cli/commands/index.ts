/**
 * Every command, in the order `gitway --help` lists them. src/cli/main.ts imports this module only
 * once a command line needs commander, so that `gitway --version` loads none of them; one static
 * import list (rather than one dynamic import per command) keeps `gitway --help` as fast as before.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { registerInit } from './init.js';
import { registerValidate } from './validate.js';
import { registerRender } from './render.js';
import { registerPlan } from './plan.js';
import { registerApply } from './apply.js';
import { registerRollback } from './rollback.js';
import { registerHistory } from './history.js';
import { registerDump } from './dump.js';
import { registerDiff } from './diff.js';
import { registerLint } from './lint.js';
import { registerHook } from './hook.js';
import { registerRules } from './rules.js';
import { registerServer } from './server.js';

export const COMMANDS: ((program: Command, ctx: CommandContext) => void)[] = [registerInit, registerValidate, registerRender, registerPlan, registerApply, registerRollback, registerHistory, registerDump, registerDiff, registerLint, registerHook, registerRules, registerServer];
