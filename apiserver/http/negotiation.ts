// What representation a client asked for in its Accept header: plain objects (JSON, YAML or
// protobuf), Tables for kubectl get, or PartialObjectMetadata.
import { PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/envelope.js';
import { StatusError } from '../../api/status.js';

export type OutputKind = 'object' | 'table' | 'metadata';

export interface Output {
  kind: OutputKind;
  /** meta.k8s.io version for Table and PartialObjectMetadata responses. */
  metaVersion: 'v1' | 'v1beta1';
  yaml: boolean;
  /** Protobuf first in the client's order (for kinds that have a protobuf form). */
  protobuf: boolean;
  /** JSON is acceptable too: what a kind without a protobuf form is sent as. */
  jsonFallback: boolean;
}

export const NOT_ACCEPTABLE_MESSAGE = `only the following media types are accepted: application/json, application/yaml, ${PROTOBUF_MEDIA_TYPE}`;

interface MediaType {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params };
  });
}

const isJSONish = (m: MediaType) => m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';

/** The first acceptable representation in the client's order of preference; 406 when none is. */
export function negotiate(accept: string | undefined): Output {
  const offered = parseAccept(accept);
  const jsonFallback = !offered.length || offered.some((m) => isJSONish(m) && !m.params.as);
  // Only media types this server cannot write (text/html...): Kubernetes answers 406.
  if (offered.length && !offered.some((m) => isJSONish(m) || m.type === 'application/yaml' || m.type === PROTOBUF_MEDIA_TYPE)) {
    throw new StatusError(406, 'NotAcceptable', NOT_ACCEPTABLE_MESSAGE);
  }
  for (const m of offered) {
    const yaml = m.type === 'application/yaml';
    const as = m.params.as;
    if (m.type === PROTOBUF_MEDIA_TYPE) {
      // Tables and PartialObjectMetadata are written as JSON only.
      if (!as) return { kind: 'object', metaVersion: 'v1', yaml: false, protobuf: true, jsonFallback };
      continue;
    }
    if (!isJSONish(m) && !yaml) continue;
    if (!as) return { kind: 'object', metaVersion: 'v1', yaml, protobuf: false, jsonFallback };
    if (m.params.g !== 'meta.k8s.io') continue;
    const v = m.params.v === 'v1beta1' ? 'v1beta1' : m.params.v === 'v1' ? 'v1' : undefined;
    if (!v) continue;
    if (as === 'Table') return { kind: 'table', metaVersion: v, yaml, protobuf: false, jsonFallback };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'metadata', metaVersion: v, yaml, protobuf: false, jsonFallback };
  }
  if (!jsonFallback) throw new StatusError(406, 'NotAcceptable', NOT_ACCEPTABLE_MESSAGE);
  return { kind: 'object', metaVersion: 'v1', yaml: false, protobuf: false, jsonFallback };
}

/** True when a protobuf-preferring client can be given protobuf for objects of this kind. */
export function protobufFor(output: Output, writable: boolean): boolean {
  if (!output.protobuf) return false;
  if (writable) return true;
  if (!output.jsonFallback) throw new StatusError(406, 'NotAcceptable', NOT_ACCEPTABLE_MESSAGE);
  return false;
}

/** True when the Accept header asks for aggregated discovery (apidiscovery.k8s.io/v2 or v2beta1). */
export function wantsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const m of parseAccept(accept)) {
    if (m.type !== 'application/json') continue;
    if (m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
    }
    if (!m.params.as) return undefined; // plain JSON came first
  }
  return undefined;
}

/**
 * Kubernetes writes every JSON body with Go's encoder, which ends it with a newline; some
 * clients compare bodies byte for byte. Streams (watches, logs) are left alone.
 */
export function jsonWithNewline(contentType: unknown, payload: unknown): unknown {
  if (typeof contentType !== 'string' || !contentType.startsWith('application/json')) return payload;
  if (typeof payload === 'string') return payload.endsWith('\n') ? payload : `${payload}\n`;
  if (Buffer.isBuffer(payload)) return payload.length && payload[payload.length - 1] === 0x0a ? payload : Buffer.concat([payload, Buffer.from('\n')]);
  return payload;
}
