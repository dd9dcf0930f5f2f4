// The Docker network pods run on, made once however many launchers start at the same moment:
// Docker's duplicate check is not atomic, so two racing creates can leave twin networks with
// one name, after which every lookup by name fails as ambiguous. Twins without containers are
// removed, keeping the oldest.
import { execFileSync } from 'node:child_process';

function docker(args: string[]): string {
  return execFileSync('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

function networksNamed(name: string): Array<{ id: string; created: string; containers: number }> {
  const ids = docker(['network', 'ls', '-q', '--no-trunc', '--filter', `name=^${name}$`]).split('\n').filter(Boolean);
  return ids.map((id) => {
    const [created, containers] = docker(['network', 'inspect', '-f', '{{.Created}}|{{len .Containers}}', id]).split('|');
    return { id, created: created ?? '', containers: Number(containers) };
  });
}

/** Makes sure exactly one network `name` exists; returns its gateway address. */
export function ensurePodNetwork(name: string): string {
  let found = networksNamed(name);
  if (found.length === 0) {
    try {
      docker(['network', 'create', '--driver', 'bridge', '--label', 'io.kubette.network=pods', name]);
    } catch {
      // Someone else created it a moment ago.
    }
    found = networksNamed(name);
  }
  if (found.length > 1) {
    found.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
    for (const twin of found.slice(1)) {
      if (twin.containers > 0) continue;
      try {
        docker(['network', 'rm', twin.id]);
      } catch {
        // In use by now, or already gone.
      }
    }
  }
  const id = found[0]?.id;
  if (!id) throw new Error(`could not create the Docker network ${name}`);
  return docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', id]);
}
