#!/usr/bin/env node
// The only place that sets the process's exit code.
import { run } from '../dist/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
