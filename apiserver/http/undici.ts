// undici, loaded on first use: the apiserver relays to kubelets (logs) and aggregated servers
// through it, and a server that never does pays nothing for it (~15 MB resident otherwise).
type Undici = typeof import('undici');

let loaded: Promise<Undici> | undefined;

export function undici(): Promise<Undici> {
  return (loaded ??= import('undici'));
}
