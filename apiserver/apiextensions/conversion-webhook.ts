// A CustomResourceDefinition's conversion webhook, called as Kubernetes' apiserver calls it: an
// apiextensions.k8s.io ConversionReview (the first review version of the CRD's list this server
// speaks) with the objects to convert and the version wanted, within 30 s. The answer must
// convert every object, in order, to exactly that version and kind; of metadata the webhook
// may change labels and annotations only (anything else it changes is put back). Any failure
// is the request's: 500 "conversion webhook for <version, kind> failed: <why>".
import { randomUUID } from 'node:crypto';
import { isObject } from '../../api/codec/values.js';
import type { CustomResourceDefinition } from '../../api/custom-resources/custom-kind.js';
import { StatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types/meta.js';
import { FieldErrors } from '../../api/validation/field-errors.js';
import { validateAnnotations, validateLabels } from '../../api/validation/object-meta.js';
import { WebhookCallError, type WebhookClient } from '../webhooks/client.js';

const REVIEW_VERSIONS = ['v1', 'v1beta1'];
const TIMEOUT_SECONDS = 30;

interface ConversionResponse {
  uid?: string;
  convertedObjects?: unknown[];
  result?: { status?: string; message?: string };
}

export class ConversionWebhookCaller {
  constructor(private readonly client: WebhookClient) {}

  /** `objects` (all of one kind, none already in `apiVersion`) converted to `apiVersion`, in order. */
  async convert(crd: CustomResourceDefinition, objects: KubeObject[], apiVersion: string): Promise<KubeObject[]> {
    if (!objects.length) return [];
    const from = objects[0]!;
    try {
      return await this.call(crd, objects, apiVersion);
    } catch (err) {
      if (!(err instanceof WebhookCallError)) throw err;
      throw new StatusError(500, 'InternalError', `Internal error occurred: conversion webhook for ${from.apiVersion}, Kind=${from.kind} failed: ${err.message}`, { causes: [{ message: `conversion webhook for ${from.apiVersion}, Kind=${from.kind} failed: ${err.message}` }] });
    }
  }

  private async call(crd: CustomResourceDefinition, objects: KubeObject[], apiVersion: string): Promise<KubeObject[]> {
    const webhook = crd.spec?.conversion?.webhook;
    if (!webhook?.clientConfig) throw new WebhookCallError('the definition has no conversion webhook');
    const version = (webhook.conversionReviewVersions ?? []).find((v) => REVIEW_VERSIONS.includes(v));
    if (!version) throw new WebhookCallError(`none of the review versions ${JSON.stringify(webhook.conversionReviewVersions ?? [])} is supported by this server (${REVIEW_VERSIONS.join(', ')})`);
    const uid = randomUUID();
    const review = { apiVersion: `apiextensions.k8s.io/${version}`, kind: 'ConversionReview', request: { uid, desiredAPIVersion: apiVersion, objects } };
    const answer = (await this.client.post(webhook.clientConfig, review, TIMEOUT_SECONDS)) as { kind?: string; response?: ConversionResponse } | null;
    const response = (isObject(answer) && isObject(answer.response) ? answer.response : undefined) as ConversionResponse | undefined;
    if (!response) throw new WebhookCallError('conversion webhook response was absent');
    if (version === 'v1' && response.uid !== uid) throw new WebhookCallError(`expected response.uid="${uid}", got "${String(response.uid ?? '')}"`);
    const result = isObject(response.result) ? response.result : {};
    if (result.status !== 'Success') throw new WebhookCallError(String(result.message ?? 'the webhook did not report success'));
    const converted = response.convertedObjects;
    if (!Array.isArray(converted) || converted.length !== objects.length) {
      throw new WebhookCallError(`conversion webhook response contained ${Array.isArray(converted) ? converted.length : 0} objects, expected ${objects.length}`);
    }
    return converted.map((c, i) => checkedConversion(objects[i]!, c, apiVersion, i));
  }
}

/** The webhook's answer for `original`, checked, with the metadata it may not change put back. */
function checkedConversion(original: KubeObject, converted: unknown, apiVersion: string, index: number): KubeObject {
  const bad = (why: string) => new WebhookCallError(`conversion webhook response has an invalid converted object at index ${index}: ${why}`);
  if (!isObject(converted)) throw bad('not an object');
  const obj = converted as KubeObject;
  if (obj.apiVersion !== apiVersion) throw bad(`invalid apiVersion "${String(obj.apiVersion ?? '')}", expected "${apiVersion}"`);
  if (obj.kind !== original.kind) throw bad(`invalid kind "${String(obj.kind ?? '')}", expected "${original.kind}"`);
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  if (meta.uid !== undefined && meta.uid !== original.metadata.uid) throw bad('uid must not change');
  if (meta.name !== undefined && meta.name !== original.metadata.name) throw bad('name must not change');
  if (meta.namespace !== undefined && (meta.namespace || undefined) !== (original.metadata.namespace || undefined)) throw bad('namespace must not change');
  const errs = new FieldErrors();
  if (meta.labels !== undefined) validateLabels(meta.labels, 'metadata.labels', errs);
  if (meta.annotations !== undefined) validateAnnotations(meta.annotations, 'metadata.annotations', errs);
  if (errs.causes.length) throw bad(`invalid metadata: ${errs.causes.map((e) => `${e.field}: ${e.message}`).join(', ')}`);
  const restored = { ...original.metadata };
  if (meta.labels === undefined) delete restored.labels;
  else restored.labels = meta.labels as Record<string, string>;
  if (meta.annotations === undefined) delete restored.annotations;
  else restored.annotations = meta.annotations as Record<string, string>;
  return { ...obj, metadata: restored };
}
