import { describe, expect, it } from 'vitest';
import { goTypeErrorMessage } from './go-types.js';

const POD = 'k8s.io.api.core.v1.Pod';
const DEPLOYMENT = 'k8s.io.api.apps.v1.Deployment';

describe("Go's decoder errors for Kubernetes' types", () => {
  it('names the struct holding the field, the path by JSON names without indexes, and the Go type', () => {
    // A string where a list goes, and a number among a list's strings (the list's item type).
    expect(goTypeErrorMessage(DEPLOYMENT, { value: 'string', at: ['spec', 'template', 'spec', 'containers', 0, 'args'] })).toBe(
      'json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.args of type []string',
    );
    expect(goTypeErrorMessage(DEPLOYMENT, { value: 'number', at: ['spec', 'template', 'spec', 'containers', 1, 'args', 2] })).toBe(
      'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.args of type string',
    );
    expect(goTypeErrorMessage(POD, { value: 'string', at: ['spec', 'containers', 0, 'ports', 0, 'containerPort'] })).toBe(
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    );
    expect(goTypeErrorMessage(DEPLOYMENT, { value: 'number 9007199254740994', at: ['spec', 'replicas'] })).toBe(
      'json: cannot unmarshal number 9007199254740994 into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
  });

  it('leaves map keys out of the path, follows inline members, and writes structs (a pointer\'s target) and maps as reflect does', () => {
    expect(goTypeErrorMessage(POD, { value: 'number', at: ['metadata', 'labels', 'app'] })).toBe('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
    expect(goTypeErrorMessage(POD, { value: 'string', at: ['spec', 'securityContext'] })).toBe('json: cannot unmarshal string into Go struct field PodSpec.spec.securityContext of type v1.PodSecurityContext');
    expect(goTypeErrorMessage(POD, { value: 'array', at: ['spec'] })).toBe('json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec');
    expect(goTypeErrorMessage(POD, { value: 'string', at: ['metadata', 'labels'] })).toBe('json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string');
    // A volume's source is an inline member of Volume.
    expect(goTypeErrorMessage(POD, { value: 'number', at: ['spec', 'volumes', 0, 'configMap', 'name'] })).toBe('json: cannot unmarshal number into Go struct field ConfigMapVolumeSource.spec.volumes.configMap.name of type string');
    // A type that decodes itself names what it decoded into.
    expect(goTypeErrorMessage(POD, { value: 'object', at: ['spec', 'containers', 0, 'ports', 0, 'hostPort'], type: 'int32' })).toContain('of type int32');
    expect(goTypeErrorMessage(POD, { value: 'string', at: ['spec', 'nosuch'] })).toBeUndefined();
  });

  it('names named Go types that are not structs as reflect does: package and type', () => {
    expect(goTypeErrorMessage(POD, { value: 'number', at: ['spec', 'restartPolicy'] })).toBe('json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy');
    expect(goTypeErrorMessage(POD, { value: 'array', at: ['spec', 'containers', 0, 'resources', 'limits'] })).toBe(
      'json: cannot unmarshal array into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList',
    );
    expect(goTypeErrorMessage(POD, { value: 'number', at: ['metadata', 'ownerReferences', 0, 'uid'] })).toBe('json: cannot unmarshal number into Go struct field OwnerReference.metadata.ownerReferences.uid of type types.UID');
    const PVC = 'k8s.io.api.core.v1.PersistentVolumeClaim';
    expect(goTypeErrorMessage(PVC, { value: 'string', at: ['spec', 'accessModes'] })).toBe('json: cannot unmarshal string into Go struct field PersistentVolumeClaimSpec.spec.accessModes of type []v1.PersistentVolumeAccessMode');
    expect(goTypeErrorMessage(PVC, { value: 'number', at: ['spec', 'accessModes', 0] })).toBe('json: cannot unmarshal number into Go struct field PersistentVolumeClaimSpec.spec.accessModes of type v1.PersistentVolumeAccessMode');
  });
});
