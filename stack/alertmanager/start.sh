#!/bin/sh
# Starts Alertmanager with real PagerDuty when a routing key is given
# (PAGERDUTY_ROUTING_KEY, or a file at /run/secrets/pagerduty_routing_key),
# and with the local pager otherwise, so the stack always works.
set -eu
dir=${ALERTMANAGER_CONFIG_DIR:-/etc/alertmanager}
key=/tmp/fleetwatch/pagerduty-routing-key
mkdir -p "$(dirname "$key")"
if [ -n "${PAGERDUTY_ROUTING_KEY:-}" ]; then
  printf '%s' "$PAGERDUTY_ROUTING_KEY" > "$key"
elif [ -s "${PAGERDUTY_ROUTING_KEY_FILE:-/run/secrets/pagerduty_routing_key}" ]; then
  cp "${PAGERDUTY_ROUTING_KEY_FILE:-/run/secrets/pagerduty_routing_key}" "$key"
else
  rm -f "$key"
fi
if [ -s "$key" ]; then
  echo "fleetwatch: critical alerts page through PagerDuty"
  config=$dir/alertmanager.yml
else
  echo "fleetwatch: no PagerDuty routing key given; critical alerts go to the local pager (http://localhost:9099)"
  config=$dir/alertmanager.local-pager.yml
fi
exec "${ALERTMANAGER_BIN:-alertmanager}" --config.file="$config" "$@"
