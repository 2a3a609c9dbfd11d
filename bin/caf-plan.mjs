#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npx caf-plan` works from a fresh clone without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../service/cli.ts');
process.exitCode = await main(process.argv.slice(2));
