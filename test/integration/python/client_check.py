"""Drives the official Python client (python3-kubernetes) against a kubette apiserver and
prints what it saw as JSON, for the vitest test to check."""
import json
import sys
import threading
import time

from kubernetes import client, watch

server = sys.argv[1]
namespace = sys.argv[2]

config = client.Configuration()
config.host = server
api_client = client.ApiClient(config)
core = client.CoreV1Api(api_client)
apps = client.AppsV1Api(api_client)

result = {}
core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
result["namespaces"] = sorted(n.metadata.name for n in core.list_namespace().items)

created = core.create_namespaced_config_map(
    namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm", labels={"from": "python"}), data={"k": "v"})
)
result["created_rv"] = created.metadata.resource_version
result["listed"] = [c.metadata.name for c in core.list_namespaced_config_map(namespace, label_selector="from=python").items]

deployment = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="py-deploy"),
    spec=client.V1DeploymentSpec(
        replicas=2,
        selector=client.V1LabelSelector(match_labels={"app": "py"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "py"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="busybox:1.36")]),
        ),
    ),
)
created_deployment = apps.create_namespaced_deployment(namespace, deployment)
# Kubernetes answers a create with the zero status, `status: {}`: an empty status, not none.
result["created_deployment_replicas"] = created_deployment.status.replicas
result["deployment_strategy"] = apps.read_namespaced_deployment("py-deploy", namespace).spec.strategy.type
result["resources"] = sorted(r.name for r in core.get_api_resources().resources if "/" not in r.name)


def change_later():
    time.sleep(1)
    core.patch_namespaced_config_map("py-cm", namespace, {"data": {"k": "v2"}})
    core.delete_namespaced_config_map("py-cm", namespace)


threading.Thread(target=change_later).start()
events = []
w = watch.Watch()
for event in w.stream(core.list_namespaced_config_map, namespace, resource_version=result["created_rv"], timeout_seconds=10):
    events.append([event["type"], event["object"].metadata.name, (event["object"].data or {}).get("k")])
    if event["type"] == "DELETED":
        w.stop()
result["events"] = events
print(json.dumps(result))
