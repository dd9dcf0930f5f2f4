// The iptables backend: applies the rendered rules with iptables-restore --noflush (only our
// chains are touched, atomically per table), keeps the jumps from the built-in chains in
// place, deletes chains that are no longer needed, and removes everything at exit.
//
// A sync starts two processes: one iptables-restore for both tables and one iptables-save to
// check the jumps. Each process costs the proxy a fork of itself (~30-60 ms of CPU on two
// busy cores); checking each jump with its own `iptables -C` made a sync nine of them.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { chainNames, renderRules, restoreInput, type RuleOptions, type RuleSet } from './iptables-rules.js';
import type { ServicePort } from './service-map.js';


function run(cmd: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined); // a command that fails early closes its stdin
      child.stdin!.end(input);
    }
  });
}

/** The chains and rules of the nat and filter tables, from one iptables-save. */
async function saveTables(): Promise<Record<'nat' | 'filter', SavedTable>> {
  const res = await run('iptables-save', []);
  if (res.code !== 0) throw new Error(`iptables-save: ${res.stderr.trim()}`);
  return parseSave(res.stdout);
}

export interface SavedTable {
  chains: string[];
  rules: Set<string>;
}

/** iptables-save output -> each table's chain names and rule lines (as `-A CHAIN ...`). */
export function parseSave(text: string): Record<'nat' | 'filter', SavedTable> {
  const tables: Record<string, SavedTable> = {};
  let current: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      current = { chains: [], rules: new Set() };
      tables[line.slice(1).trim()] = current;
    } else if (!current || line === 'COMMIT') {
      if (line === 'COMMIT') current = undefined;
    } else if (line.startsWith(':')) {
      current.chains.push(line.slice(1).split(' ')[0]!);
    } else if (line.startsWith('-A ')) {
      current.rules.add(line.trimEnd());
    }
  }
  const empty = (): SavedTable => ({ chains: [], rules: new Set() });
  return { nat: tables.nat ?? empty(), filter: tables.filter ?? empty() };
}

export interface ProxyBackend {
  init(): Promise<void>;
  sync(ports: ServicePort[]): Promise<void>;
  cleanup(): Promise<void>;
}

export class IptablesBackend implements ProxyBackend {
  private readonly chains: ReturnType<typeof chainNames>;
  private present: Record<'nat' | 'filter', Set<string>> = { nat: new Set(), filter: new Set() };
  private routeLocalnetBefore?: string;

  constructor(
    private readonly opts: {
      prefix: string;
      serviceCIDR: string;
      log: Logger;
      render?: (ports: ServicePort[], o: RuleOptions) => RuleSet;
      /** The route_localnet sysctl file (in a container, the host's, bind-mounted). */
      routeLocalnetFile?: string;
    },
  ) {
    this.chains = chainNames(opts.prefix);
  }

  private get routeLocalnet(): string {
    return this.opts.routeLocalnetFile ?? '/proc/sys/net/ipv4/conf/all/route_localnet';
  }

  private get hooks(): Array<{ table: 'nat' | 'filter'; chain: string; target: string }> {
    const c = this.chains;
    return [
      { table: 'nat', chain: 'PREROUTING', target: c.services },
      { table: 'nat', chain: 'OUTPUT', target: c.services },
      { table: 'nat', chain: 'POSTROUTING', target: c.postrouting },
      { table: 'filter', chain: 'INPUT', target: c.firewall },
      { table: 'filter', chain: 'INPUT', target: c.filter },
      { table: 'filter', chain: 'OUTPUT', target: c.filter },
      { table: 'filter', chain: 'FORWARD', target: c.filter },
    ];
  }

  /** Our chains already in the kernel (from an earlier run), so stale ones get deleted. */
  private async readPresent(): Promise<void> {
    const saved = await saveTables();
    for (const table of ['nat', 'filter'] as const) {
      this.present[table] = new Set(saved[table].chains.filter((ch) => ch.startsWith(`${this.opts.prefix}-`)));
    }
  }

  async init(): Promise<void> {
    await this.readPresent();
    // Node ports on 127.0.0.1 need the kernel to route DNATed loopback traffic.
    const file = this.routeLocalnet;
    this.routeLocalnetBefore = (await readFile(file, 'utf8').catch(() => '')).trim() || undefined;
    await writeFile(file, '1').catch((err) => this.opts.log.warn({ err: (err as Error).message }, 'could not enable route_localnet: node ports will not answer on 127.0.0.1'));
  }

  async sync(ports: ServicePort[]): Promise<void> {
    const rules = (this.opts.render ?? renderRules)(ports, { prefix: this.opts.prefix, serviceCIDR: this.opts.serviceCIDR, masqueradeMark: '0x4000' });
    // One input, one COMMIT per table: each table is still replaced atomically.
    const input = (['filter', 'nat'] as const)
      .map((table) => restoreInput(table, rules.chains[table], rules[table], [...this.present[table]].filter((ch) => !rules.chains[table].includes(ch))))
      .join('');
    const res = await run('iptables-restore', ['-w', '5', '--noflush'], input);
    if (res.code !== 0) throw new Error(`iptables-restore failed: ${res.stderr.trim()}`);
    this.present = { filter: new Set(rules.chains.filter), nat: new Set(rules.chains.nat) };
    await this.ensureHooks();
  }

  /** The jumps from the built-in chains into ours, inserted first where missing (someone may have flushed a built-in chain). */
  private async ensureHooks(): Promise<void> {
    const saved = await saveTables();
    for (const h of this.hooks) {
      if (saved[h.table].rules.has(`-A ${h.chain} -j ${h.target}`)) continue;
      const add = await run('iptables', ['-w', '5', '-t', h.table, '-I', h.chain, '1', '-j', h.target]);
      if (add.code !== 0) throw new Error(`iptables -t ${h.table} -I ${h.chain} -j ${h.target}: ${add.stderr.trim()}`);
    }
  }

  /** Removes every jump and chain of ours and restores route_localnet. */
  async cleanup(): Promise<void> {
    for (const h of this.hooks) {
      while ((await run('iptables', ['-w', '5', '-t', h.table, '-D', h.chain, '-j', h.target])).code === 0) {
        // a jump may have been inserted twice by an earlier crash: remove them all
      }
    }
    await this.readPresent();
    for (const table of ['nat', 'filter'] as const) {
      const chains = [...this.present[table]];
      if (!chains.length) continue;
      const res = await run('iptables-restore', ['-w', '5', '--noflush'], restoreInput(table, [], [], chains));
      if (res.code !== 0) this.opts.log.warn({ table, err: res.stderr.trim() }, 'could not remove chains');
    }
    if (this.routeLocalnetBefore !== undefined) await writeFile(this.routeLocalnet, this.routeLocalnetBefore).catch(() => undefined);
  }
}

