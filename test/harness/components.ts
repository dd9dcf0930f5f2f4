// The other components as users run them: `node dist/<component>/main.js` with flags.
import { join } from 'node:path';
import { Proc } from './processes.js';
import { mallocEnv, nodeFlags } from '../../component-base/heap.js';

let counter = 0;

export function startComponent(component: 'scheduler' | 'kubelet' | 'controller-manager' | 'simulated-nodes', args: string[]): Proc {
  const main = join(process.cwd(), 'dist', component, 'main.js');
  // Test files run side by side: a scheduler or controller-manager takes its fixed secure port
  // (10259, 10257) only when the test asks for it.
  const ownPort = (component === 'scheduler' || component === 'controller-manager') && !args.some((a) => a.startsWith('--secure-port'));
  return new Proc(`${component}-${process.pid}-${++counter}`, process.execPath, [...nodeFlags(main), main, ...args, ...(ownPort ? ['--secure-port', '0'] : [])], mallocEnv());
}
