"""Custom resources through the official Python client's CustomObjectsApi and
ApiextensionsV1Api: define, wait for Established, create, list, patch, watch, delete.
Prints one JSON line with what it saw."""
import json
import sys
import time

from kubernetes import client, watch

server, group = sys.argv[1], sys.argv[2]
conf = client.Configuration()
conf.host = server
api = client.ApiClient(conf)
ext = client.ApiextensionsV1Api(api)
custom = client.CustomObjectsApi(api)

crd = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"crontabs.{group}"},
    "spec": {
        "group": group,
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab"},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                "cronSpec": {"type": "string"}, "replicas": {"type": "integer", "default": 1}}}}}},
        }],
    },
}
ext.create_custom_resource_definition(crd)
established = False
for _ in range(100):
    got = ext.read_custom_resource_definition(f"crontabs.{group}")
    if any(c.type == "Established" and c.status == "True" for c in (got.status.conditions or [])):
        established = True
        break
    time.sleep(0.1)

created = custom.create_namespaced_custom_object(group, "v1", "default", "crontabs", {
    "apiVersion": f"{group}/v1", "kind": "CronTab", "metadata": {"name": "py-tab"}, "spec": {"cronSpec": "* * * * */5"}})
listed = custom.list_namespaced_custom_object(group, "v1", "default", "crontabs")
rv = listed["metadata"]["resourceVersion"]
custom.patch_namespaced_custom_object(group, "v1", "default", "crontabs", "py-tab", {"spec": {"replicas": 3}})
custom.delete_namespaced_custom_object(group, "v1", "default", "crontabs", "py-tab")
events = []
for ev in watch.Watch().stream(custom.list_namespaced_custom_object, group, "v1", "default", "crontabs",
                               resource_version=rv, timeout_seconds=2):
    events.append([ev["type"], ev["object"]["metadata"]["name"], ev["object"]["spec"].get("replicas")])
    if ev["type"] == "DELETED":
        break
ext.delete_custom_resource_definition(f"crontabs.{group}")
print(json.dumps({
    "established": established,
    "defaulted": created["spec"]["replicas"],
    "listed": [i["metadata"]["name"] for i in listed["items"]],
    "events": events,
}))
