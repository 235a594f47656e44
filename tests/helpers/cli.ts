// Runs the CLI's entry points (and test helper scripts) as child processes, as the npm scripts do.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs the TypeScript entry point `entry` (WGSL imported `?raw`) with `args` in a child process. */
export function tsEntry(entry: string, args: string[], env: Record<string, string> = {}) {
  return run(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/register-raw.mjs', entry, ...args],
    { cwd: process.cwd(), maxBuffer: 1 << 26, env: { ...process.env, ...env } },
  );
}

/** Runs `npm run analyze`'s entry point as a child process. */
export function analyzeCli(args: string[], env: Record<string, string> = {}) {
  return tsEntry('src/cli/analyze.ts', args, env);
}

/** Runs `npm run sts`'s entry point as a child process. */
export function stsCli(args: string[], env: Record<string, string> = {}) {
  return tsEntry('src/cli/sts.ts', args, env);
}

/** Runs `npm run prune`'s entry point as a child process. */
export function pruneCli(args: string[], env: Record<string, string> = {}) {
  return tsEntry('src/cli/prune.ts', args, env);
}

/** Runs `npm run bench`'s entry point as a child process. */
export function benchCli(args: string[], env: Record<string, string> = {}) {
  return tsEntry('src/cli/bench.ts', args, env);
}

/** The error a CLI run must end with (exit code and stderr); a run that succeeds fails the test. */
export async function cliFailure(
  cli: (args: string[]) => Promise<unknown>,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  try {
    await cli(args);
  } catch (e) {
    return e as { code: number; stderr: string };
  }
  throw new Error(`no error for ${args.join(' ')}`);
}
