{{/* Names ------------------------------------------------------------------------------------------------ */}}
{{- define "lineagelens.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "lineagelens.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "lineagelens.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels ----------------------------------------------------------------------------------------------- */}}
{{- define "lineagelens.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lineagelens.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "lineagelens.labels" -}}
helm.sh/chart: {{ include "lineagelens.chart" . }}
{{ include "lineagelens.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: lineagelens
{{- end -}}

{{/* The component that serves HTTP for the Service, HPA and PDB: "api" when split, else "server". */}}
{{- define "lineagelens.apiComponent" -}}
{{- if .Values.roles.split -}}api{{- else -}}server{{- end -}}
{{- end -}}

{{- define "lineagelens.apiDeploymentName" -}}
{{- if .Values.roles.split -}}
{{- printf "%s-api" (include "lineagelens.fullname" .) -}}
{{- else -}}
{{- include "lineagelens.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "lineagelens.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "lineagelens.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "lineagelens.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Secrets ---------------------------------------------------------------------------------------------- */}}
{{- define "lineagelens.secretName" -}}
{{- default (include "lineagelens.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Fails rendering when a required secret has neither a value nor an existingSecret. */}}
{{- define "lineagelens.validateSecrets" -}}
{{- if not .Values.secrets.existingSecret -}}
{{- $_ := required "secrets.databaseUrl is required (postgresql+psycopg://USER:PASSWORD@HOST:5432/DB), or set secrets.existingSecret" .Values.secrets.databaseUrl -}}
{{- $_ := required "secrets.secretKey is required (a long random master key: openssl rand -base64 48), or set secrets.existingSecret" .Values.secrets.secretKey -}}
{{- if .Values.graph.url -}}
{{- $_ := required "secrets.graphPassword is required when graph.url is set (the Neo4j password), or set secrets.existingSecret" .Values.secrets.graphPassword -}}
{{- end -}}
{{- if .Values.metrics.serviceMonitor.enabled -}}
{{- $_ := required "secrets.metricsApiKey is required by metrics.serviceMonitor.enabled (a read-scope API key: /metrics needs it), or set secrets.existingSecret" .Values.secrets.metricsApiKey -}}
{{- end -}}
{{- if .Values.tests.enabled -}}
{{- $_ := required "secrets.testIngestApiKey is required by tests.enabled (an ingest-scope API key), or set secrets.existingSecret" .Values.secrets.testIngestApiKey -}}
{{- $_ := required "secrets.testReadApiKey is required by tests.enabled (a read-scope API key), or set secrets.existingSecret" .Values.secrets.testReadApiKey -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* An env var from the Secret. Args: (dict "ctx" $ "name" "LINEAGELENS_X" "key" "keyName" "value" "inline value" "optional" bool) */}}
{{- define "lineagelens.secretEnv" -}}
{{- $ctx := .ctx -}}
{{- if or $ctx.Values.secrets.existingSecret .value }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "lineagelens.secretName" $ctx }}
      key: {{ get $ctx.Values.secrets.existingSecretKeys .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* The environment every LineageLens container gets. */}}
{{- define "lineagelens.env" -}}
{{- include "lineagelens.secretEnv" (dict "ctx" . "name" "LINEAGELENS_DATABASE_URL" "key" "databaseUrl" "value" .Values.secrets.databaseUrl) }}
{{- include "lineagelens.secretEnv" (dict "ctx" . "name" "LINEAGELENS_SECRET_KEY" "key" "secretKey" "value" .Values.secrets.secretKey) }}
{{- if .Values.graph.url }}
{{- include "lineagelens.secretEnv" (dict "ctx" . "name" "LINEAGELENS_GRAPH_PASSWORD" "key" "graphPassword" "value" .Values.secrets.graphPassword) }}
{{- end }}
{{- include "lineagelens.secretEnv" (dict "ctx" . "name" "LINEAGELENS_OIDC_CLIENT_SECRET" "key" "oidcClientSecret" "value" .Values.secrets.oidcClientSecret "optional" true) }}
{{- include "lineagelens.secretEnv" (dict "ctx" . "name" "LINEAGELENS_AIRFLOW_SHARED_SECRET" "key" "airflowSharedSecret" "value" .Values.secrets.airflowSharedSecret "optional" true) }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* LINEAGELENS_ALLOWED_HOSTS: the Service's in-cluster names, the ingress hosts, and config.allowedHosts. */}}
{{- define "lineagelens.allowedHosts" -}}
{{- $svc := include "lineagelens.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- $hosts := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) -}}
{{- if .Values.ingress.enabled -}}
{{- range .Values.ingress.hosts -}}
{{- $hosts = append $hosts .host -}}
{{- end -}}
{{- end -}}
{{- range .Values.config.allowedHosts -}}
{{- $hosts = append $hosts . -}}
{{- end -}}
{{- $hosts | uniq | join "," -}}
{{- end -}}

{{/* The pod-level settings shared by every pod of the chart. */}}
{{- define "lineagelens.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}
