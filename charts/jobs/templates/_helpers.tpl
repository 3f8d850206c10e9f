{{/* Chart name, truncated to the 63 characters Kubernetes allows in a label value. */}}
{{- define "jobs.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* name-version, for the helm.sh/chart label. */}}
{{- define "jobs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Helm's recommended labels, on every object of the chart (the DAG puts the same name/part-of on its pods). */}}
{{- define "jobs.labels" -}}
app.kubernetes.io/name: {{ include "jobs.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: jobs-pipeline
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ include "jobs.chart" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Name of the CloudNativePG cluster (postgres.mode cnpg). */}}
{{- define "jobs.pgCluster" -}}
{{- printf "%s-pg" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
