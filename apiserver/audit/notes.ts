// What a request's handlers tell the audit log beyond what the auditor sees itself: audit
// annotations (an admission plugin's verdict, say), written on the request's events from then
// on as Kubernetes' are, and the name of the object a create made (its URL names none), for
// the events' objectRef, as Kubernetes fills it from the request's object.
import type { IncomingMessage } from 'node:http';

interface Notes {
  annotations?: Record<string, string>;
  name?: string;
}

const byRequest = new WeakMap<IncomingMessage, Notes>();

function notes(req: IncomingMessage): Notes {
  let n = byRequest.get(req);
  if (!n) byRequest.set(req, (n = {}));
  return n;
}

/** Records `key: value` on the request's audit events (a later value for a key replaces it). */
export function annotator(req: IncomingMessage): (key: string, value: string) => void {
  return (key, value) => {
    const n = notes(req);
    (n.annotations ??= {})[key] = value;
  };
}

/** The name of the object the request is about, when its URL does not say. */
export function noteObjectName(req: IncomingMessage, name: string | undefined): void {
  if (name) notes(req).name = name;
}

export function notesOf(req: IncomingMessage): Notes | undefined {
  return byRequest.get(req);
}
