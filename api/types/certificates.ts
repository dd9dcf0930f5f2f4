// certificates.k8s.io/v1 CertificateSigningRequest, as the CSR controllers and the kubelet's
// bootstrap read and write it.
import type { KubeObject } from './meta.js';

export interface CSRCondition {
  type: 'Approved' | 'Denied' | 'Failed' | string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequestSpec {
  /** base64 of the PEM request. */
  request: string;
  signerName: string;
  usages: string[];
  expirationSeconds?: number;
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface CertificateSigningRequest extends KubeObject<CertificateSigningRequestSpec, { conditions?: CSRCondition[]; certificate?: string }> {
  spec: CertificateSigningRequestSpec;
}
