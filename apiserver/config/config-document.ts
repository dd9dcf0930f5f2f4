// An apiserver configuration file's document (AuthenticationConfiguration,
// AuthorizationConfiguration): YAML or JSON, of the kind named, in one of
// apiserver.config.k8s.io's versions.
import { parseYAML } from '../../api/codec/yaml.js';
import { isObject } from '../../api/codec/values.js';

const VERSIONS = ['apiserver.config.k8s.io/v1alpha1', 'apiserver.config.k8s.io/v1beta1', 'apiserver.config.k8s.io/v1'];

/** The document in `text`; throws when it is not YAML or not a `kind` of those versions. */
export function configDocument(text: string, kind: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (err) {
    throw new Error(`not YAML or JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new Error(`not an ${kind} object`);
  if (doc.kind !== kind || !VERSIONS.includes(String(doc.apiVersion))) {
    throw new Error(`kind ${JSON.stringify(doc.kind)} in ${JSON.stringify(doc.apiVersion)} is not ${kind} in ${VERSIONS.join(', ')}`);
  }
  return doc;
}
