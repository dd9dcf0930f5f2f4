// Kubernetes' protobuf serialization of whole objects: "k8s\0", then a runtime.Unknown whose
// typeMeta names the apiVersion and kind and whose raw bytes are the object's message. Watch
// streams frame each event (a metav1.WatchEvent holding the object so enveloped) with a
// four-byte big-endian length.
import { decodeMessage, encodeMessage } from './codec.js';
import { messageOf } from './schema.js';
import { lengthDelimited, readFields } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_WATCH_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf;stream=watch';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

/** A kind this server has no protobuf form for (custom resources, Tables...). */
export class UnsupportedKindError extends Error {}

/** True when objects of this apiVersion and kind can be written as protobuf. */
export function hasProtobuf(apiVersion: string, kind: string): boolean {
  return messageOf(apiVersion, kind) !== undefined;
}

/** A whole request body to the JSON object it stands for; throws UnsupportedKindError for kinds without a protobuf form. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, any> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error('missing the k8s protobuf prefix');
  // runtime.Unknown: typeMeta = 1 (apiVersion = 1, kind = 2), raw = 2.
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of readFields(body.subarray(4))) {
    if (f.no === 1 && f.bytes) {
      for (const t of readFields(f.bytes)) {
        if (t.no === 1 && t.bytes) apiVersion = t.bytes.toString('utf8');
        else if (t.no === 2 && t.bytes) kind = t.bytes.toString('utf8');
      }
    } else if (f.no === 2 && f.bytes) raw = f.bytes;
  }
  const message = messageOf(apiVersion, kind);
  if (!message) throw new UnsupportedKindError(`${apiVersion}/${kind}`);
  return { apiVersion, kind, ...(decodeMessage(raw, message) as Record<string, unknown>) };
}

/** An object (or a list, or a Status) as Kubernetes writes it in protobuf. */
export function encodeKubernetesProtobuf(value: object): Buffer {
  const obj = value as Record<string, unknown>;
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const message = messageOf(apiVersion, kind);
  if (!message) throw new UnsupportedKindError(`${apiVersion}/${kind}`);
  const typeMeta = Buffer.concat([lengthDelimited(1, Buffer.from(apiVersion)), lengthDelimited(2, Buffer.from(kind))]);
  // contentEncoding and contentType are written empty, as Kubernetes does.
  return Buffer.concat([MAGIC, lengthDelimited(1, typeMeta), lengthDelimited(2, encodeMessage(obj, message)), lengthDelimited(3, Buffer.alloc(0)), lengthDelimited(4, Buffer.alloc(0))]);
}

/** One watch event on a protobuf watch stream: its length, then the WatchEvent. */
export function watchEventFrame(type: string, object: Buffer): Buffer {
  const event = Buffer.concat([lengthDelimited(1, Buffer.from(type)), lengthDelimited(2, lengthDelimited(1, object))]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(event.length);
  return Buffer.concat([length, event]);
}

/** The events of a protobuf watch stream, for clients of this server in tests. */
export function readWatchFrames(stream: Buffer): Array<{ type: string; object: Record<string, any> }> {
  const events: Array<{ type: string; object: Record<string, any> }> = [];
  let at = 0;
  while (at + 4 <= stream.length) {
    const length = stream.readUInt32BE(at);
    if (at + 4 + length > stream.length) break;
    let type = '';
    let object: Record<string, any> = {};
    for (const f of readFields(stream.subarray(at + 4, at + 4 + length))) {
      if (f.no === 1 && f.bytes) type = f.bytes.toString('utf8');
      else if (f.no === 2 && f.bytes) {
        const raw = readFields(f.bytes).find((r) => r.no === 1)?.bytes;
        if (raw) object = decodeKubernetesProtobuf(raw);
      }
    }
    events.push({ type, object });
    at += 4 + length;
  }
  return events;
}

