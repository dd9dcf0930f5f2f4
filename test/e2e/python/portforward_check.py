"""Port-forward with the official Python client (kubernetes.stream.portforward): an HTTP
request to port 8080 of a pod through the WebSocket port-forward protocol. Prints one JSON
line: the status line and the body."""
import json
import sys

from kubernetes import client, config
from kubernetes.stream import portforward

kubeconfig, pod = sys.argv[1], sys.argv[2]
config.load_kube_config(config_file=kubeconfig)
api = client.CoreV1Api()
pf = portforward(api.connect_get_namespaced_pod_portforward, pod, "default", ports="8080")
sock = pf.socket(8080)
sock.setblocking(True)
sock.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
data = b""
while True:
    chunk = sock.recv(65536)
    if not chunk:
        break
    data += chunk
sock.close()
error = pf.error(8080)
head, _, body = data.partition(b"\r\n\r\n")
print(json.dumps({"status": head.split(b"\r\n")[0].decode(), "body": body.decode(), "error": error}))
