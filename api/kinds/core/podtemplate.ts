// v1 PodTemplate: a named pod template.
import { col, nameCol, mapSelector } from '../../printers.js';
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
  columns: [
    nameCol,
    col('Containers', (o) => ((o.template as Unstructured | undefined)?.spec?.containers ?? []).map((c: Unstructured) => c.name).join(',')),
    col('Images', (o) => ((o.template as Unstructured | undefined)?.spec?.containers ?? []).map((c: Unstructured) => c.image).join(',')),
    col('Pod Labels', (o) => mapSelector((o.template as Unstructured | undefined)?.metadata?.labels)),
  ],
  defaults: (o) => defaultTemplate(o.template as Unstructured),
  validate: (o, errs, prev) => validateTemplate(o.template as Unstructured, 'template', errs, undefined, prev?.template as Unstructured | undefined),
};
