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
