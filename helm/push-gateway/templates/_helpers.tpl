{{/*
The chart name, or nameOverride.
*/}}
{{- define "push-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's resources: fullnameOverride, or the release name when it
already contains the chart name, or <release>-<chart>. Kept to 57 characters so that
suffixes such as "-admin" fit in a 63-character name.
*/}}
{{- define "push-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 57 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 57 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 57 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "push-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "push-gateway.labels" -}}
helm.sh/chart: {{ include "push-gateway.chart" . }}
{{ include "push-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: parse-push-gateway
{{- end }}

{{/*
Labels that select the gateway's pods.
*/}}
{{- define "push-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "push-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "push-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "push-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The container image reference.
*/}}
{{- define "push-gateway.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
Where the ConfigMap with gateway.yaml is mounted, and the file's path.
*/}}
{{- define "push-gateway.configDir" -}}
/etc/push-gateway/config
{{- end }}

{{- define "push-gateway.configFile" -}}
{{ include "push-gateway.configDir" . }}/gateway.yaml
{{- end }}

{{/*
Where the PPNS certificate Secret is mounted.
*/}}
{{- define "push-gateway.ppnsTlsDir" -}}
/etc/push-gateway/ppns-tls
{{- end }}

{{/*
terminationGracePeriodSeconds: the gateway's own shutdown grace, a margin for closing
connections and exiting, and the optional preStop sleep.
*/}}
{{- define "push-gateway.terminationGracePeriodSeconds" -}}
{{- add (int .Values.config.shutdownGraceSeconds) (int .Values.terminationGraceMarginSeconds) (int .Values.preStopSleepSeconds) }}
{{- end }}

{{/*
JAVA_TOOL_OPTIONS: the heap sized from the container's memory limit, plus extra options.
*/}}
{{- define "push-gateway.javaToolOptions" -}}
{{- $pct := .Values.jvm.maxRAMPercentage | toString }}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?$" $pct) }}
{{- fail (printf "jvm.maxRAMPercentage must be a number between 1 and 100, got %q" $pct) }}
{{- end }}
{{- if not (contains "." $pct) }}{{ $pct = printf "%s.0" $pct }}{{ end }}
{{- trim (printf "-XX:MaxRAMPercentage=%s %s" $pct (.Values.jvm.extraOptions | default "")) }}
{{- end }}

{{/*
Fails the render when a map from values holds a key the gateway does not know.
Arguments: (list <where> <map> <allowed keys>).
*/}}
{{- define "push-gateway.checkKeys" -}}
{{- $where := index . 0 }}
{{- $map := index . 1 | default dict }}
{{- $allowed := index . 2 }}
{{- if not (kindIs "map" $map) }}
{{- fail (printf "%s must be a map of keys" $where) }}
{{- end }}
{{- range $k := keys $map | sortAlpha }}
{{- if not (has $k $allowed) }}
{{- fail (printf "%s.%s is not a key the gateway knows (it would refuse to start); known keys there: %s" $where $k (join ", " $allowed)) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A reference to a key in an existing Secret, with defaults, checked. Arguments:
(list <where> <ref or nil> <default name> <default key>). Returns JSON {"name":..,"key":..}.
*/}}
{{- define "push-gateway.secretRef" -}}
{{- $where := index . 0 }}
{{- $ref := index . 1 | default dict }}
{{- if not (kindIs "map" $ref) }}
{{- fail (printf "%s must be a map with name and key (an existing Secret and a key in it)" $where) }}
{{- end }}
{{- include "push-gateway.checkKeys" (list $where $ref (list "name" "key")) }}
{{- $name := $ref.name | default (index . 2) }}
{{- $key := $ref.key | default (index . 3) }}
{{- if not $name }}
{{- fail (printf "%s.name is required: name an existing Secret in the release namespace" $where) }}
{{- end }}
{{- if not (regexMatch "^[-._a-zA-Z0-9]+$" ($key | toString)) }}
{{- fail (printf "%s.key must be a Secret key ([-._a-zA-Z0-9]+), got %q" $where ($key | toString)) }}
{{- end }}
{{- dict "name" $name "key" ($key | toString) | toJson }}
{{- end }}

{{/*
Checks every value the chart needs and turns .Values.apps into one model used by the
ConfigMap and the Deployment alike: the gateway's keys, the mounted file paths, the
volumes and the secret environment variables. Fails with a message naming the value when
something is missing or when a secret value itself appears in values. Returns JSON.
*/}}
{{- define "push-gateway.model" -}}
{{- $v := .Values }}
{{- /* Secrets never come from values. */}}
{{- if $v.mongo.uri }}
{{- fail "mongo.uri must not be set in values: put the connection string in a Secret and name it in mongo.existingSecret (it reaches the gateway as GATEWAY_MONGO__URI)" }}
{{- end }}
{{- if not $v.mongo.existingSecret }}
{{- fail "mongo.existingSecret is required: name an existing Secret whose key mongo.uriKey (default \"uri\") holds the MongoDB connection string; it reaches the gateway as GATEWAY_MONGO__URI. Without it the gateway would start an embedded database in each pod." }}
{{- end }}
{{- include "push-gateway.checkKeys" (list "mongo" $v.mongo (list "existingSecret" "uriKey" "operationTimeoutMillis")) }}
{{- $mongo := include "push-gateway.secretRef" (list "mongo (existingSecret/uriKey)" (dict "name" $v.mongo.existingSecret "key" $v.mongo.uriKey) "" "uri") | fromJson }}
{{- if not $v.apps }}
{{- fail "apps: configure at least one Parse app (appId and masterKeySecret); with a configuration file the gateway serves only the apps it lists" }}
{{- end }}
{{- if not (kindIs "slice" $v.apps) }}
{{- fail "apps must be a list of Parse apps" }}
{{- end }}
{{- $base := trimSuffix "/" $v.credentialsMountPath }}
{{- $apps := list }}
{{- $volumes := list }}
{{- $env := list (dict "name" "GATEWAY_MONGO__URI" "secret" $mongo) }}
{{- $ids := dict }}
{{- $databases := dict }}
{{- range $i, $a := $v.apps }}
{{- $where := printf "apps[%d]" $i }}
{{- if not (kindIs "map" $a) }}
{{- fail (printf "%s must be a map (appId, masterKeySecret, ...)" $where) }}
{{- end }}
{{- if hasKey $a "masterKey" }}
{{- fail (printf "%s.masterKey must not be set in values: put the master key in a Secret and name it in %s.masterKeySecret (it reaches the gateway as GATEWAY_APPS__%d__MASTER_KEY)" $where $where $i) }}
{{- end }}
{{- include "push-gateway.checkKeys" (list $where $a (list "appId" "database" "tokenCleanup" "masterKeySecret" "apns" "fcm")) }}
{{- if not $a.appId }}
{{- fail (printf "%s.appId is required (the Parse application id)" $where) }}
{{- end }}
{{- $appId := $a.appId | toString }}
{{- $label := printf "%s (appId %s)" $where $appId }}
{{- if hasKey $ids $appId }}
{{- fail (printf "%s: appId %s is configured twice" $label $appId) }}
{{- end }}
{{- $_ := set $ids $appId true }}
{{- $db := $a.database | default "parse" | toString }}
{{- if hasKey $databases $db }}
{{- fail (printf "%s: database %q is already used by another app; give each app its own database" $label $db) }}
{{- end }}
{{- $_ := set $databases $db true }}
{{- if not $a.masterKeySecret }}
{{- fail (printf "%s: masterKeySecret is required: name an existing Secret (masterKeySecret.name) and the key holding the app's Parse master key (masterKeySecret.key, default \"masterKey\"); it reaches the gateway as GATEWAY_APPS__%d__MASTER_KEY" $label $i) }}
{{- end }}
{{- $mk := include "push-gateway.secretRef" (list (printf "%s.masterKeySecret" $label) $a.masterKeySecret "" "masterKey") | fromJson }}
{{- $env = append $env (dict "name" (printf "GATEWAY_APPS__%d__MASTER_KEY" $i) "secret" $mk) }}
{{- $app := dict "appId" $appId }}
{{- if $a.database }}{{ $_ := set $app "database" ($a.database | toString) }}{{ end }}
{{- if hasKey $a "tokenCleanup" }}
{{- if not (kindIs "bool" $a.tokenCleanup) }}
{{- fail (printf "%s.tokenCleanup must be true or false" $label) }}
{{- end }}
{{- $_ := set $app "tokenCleanup" $a.tokenCleanup }}
{{- end }}
{{- /* APNs credentials */}}
{{- $apnsOut := list }}
{{- range $j, $c := ($a.apns | default list) }}
{{- $cw := printf "%s.apns[%d]" $label $j }}
{{- if not (kindIs "map" $c) }}
{{- fail (printf "%s must be a map (topic, environment, p12Secret or p8Secret, ...)" $cw) }}
{{- end }}
{{- if hasKey $c "p12Password" }}
{{- fail (printf "%s.p12Password must not be set in values: put the password in a Secret and name it in p12PasswordSecret (it reaches the gateway as GATEWAY_APPS__%d__APNS__%d__P12_PASSWORD)" $cw $i $j) }}
{{- end }}
{{- include "push-gateway.checkKeys" (list $cw $c (list "topic" "environment" "p12Secret" "p12PasswordSecret" "p12NoPassword" "p8Secret" "keyId" "teamId")) }}
{{- if not $c.topic }}
{{- fail (printf "%s.topic (the app's bundle id) is required" $cw) }}
{{- end }}
{{- $envName := $c.environment | default "production" }}
{{- if not (has $envName (list "production" "sandbox")) }}
{{- fail (printf "%s.environment must be production or sandbox, got %q" $cw ($envName | toString)) }}
{{- end }}
{{- if eq (empty $c.p12Secret) (empty $c.p8Secret) }}
{{- fail (printf "%s needs exactly one of p12Secret (a .p12 certificate) or p8Secret (a .p8 token key)" $cw) }}
{{- end }}
{{- $dir := printf "%s/apps/%d/apns/%d" $base $i $j }}
{{- $volume := printf "app%d-apns%d" $i $j }}
{{- $cred := dict "topic" ($c.topic | toString) "environment" $envName }}
{{- if $c.p12Secret }}
{{- if or $c.keyId $c.teamId }}
{{- fail (printf "%s: keyId and teamId belong to p8Secret credentials, not p12Secret" $cw) }}
{{- end }}
{{- $file := include "push-gateway.secretRef" (list (printf "%s.p12Secret" $cw) $c.p12Secret "" "certificate.p12") | fromJson }}
{{- $_ := set $cred "p12File" (printf "%s/%s" $dir $file.key) }}
{{- $volumes = append $volumes (dict "name" $volume "secretName" $file.name "key" $file.key "mountPath" $dir) }}
{{- if $c.p12NoPassword }}
{{- if $c.p12PasswordSecret }}
{{- fail (printf "%s: choose p12PasswordSecret or p12NoPassword, not both" $cw) }}
{{- end }}
{{- $_ := set $cred "p12Password" "" }}
{{- else }}
{{- $pw := include "push-gateway.secretRef" (list (printf "%s.p12PasswordSecret" $cw) $c.p12PasswordSecret $file.name "password") | fromJson }}
{{- $env = append $env (dict "name" (printf "GATEWAY_APPS__%d__APNS__%d__P12_PASSWORD" $i $j) "secret" $pw) }}
{{- end }}
{{- else }}
{{- if or $c.p12PasswordSecret $c.p12NoPassword }}
{{- fail (printf "%s: p12PasswordSecret and p12NoPassword belong to p12Secret credentials, not p8Secret" $cw) }}
{{- end }}
{{- if or (not $c.keyId) (not $c.teamId) }}
{{- fail (printf "%s: keyId and teamId are required with p8Secret" $cw) }}
{{- end }}
{{- $file := include "push-gateway.secretRef" (list (printf "%s.p8Secret" $cw) $c.p8Secret "" "key.p8") | fromJson }}
{{- $_ := set $cred "p8File" (printf "%s/%s" $dir $file.key) }}
{{- $_ := set $cred "keyId" ($c.keyId | toString) }}
{{- $_ := set $cred "teamId" ($c.teamId | toString) }}
{{- $volumes = append $volumes (dict "name" $volume "secretName" $file.name "key" $file.key "mountPath" $dir) }}
{{- end }}
{{- $apnsOut = append $apnsOut $cred }}
{{- end }}
{{- if $apnsOut }}{{ $_ := set $app "apns" $apnsOut }}{{ end }}
{{- /* Firebase credentials */}}
{{- $fcmOut := list }}
{{- range $j, $c := ($a.fcm | default list) }}
{{- $cw := printf "%s.fcm[%d]" $label $j }}
{{- include "push-gateway.checkKeys" (list $cw $c (list "senderId" "serviceAccountSecret")) }}
{{- if not (and (kindIs "string" $c.senderId) (regexMatch "^[0-9]+$" ($c.senderId | default ""))) }}
{{- fail (printf "%s.senderId must be the Firebase project number as a quoted string (e.g. \"123456789012\"); unquoted, YAML turns it into a float" $cw) }}
{{- end }}
{{- if not $c.serviceAccountSecret }}
{{- fail (printf "%s.serviceAccountSecret is required: name an existing Secret and the key holding the Firebase service-account JSON" $cw) }}
{{- end }}
{{- $dir := printf "%s/apps/%d/fcm/%d" $base $i $j }}
{{- $file := include "push-gateway.secretRef" (list (printf "%s.serviceAccountSecret" $cw) $c.serviceAccountSecret "" "service-account.json") | fromJson }}
{{- $volumes = append $volumes (dict "name" (printf "app%d-fcm%d" $i $j) "secretName" $file.name "key" $file.key "mountPath" $dir) }}
{{- $fcmOut = append $fcmOut (dict "senderId" $c.senderId "serviceAccountFile" (printf "%s/%s" $dir $file.key)) }}
{{- end }}
{{- if $fcmOut }}{{ $_ := set $app "fcm" $fcmOut }}{{ end }}
{{- $apps = append $apps $app }}
{{- end }}
{{- /* PPNS TLS */}}
{{- $ppnsTls := dict }}
{{- if and $v.ppns.enabled $v.ppns.tls.enabled }}
{{- if not $v.ppns.tls.secretName }}
{{- fail "ppns.tls.secretName is required while ppns.enabled and ppns.tls.enabled: name a Secret of type kubernetes.io/tls (tls.crt, and tls.key as PKCS#8 PEM; cert-manager: privateKey.encoding PKCS8). Set ppns.tls.enabled=false if your load balancer terminates TLS, or ppns.enabled=false without IoT devices." }}
{{- end }}
{{- $dir := include "push-gateway.ppnsTlsDir" . }}
{{- $ppnsTls = dict "secretName" $v.ppns.tls.secretName "mountPath" $dir "certificateChainFile" (printf "%s/tls.crt" $dir) "privateKeyFile" (printf "%s/tls.key" $dir) }}
{{- end }}
{{- /* Literal secrets in extraEnv */}}
{{- range $e := $v.extraEnv | default list }}
{{- if and (hasKey $e "value") (regexMatch "^GATEWAY_(MONGO__URI$|.*MASTER_KEY$|.*P12_PASSWORD$)" ($e.name | default "")) }}
{{- fail (printf "extraEnv: %s must come from a Secret (valueFrom.secretKeyRef), not a literal value" $e.name) }}
{{- end }}
{{- end }}
{{- dict "apps" $apps "volumes" $volumes "env" $env "ppnsTls" $ppnsTls | toJson }}
{{- end }}

{{/*
The gateway's configuration file, gateway.yaml. No secret goes in here: the MongoDB URI,
master keys and P12 passwords are environment variables from Secrets, and credential
files are paths to mounted Secret volumes.
*/}}
{{- define "push-gateway.gatewayConfig" -}}
{{- $v := .Values }}
{{- $m := include "push-gateway.model" . | fromJson }}
{{- include "push-gateway.checkKeys" (list "config" $v.config (list "dataDir" "shutdownGraceSeconds" "maxRequestBytes" "delivery" "apns" "fcm" "jobs" "outcomes")) }}
{{- include "push-gateway.checkKeys" (list "config.delivery" $v.config.delivery (list "batchSize" "cursorBatchSize" "maxAttempts" "initialBackoffMillis" "maxBackoffMillis" "requestTimeoutSeconds" "maxConcurrentPushes" "maxConcurrentSmallPushes" "maxQueuedSmallPushes" "maxPendingCalls" "maxSubqueryResults" "statusFlushMillis" "uncommittedWindows")) }}
{{- include "push-gateway.checkKeys" (list "config.apns" $v.config.apns (list "productionServer" "sandboxServer" "trustedServerCaFile" "maxInFlightPerCredential" "connectionsPerCredential" "requestTimeoutMillis")) }}
{{- include "push-gateway.checkKeys" (list "config.fcm" $v.config.fcm (list "endpoint" "trustedServerCaFile" "connections" "threadsPerCredential" "maxInFlightPerCredential" "requestTimeoutMillis")) }}
{{- if hasKey ($v.config.jobs | default dict) "replicaId" }}
{{- fail "config.jobs.replicaId must not be set: one ConfigMap serves every replica and each replica needs its own id (the gateway derives it from the pod's host name)" }}
{{- end }}
{{- include "push-gateway.checkKeys" (list "config.jobs" $v.config.jobs (list "pollMillis" "leaseSeconds" "parseScheduledPollMillis" "idempotencyKeyRetentionHours" "finishedJobRetentionDays")) }}
{{- include "push-gateway.checkKeys" (list "config.outcomes" $v.config.outcomes (list "record" "retentionDays")) }}
{{- include "push-gateway.checkKeys" (list "ppns.settings" $v.ppns.settings (list "maxLineBytes" "maxPushBytes" "handshakeTimeoutSeconds" "idleTimeoutMinutes" "openSsl" "maxPendingHandshakes" "maxConnectionsPerAddress" "autoRegister" "inboxRetentionDays" "registryRefreshSeconds" "deliveryPollMillis")) }}
{{- $cfg := dict "dataDir" $v.config.dataDir "shutdownGraceSeconds" (int $v.config.shutdownGraceSeconds) "maxRequestBytes" (int $v.config.maxRequestBytes) }}
{{- $_ := set $cfg "grpc" (dict "host" "0.0.0.0" "port" (int $v.grpc.port)) }}
{{- $_ := set $cfg "admin" (dict "host" "0.0.0.0" "port" (int $v.admin.port)) }}
{{- $_ := set $cfg "mongo" (dict "operationTimeoutMillis" (int $v.mongo.operationTimeoutMillis)) }}
{{- range $section := list "delivery" "apns" "fcm" "jobs" "outcomes" }}
{{- $settings := index $v.config $section | default dict }}
{{- if $settings }}{{ $_ := set $cfg $section $settings }}{{ end }}
{{- end }}
{{- if $v.rest.enabled }}
{{- $_ := set $cfg "rest" (dict "enabled" true "host" "0.0.0.0" "port" (int $v.rest.port) "path" $v.rest.path) }}
{{- else }}
{{- $_ := set $cfg "rest" (dict "enabled" false) }}
{{- end }}
{{- if $v.ppns.enabled }}
{{- $ppns := merge (dict "enabled" true "host" "0.0.0.0" "port" (int $v.ppns.containerPort)) ($v.ppns.settings | default dict) }}
{{- if $m.ppnsTls }}
{{- $_ := set $ppns "certificateChainFile" $m.ppnsTls.certificateChainFile }}
{{- $_ := set $ppns "privateKeyFile" $m.ppnsTls.privateKeyFile }}
{{- end }}
{{- $_ := set $cfg "ppns" $ppns }}
{{- else }}
{{- $_ := set $cfg "ppns" (dict "enabled" false) }}
{{- end }}
{{- $_ := set $cfg "apps" $m.apps }}
{{- toYaml $cfg }}
{{- end }}
