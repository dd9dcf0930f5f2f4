// Prefers nodes that already hold the pod's images, as kube-scheduler's ImageLocality does: each
// container's image found on the node counts its size, scaled by the share of all nodes that
// hold it (an image everywhere says little about this node); the sum, between 23 MB and 1000 MB
// per container, is mapped onto 0..100.
import type { Pod } from '../../api/types/pod.js';
import { SKIP, type ScorePlugin } from '../framework.js';

const NAME = 'ImageLocality';
const MB = 1024 * 1024;
const MIN_THRESHOLD = 23 * MB;
const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** A name as node status reports it: without a tag, the image is ":latest". */
export function normalizedImageName(name: string): string {
  return name.lastIndexOf(':') <= name.lastIndexOf('/') ? `${name}:latest` : name;
}

interface LocalityState {
  /** Each of the pod's containers' images (init containers too), normalized. */
  images: string[];
  /** How many of all nodes hold each image. */
  holders: Map<string, number>;
  totalNodes: number;
}

function podImages(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) if (typeof c?.image === 'string' && c.image) out.push(normalizedImageName(c.image));
  return out;
}

export const imageLocality: ScorePlugin = {
  name: NAME,
  weight: 1,
  preScore(state) {
    const images = podImages(state.pod);
    const distinct = [...new Set(images)];
    const holders = new Map<string, number>();
    for (const n of state.allNodes) {
      if (!n.images) continue;
      for (const image of distinct) if (n.images.has(image)) holders.set(image, (holders.get(image) ?? 0) + 1);
    }
    // No node holds any of them: every node would score 0.
    if (!holders.size) return SKIP;
    state.data.set(NAME, { images, holders, totalNodes: state.allNodes.length } satisfies LocalityState);
  },
  score(state, n) {
    const s = state.data.get(NAME) as LocalityState | undefined;
    if (!s || !n.images) return 0;
    let sum = 0;
    for (const image of s.images) {
      const size = n.images.get(image);
      if (size !== undefined) sum += Math.trunc(size * ((s.holders.get(image) ?? 0) / s.totalNodes));
    }
    const max = MAX_CONTAINER_THRESHOLD * Math.max(1, s.images.length);
    const clamped = Math.min(max, Math.max(MIN_THRESHOLD, sum));
    return Math.trunc((100 * (clamped - MIN_THRESHOLD)) / (max - MIN_THRESHOLD));
  },
};
