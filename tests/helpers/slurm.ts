// A single-node SLURM on this machine for the cluster test (Debian's slurm-wlm and munge, which
// .ci/run installs): munged if it is not running, then slurmctld and slurmd with a configuration
// of their own in a temporary folder (local ports, no cgroups: proctrack/linuxproc, task/none).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname, cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const SLURM_HELP =
  'the cluster test needs SLURM and munge: `apt-get install -y slurm-wlm munge` (as .ci/run does), run as root';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ensureMunge(): void {
  try {
    execFileSync('sh', ['-c', 'munge -n | unmunge'], { stdio: 'ignore' });
    return;
  } catch {
    // not running: start it (the package made its key; make one if not)
  }
  if (!existsSync('/etc/munge/munge.key')) execFileSync('mungekey', ['-c']);
  mkdirSync('/run/munge', { recursive: true });
  execFileSync('munged', ['--force'], { stdio: 'ignore' });
  execFileSync('sh', ['-c', 'munge -n | unmunge'], { stdio: 'ignore' });
}

export interface Slurm {
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** Starts slurmctld and slurmd configured under `dir`; resolves once the node is idle. */
export async function startSlurm(dir: string): Promise<Slurm> {
  for (const bin of ['slurmctld', 'slurmd', 'sbatch', 'munged'])
    if (!existsSync(`/usr/sbin/${bin}`) && !existsSync(`/usr/bin/${bin}`))
      throw new Error(`${bin} not found: ${SLURM_HELP}`);
  ensureMunge();
  const host = hostname().split('.')[0];
  const port = 20000 + ((process.pid * 2) % 20000);
  for (const d of ['state', 'spool', 'log']) mkdirSync(join(dir, d), { recursive: true });
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=paramscope-test',
      `SlurmctldHost=${host}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'JobAcctGatherType=jobacct_gather/none',
      'MpiDefault=none',
      'ReturnToService=2',
      'SchedulerParameters=sched_interval=1',
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      `NodeName=${host} CPUs=${cpus().length} State=UNKNOWN`,
      `PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  await run('slurmctld', ['-c'], { env });
  await run('slurmd', ['-c'], { env });
  const stop = async () => {
    await run('scontrol', ['shutdown'], { env }).catch(() => {});
  };
  for (let i = 0; i < 60; i++) {
    const { stdout } = await run('sinfo', ['-h', '-o', '%T'], { env }).catch(() => ({
      stdout: '',
    }));
    if (/idle|mixed/.test(stdout)) return { env, stop };
    await sleep(500);
  }
  await stop();
  throw new Error(`SLURM did not come up in 30 s (logs in ${dir}/log)`);
}

/** Waits until job `id` has left the queue (done, failed or cancelled). */
export async function waitForJob(env: NodeJS.ProcessEnv, id: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const { stdout } = await run('squeue', ['-h', '-j', id], { env }).catch(() => ({ stdout: '' }));
    if (!stdout.trim()) return;
    await sleep(1000);
  }
  throw new Error(`SLURM job ${id} still queued after ${ms / 1000} s`);
}
