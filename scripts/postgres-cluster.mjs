/**
 * A throwaway PostgreSQL cluster from the binaries on the machine (initdb,
 * pg_ctl on PATH or in `pg_config --bindir`), in a temporary
 * directory, on a free port. PostgreSQL refuses to run as root, so as root the
 * cluster runs as the `postgres` user. Used by `npm test`, the benches and CI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * initdb, pg_ctl, …: on PATH, else where the installation says its programs
 * are (`pg_config --bindir`: Debian keeps them out of PATH, under a
 * versioned directory its `pg_config` names; Homebrew and RPM builds answer
 * the same way). Throws naming the package to install.
 */
export function findBinary(name) {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const bindir = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const candidate = bindir.status === 0 ? join(bindir.stdout.trim(), name) : '';
  if (candidate && existsSync(candidate)) return candidate;
  throw new Error(`${name} not found: install PostgreSQL server binaries (Debian: apt-get install postgresql)`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function userId(name) {
  return Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
}

/**
 * `durable`: PostgreSQL's own defaults for fsync and synchronous_commit (the
 * benches: a commit is on disk before it is acknowledged, as in production);
 * the tests trade them for speed. `settings`: more `-c name=value` options.
 */
export async function startPostgres({ log = () => {}, durable = false, settings = {} } = {}) {
  const initdb = findBinary('initdb');
  const pgCtl = findBinary('pg_ctl');
  const dir = mkdtempSync(join(tmpdir(), 'ecgrid-pg-'));
  const dataDir = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = userId('postgres');
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (binary, args) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };
  const port = await freePort();
  run(initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // Evidence for concurrency failures (kept in postgres.log, printed by a failed run): every lock
  // wait longer than deadlock_timeout is logged with the holder and the waiting statement, and a
  // deadlock report names each process, its lock and its statement.
  appendFileSync(join(dataDir, 'postgresql.conf'), [
    '', '# ecgrid-identity test cluster',
    'log_lock_waits = on', "deadlock_timeout = '200ms'", "log_line_prefix = '%m [%p] %a: '",
    'log_error_verbosity = default', "log_min_error_statement = 'error'", '',
  ].join('\n'));
  const options = [
    `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1',
    ...(durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    '-c max_connections=300', '-c shared_buffers=128MB',
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  run(pgCtl, ['-D', dataDir, '-o', options, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start']);
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  log(`PostgreSQL started: pid ${pid}, ${url}`);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, 'SIGINT'); // fast shutdown
    } catch {}
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      spawnSync('sleep', ['0.1']);
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
    rmSync(dir, { recursive: true, force: true });
    log(`PostgreSQL stopped (pid ${pid})`);
  };
  const logLines = () => {
    try {
      return readFileSync(join(dir, 'postgres.log'), 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  return { url, port, pid, dir, stop, logLines };
}
