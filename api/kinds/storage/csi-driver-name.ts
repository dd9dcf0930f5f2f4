// The name of a CSI driver (a CSIDriver's name, a CSINode driver's name, a VolumeAttachment's
// attacher) as Kubernetes checks it: 63 characters at most, and a DNS subdomain once lower-cased.
import type { FieldErrors } from '../../validation/field-errors.js';
import { dns1123Subdomain } from '../../validation/names.js';

export function validateCSIDriverName(name: unknown, field: string, errs: FieldErrors): void {
  if (typeof name !== 'string' || name === '') {
    errs.required(field);
    return;
  }
  if (name.length > 63) errs.tooLong(field, 63);
  errs.format(field, name, dns1123Subdomain(name.toLowerCase()));
}
