// v1 PodTemplate: a named pod template.
import type { Unstructured } from '../../types/meta.js';
import { defaultTemplate } from '../../defaulting.js';
import { kind } from '../../schema/meta.js';
import { podTemplateSpec } from '../../schema/pod.js';
import { validateTemplate } from '../../validation/workloads.js';
import type { KindModule } from '../kind.js';

export const podTemplate: KindModule = {
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  schema: kind({ template: podTemplateSpec }),
  defaults: (o) => defaultTemplate(o.template as Unstructured),
  validate: (o, errs) => validateTemplate(o.template as Unstructured, 'template', errs),
};
