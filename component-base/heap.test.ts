import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, limitHeapGrowth, MALLOC_ENV, mallocEnv, nodeFlags, SEMI_SPACE_MB } from './heap.js';

describe('heap flags per component', () => {
  it('gives the apiserver the larger young generation, every other component the small one', () => {
    for (const script of ['dist/apiserver/main.js', '/app/dist/apiserver/main.js', 'apiserver/main.js']) {
      expect(nodeFlags(script)).toEqual([`--max-semi-space-size=${SEMI_SPACE_MB.apiserver}`]);
    }
    for (const script of ['dist/scheduler/main.js', '/app/dist/controller-manager/main.js', 'dist/kubelet/main.js', 'dist/not-apiserver/main.js', 'dist/kube-scheduler/main.js', '-e', '']) {
      expect(nodeFlags(script)).toEqual([`--max-semi-space-size=${SEMI_SPACE_MB.other}`]);
    }
  });

  it("is what the image's entry point gives each component", () => {
    const script = readFileSync(new URL('../scripts/node-entrypoint.sh', import.meta.url), 'utf8');
    expect(script).toContain(`dist/apiserver/main.js) exec node --max-semi-space-size=${SEMI_SPACE_MB.apiserver} "$@" ;;`);
    expect(script).not.toContain('dist/scheduler/main.js)');
    expect(script).toContain(`*) exec node --max-semi-space-size=${SEMI_SPACE_MB.other} "$@" ;;`);
    for (const [name, value] of Object.entries(MALLOC_ENV)) expect(script).toContain(`export ${name}="\${${name}-${value}}"`);
  });

  it('adds the malloc settings an environment lacks and leaves the ones it has', () => {
    expect(mallocEnv({})).toEqual(MALLOC_ENV);
    expect(mallocEnv({ MALLOC_ARENA_MAX: '4' })).toEqual({ GLIBC_TUNABLES: MALLOC_ENV.GLIBC_TUNABLES });
    expect(mallocEnv({ ...MALLOC_ENV, GLIBC_TUNABLES: '' })).toEqual({});
  });

  it('lets the apiserver grow its heap further past its live data than the other components; the environment overrides both', () => {
    expect(limitHeapGrowth('apiserver', {})).toBe(HEAP_GROWING_PERCENT.apiserver);
    for (const component of ['scheduler', 'controller-manager', 'kubelet']) expect(limitHeapGrowth(component, {})).toBe(HEAP_GROWING_PERCENT.other);
    expect(HEAP_GROWING_PERCENT.other).toBeLessThan(HEAP_GROWING_PERCENT.apiserver);
    expect(limitHeapGrowth('scheduler', { KUBETTE_HEAP_GROWING_PERCENT: '0' })).toBe(0);
    expect(limitHeapGrowth('apiserver', { KUBETTE_HEAP_GROWING_PERCENT: '80' })).toBe(80);
  });
});
