{{/*
The five services, one place: the name their Deployment, ServiceAccount and RBAC carry, their key
under .Values.services, and whether they serve gRPC to the others (cluster-gateway's ClusterRegistry,
the scheduler's Scheduler.Simulate).
*/}}
{{- define "spillway.services" -}}
- { name: cluster-gateway, key: clusterGateway, grpc: true }
- { name: scheduler, key: scheduler, grpc: true }
- { name: fleet-root, key: fleetRoot, grpc: false }
- { name: stateful-orchestrator, key: statefulOrchestrator, grpc: false }
- { name: federated-hpa, key: federatedHpa, grpc: false }
{{- end -}}

{{- define "spillway.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one service's objects: "<fullname>-<service>". Call with (list $ "scheduler"). */}}
{{- define "spillway.serviceName" -}}
{{- printf "%s-%s" (include "spillway.fullname" (index . 0)) (index . 1) -}}
{{- end -}}

{{- define "spillway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: spillway
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one service. Call with (list $ "scheduler"). */}}
{{- define "spillway.selectorLabels" -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
{{- end -}}

{{- define "spillway.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* host:port of a service's gRPC server inside the cluster. Call with (list $ "scheduler"). */}}
{{- define "spillway.grpcAddr" -}}
{{- printf "%s.%s.svc:9090" (include "spillway.serviceName" .) (index . 0).Release.Namespace -}}
{{- end -}}

{{- define "spillway.natsUrl" -}}
{{- if .Values.nats.bundled.enabled -}}
{{- printf "nats://%s-nats.%s.svc:4222" (include "spillway.fullname" .) .Release.Namespace -}}
{{- else -}}
{{- .Values.nats.url -}}
{{- end -}}
{{- end -}}

{{/* The fleet apiserver container of every cluster-gateway pod (fleetAPI.enabled; see fleet-api.yaml). */}}
{{- define "spillway.fleetApiContainer" -}}
{{- $f := .Values.fleetAPI -}}
- name: fleet-apiserver
  image: {{ include "spillway.image" . | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["fleet-apiserver"]
  args:
    - --host-kubeconfig=/etc/spillway/fleet-api/host.kubeconfig
    # Its only storage: the gateway's etcd-API shim, over the pod's loopback (docs/adr/0008).
    - --etcd-servers=http://127.0.0.1:{{ $f.storagePort }}
    - --storage-media-type=application/json
    - --etcd-compaction-interval=0
    # Authorization is the host's (the webhook below): the fleet serves no RBAC objects of its own.
    - --runtime-config=rbac.authorization.k8s.io/v1=false
    - --secure-port={{ $f.port }}
    - --cert-dir=/var/run/fleet-apiserver
    {{- if $f.servingSecret }}
    - --tls-cert-file=/etc/spillway/fleet-api/serving/tls.crt
    - --tls-private-key-file=/etc/spillway/fleet-api/serving/tls.key
    {{- end }}
    - --authentication-token-webhook-config-file=/etc/spillway/fleet-api/authn-webhook.kubeconfig
    - --authentication-token-webhook-version=v1
    - --anonymous-auth=false
    - --authorization-mode=Webhook
    - --authorization-webhook-config-file=/etc/spillway/fleet-api/authz-webhook.kubeconfig
    - --authorization-webhook-version=v1
    # Its own issuer and key: a token the fleet API issues is its own, never one the host takes.
    - --service-account-issuer={{ $f.serviceAccountIssuer | default (printf "https://%s-fleet-api.%s.svc" (include "spillway.fullname" .) .Release.Namespace) }}
    - --service-account-key-file=/etc/spillway/fleet-api/sa/sa.key
    - --service-account-signing-key-file=/etc/spillway/fleet-api/sa/sa.key
    - --service-cluster-ip-range={{ $f.serviceClusterIPRange }}
    # The host's audiences, not its own issuer: clients' tokens are the host's, reviewed there.
    - --api-audiences={{ join "," ($f.apiAudiences | default (list "https://kubernetes.default.svc")) }}
    - --endpoint-reconciler-type=none
    - --profiling=false
  ports:
    - name: fleet-api
      containerPort: {{ $f.port }}
  # /readyz needs credentials (anonymous requests are 401): the probes look at the port.
  readinessProbe:
    tcpSocket: { port: fleet-api }
    periodSeconds: 5
  livenessProbe:
    tcpSocket: { port: fleet-api }
    periodSeconds: 10
    failureThreshold: 6
  resources:
    {{- toYaml $f.resources | nindent 4 }}
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: [ALL]
  volumeMounts:
    - { name: fleet-api-config, mountPath: /etc/spillway/fleet-api, readOnly: true }
    - { name: fleet-api-sa, mountPath: /etc/spillway/fleet-api/sa, readOnly: true }
    - { name: fleet-api-certs, mountPath: /var/run/fleet-apiserver }
    {{- if $f.servingSecret }}
    - { name: fleet-api-serving, mountPath: /etc/spillway/fleet-api/serving, readOnly: true }
    {{- end }}
{{- end -}}

{{- define "spillway.fleetApiVolumes" -}}
{{- $f := .Values.fleetAPI -}}
- name: fleet-api-config
  configMap:
    name: {{ include "spillway.serviceName" (list . "cluster-gateway") }}-fleet-api
- name: fleet-api-sa
  secret:
    secretName: {{ include "spillway.serviceName" (list . "cluster-gateway") }}-fleet-api-sa
- name: fleet-api-certs
  emptyDir:
    sizeLimit: 16Mi
{{- with $f.servingSecret }}
- name: fleet-api-serving
  secret:
    secretName: {{ . }}
{{- end }}
{{- end -}}
