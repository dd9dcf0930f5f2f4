// How the bootstrap configuration of API Priority and Fairness is kept: Kubernetes' rules for
// mandatory and suggested objects and the auto-update annotation.
import { describe, expect, it } from 'vitest';
import { MANDATORY_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/prioritylevelconfiguration.js';
import { AUTOUPDATE_ANNOTATION, SUGGESTED_PRIORITY_LEVELS } from '../../api/kinds/flowcontrol/suggested-configuration.js';
import type { KubeObject } from '../../api/types/meta.js';
import { autoUpdated, maintained } from './flow-control-bootstrap.js';

const suggested = SUGGESTED_PRIORITY_LEVELS.find((l) => l.metadata.name === 'workload-low')!;
const exempt = MANDATORY_PRIORITY_LEVELS.find((l) => l.metadata.name === 'exempt')!;
const live = (o: KubeObject, annotation: string | undefined, generation: number, spec = o.spec): KubeObject => {
  const annotations = { ...o.metadata.annotations };
  if (annotation === undefined) delete annotations[AUTOUPDATE_ANNOTATION];
  else annotations[AUTOUPDATE_ANNOTATION] = annotation;
  return { ...structuredClone(o), metadata: { name: o.metadata.name, uid: 'u', generation, annotations }, spec: structuredClone(spec) };
};
const edited = { ...suggested.spec, limited: { ...suggested.spec.limited, nominalConcurrencyShares: 7 } };

describe('API Priority and Fairness bootstrap maintenance', () => {
  it('leaves an object that is as shipped alone', () => {
    expect(maintained(live(suggested, 'true', 1), suggested, false)).toBeUndefined();
    expect(maintained(live(exempt, 'true', 1), exempt, true)).toBeUndefined();
  });

  it('brings back an auto-updated suggested object, and keeps an edit whose owner turned auto-update off', () => {
    expect(maintained(live(suggested, 'true', 2, edited), suggested, false)?.spec).toEqual(suggested.spec);
    expect(maintained(live(suggested, 'false', 2, edited), suggested, false)).toBeUndefined();
    expect(maintained(live(suggested, 'FALSE', 2, edited), suggested, false)).toBeUndefined();
  });

  it('decides a missing or unreadable annotation by the generation, and writes it down', () => {
    expect(autoUpdated(live(suggested, undefined, 1))).toBe(true);
    expect(autoUpdated(live(suggested, undefined, 3))).toBe(false);
    expect(autoUpdated(live(suggested, 'maybe', 3))).toBe(false);
    const unchanged = maintained(live(suggested, undefined, 1, edited), suggested, false)!;
    expect([unchanged.metadata.annotations?.[AUTOUPDATE_ANNOTATION], unchanged.spec]).toEqual(['true', suggested.spec]);
    const kept = maintained(live(suggested, undefined, 3, edited), suggested, false)!;
    expect([kept.metadata.annotations?.[AUTOUPDATE_ANNOTATION], kept.spec]).toEqual(['false', edited]);
  });

  it('always restores a mandatory object, but for the exempt level\'s concurrency fields', () => {
    const mine = { type: 'Exempt', exempt: { nominalConcurrencyShares: 10, lendablePercent: 20 } };
    expect(maintained(live(exempt, 'false', 2, mine), exempt, true)!.metadata.annotations?.[AUTOUPDATE_ANNOTATION]).toBe('true');
    expect(maintained(live(exempt, 'false', 2, mine), exempt, true)!.spec).toEqual(mine);
    expect(maintained(live(exempt, 'true', 2, mine), exempt, true)).toBeUndefined();
  });
});
