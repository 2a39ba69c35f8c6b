{{- define "bucketgate.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bucketgate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "bucketgate.labels" -}}
app.kubernetes.io/name: {{ include "bucketgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "bucketgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bucketgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "bucketgate.secretName" -}}
{{- default (include "bucketgate.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- /* The port the container serves: S3 (gateway) or gRPC (services). */ -}}
{{- define "bucketgate.port" -}}
{{- if eq .Values.mode "services" -}}{{ .Values.service.grpcPort }}{{- else -}}{{ .Values.service.port }}{{- end -}}
{{- end -}}
