#!/usr/bin/env bash
# Starts an Appium server with the UiAutomator2 driver in the background and waits until it answers.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

EXTRA_ARGS=()
# UiAutomator2 5.x-8.x support Appium 3 (this project's); 9.x needs Appium 4. `appium driver install`
# refuses an incompatible release rather than picking an older one, so the major version is pinned.
DRIVER_SPEC=${STAGESIM_UIAUTOMATOR2:-uiautomator2@8}

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options] [-- APPIUM_SERVER_ARGS...]

Installs the UiAutomator2 driver into APPIUM_HOME if none is there, starts \`appium server\` in the
background and waits until GET /status answers. Its pid goes to RUN_DIR/appium-PORT.pid and its log to
RUN_DIR/appium-PORT.log; if that pid file names a running Appium, the script only checks /status.
The appium executable is the project's own (env STAGESIM_APPIUM; default $APPIUM_BIN; run
\`npm ci\` first), not \`npx appium\`, so that the pid file names the server process itself.

Options:
  --appium-port PORT   port to listen on (env STAGESIM_APPIUM_PORT; default $APPIUM_PORT)
  --address ADDR       address to listen on (env STAGESIM_APPIUM_ADDRESS; default $APPIUM_ADDRESS)
  --appium-home DIR    where Appium keeps its drivers; set explicitly so that installing a driver
                       never edits this repository's package.json (env APPIUM_HOME; default $APPIUM_HOME_DIR)
  --driver SPEC        what \`appium driver install\` installs when no uiautomator2 driver is there
                       (env STAGESIM_UIAUTOMATOR2; now $DRIVER_SPEC; by default uiautomator2@8,
                       the newest 8.x, as 9.x needs Appium 4)
  --timeout SEC        give up waiting for /status after SEC seconds
                       (env STAGESIM_APPIUM_TIMEOUT; default $APPIUM_TIMEOUT)
  -- APPIUM_SERVER_ARGS...  passed to \`appium server\`, e.g. -- --relaxed-security
$(common_help)

Example:
  $SCRIPT_NAME --appium-port 4725
EOF
}

while (($#)); do
  case $1 in
    --appium-port) APPIUM_PORT=$(opt_value "$@"); shift 2 ;;
    --address) APPIUM_ADDRESS=$(opt_value "$@"); shift 2 ;;
    --appium-home) APPIUM_HOME_DIR=$(opt_value "$@"); APPIUM_HOME_DIR=$(abs_path "$APPIUM_HOME_DIR"); shift 2 ;;
    --driver) DRIVER_SPEC=$(opt_value "$@"); shift 2 ;;
    --timeout) APPIUM_TIMEOUT=$(opt_value "$@"); shift 2 ;;
    --) shift; EXTRA_ARGS=("$@"); break ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_port --appium-port "$APPIUM_PORT"
check_uint --timeout "$APPIUM_TIMEOUT"
finish_options

PID_FILE=$(appium_pid_file "$APPIUM_PORT")
LOG_FILE=$(appium_log_file "$APPIUM_PORT")
STATUS_URL=http://$APPIUM_ADDRESS:$APPIUM_PORT/status
appium=(env "APPIUM_HOME=$APPIUM_HOME_DIR" "$APPIUM_BIN")

status_answers() { curl -fsS --max-time 5 "$STATUS_URL" >/dev/null 2>&1; }

wait_for_status() {
  local pid=$1 deadline=$((SECONDS + APPIUM_TIMEOUT))
  if ((DRY_RUN)); then
    dry_note "every ${POLL_INTERVAL}s for up to ${APPIUM_TIMEOUT}s, until it succeeds:"
    dry_note "$(shell_quote curl -fsS --max-time 5 "$STATUS_URL")"
    return
  fi
  until status_answers; do
    check_still_alive "$pid" "Appium" "$LOG_FILE"
    if ((SECONDS >= deadline)); then
      die "Appium did not answer $STATUS_URL in ${APPIUM_TIMEOUT}s; it is still running (pid $pid, log $LOG_FILE)"
    fi
    sleep "$POLL_INTERVAL"
  done
  log "Appium answers on http://$APPIUM_ADDRESS:$APPIUM_PORT (pid $pid, log $LOG_FILE)"
}

ensure_driver() {
  if ((DRY_RUN)); then
    dry_note "only if $(shell_quote "${appium[@]}" driver list --installed --json) lacks uiautomator2:"
    run "${appium[@]}" driver install "$DRIVER_SPEC"
    return
  fi
  if "${appium[@]}" driver list --installed --json 2>/dev/null | grep -q '"uiautomator2"'; then
    return
  fi
  log "installing the $DRIVER_SPEC driver into $APPIUM_HOME_DIR"
  run "${appium[@]}" driver install "$DRIVER_SPEC"
}

pid=$(live_pid "$PID_FILE" appium)
if [[ -n $pid ]]; then
  log "Appium is already running on port $APPIUM_PORT (pid $pid, from $PID_FILE)"
  wait_for_status "$pid"
  exit 0
fi

require_executable "$APPIUM_BIN" "run npm ci in $REPO_ROOT (or set STAGESIM_APPIUM)"
if ((!DRY_RUN)) && ! command -v curl >/dev/null; then die "curl is needed to check Appium's /status"; fi
if ((!DRY_RUN)) && status_answers; then
  die "something already answers $STATUS_URL but $PID_FILE names no running Appium; stop it or pick another --appium-port"
fi

ensure_driver
run_mkdir "$RUN_DIR"
log "starting Appium on $APPIUM_ADDRESS:$APPIUM_PORT"
start_background "$LOG_FILE" "$PID_FILE" "${appium[@]}" server --address "$APPIUM_ADDRESS" --port "$APPIUM_PORT" \
  --log-no-colors --log-timestamp "${EXTRA_ARGS[@]}"
if ((DRY_RUN)); then pid=$(pid_from_file "$PID_FILE"); else pid=$(<"$PID_FILE"); fi
wait_for_status "$pid"
