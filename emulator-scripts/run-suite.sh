#!/usr/bin/env bash
# Runs the scenario suite on an emulator end to end: boot, Appium, suite, then shut down what it started.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

CAPABILITIES=$SCRIPTS_DIR/capabilities/local-emulator.json
APPIUM_URL=
QR_FILE=
TOKEN=
RUN_MODEL=0
KEEP_RUNNING=0
SUITE_ARGS=()

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options] [-- STAGESIM_RUN_ARGS...]

1. boots the AVD with boot-emulator.sh, unless RUN_DIR/emulator-PORT.pid names a running emulator;
2. optionally puts a QR code on its camera poster (set-camera-qr.sh);
3. starts Appium with start-appium.sh, unless RUN_DIR/appium-PORT.pid names a running one;
4. runs \`stagesim run scenarios --target appium --appium-url URL --capabilities FILE\` from the
   repository root, and with --model \`stagesim model --target appium\` the same way;
5. on exit, also on failure or Ctrl-C, stops the Appium and the emulator it started (not ones it
   reused), and exits with the suite's exit code (the first non-zero of the two runs).
With --appium-url it runs against that server (Selenium Grid, cloud farm) and starts nothing.
\${NAME} placeholders in the capabilities file are filled from the environment into a private copy in
RUN_DIR (deleted on exit); an unset NAME is an error.

Options:
  --avd NAME             (env STAGESIM_AVD; default $AVD_NAME; must match appium:avd of the capabilities)
  --emulator-port PORT   (env STAGESIM_EMULATOR_PORT; default $EMULATOR_PORT)
  --appium-port PORT     (env STAGESIM_APPIUM_PORT; default $APPIUM_PORT)
  --capabilities FILE    (default capabilities/local-emulator.json)
  --appium-url URL       use this WebDriver endpoint; no local emulator or Appium
  --qr FILE              QR code PNG for the camera poster
  --token TOKEN          make the QR code PNG from this enrollment token (stagesim qr encode)
  --model                also run the model-based tests (stagesim model)
  --keep-running         leave the emulator and Appium running at the end
  --boot-timeout SEC     (env STAGESIM_BOOT_TIMEOUT; default $BOOT_TIMEOUT)
  -- STAGESIM_RUN_ARGS...  appended to \`stagesim run scenarios\`
$(common_help)

Examples:
  $SCRIPT_NAME --model
  $SCRIPT_NAME --appium-url https://hub-cloud.browserstack.com/wd/hub --capabilities capabilities/cloud-farm.json
EOF
}

while (($#)); do
  case $1 in
    --avd) AVD_NAME=$(opt_value "$@"); shift 2 ;;
    --emulator-port) EMULATOR_PORT=$(opt_value "$@"); shift 2 ;;
    --appium-port) APPIUM_PORT=$(opt_value "$@"); shift 2 ;;
    --capabilities) CAPABILITIES=$(opt_value "$@"); CAPABILITIES=$(abs_path "$CAPABILITIES"); shift 2 ;;
    --appium-url) APPIUM_URL=$(opt_value "$@"); shift 2 ;;
    --qr) QR_FILE=$(opt_value "$@"); QR_FILE=$(abs_path "$QR_FILE"); shift 2 ;;
    --token) TOKEN=$(opt_value "$@"); shift 2 ;;
    --model) RUN_MODEL=1; shift ;;
    --keep-running) KEEP_RUNNING=1; shift ;;
    --boot-timeout) BOOT_TIMEOUT=$(opt_value "$@"); shift 2 ;;
    --) shift; SUITE_ARGS=("$@"); break ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_avd_name --avd "$AVD_NAME"
check_emulator_port --emulator-port "$EMULATOR_PORT"
check_port --appium-port "$APPIUM_PORT"
check_uint --boot-timeout "$BOOT_TIMEOUT"
[[ -f $CAPABILITIES ]] || usage_error "no capabilities file $CAPABILITIES"
if [[ -n $APPIUM_URL && -n $QR_FILE$TOKEN ]]; then usage_error "--qr and --token need the local emulator, not --appium-url"; fi
finish_options

# Appium's UiAutomator2 driver boots appium:avd itself when no running emulator has that AVD, so a
# mismatch would silently start a second emulator.
if [[ -z $APPIUM_URL && $(<"$CAPABILITIES") =~ \"appium:avd\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then
  if [[ ${BASH_REMATCH[1]} != "$AVD_NAME" ]]; then
    usage_error "$CAPABILITIES has appium:avd \"${BASH_REMATCH[1]}\" but the AVD is \"$AVD_NAME\"; pass --avd ${BASH_REMATCH[1]} or another --capabilities"
  fi
fi

STARTED_EMULATOR=0
STARTED_APPIUM=0
FILLED_CAPABILITIES=

# Each stop runs in a subshell: one that fails (die) must neither skip the next nor replace the exit code.
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if ((KEEP_RUNNING)); then
    if ((STARTED_APPIUM || STARTED_EMULATOR)); then log "leaving the emulator and Appium running (shutdown.sh stops them)"; fi
  else
    if ((STARTED_APPIUM)); then (set -e; stop_appium "$APPIUM_PORT" 1); fi
    if ((STARTED_EMULATOR)); then (set -e; stop_emulator "$EMULATOR_PORT" 0 1); fi
  fi
  if [[ -n $FILLED_CAPABILITIES ]]; then run rm -f "$FILLED_CAPABILITIES"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Writes a private copy of the capabilities with ${NAME} placeholders replaced by JSON-escaped values.
fill_placeholders() {
  local text filled='' name value
  text=$(<"$CAPABILITIES")
  [[ $text == *\$\{* ]] || return 0
  FILLED_CAPABILITIES=$RUN_DIR/capabilities-$$.json
  while [[ $text =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
    name=${BASH_REMATCH[1]}
    if [[ -z ${!name+set} ]]; then usage_error "$CAPABILITIES needs \$$name in the environment"; fi
    value=${!name//\\/\\\\}
    value=${value//\"/\\\"}
    filled+=${text%%"${BASH_REMATCH[0]}"*}$value
    text=${text#*"${BASH_REMATCH[0]}"}
  done
  run_mkdir "$RUN_DIR"
  dry_note "write $CAPABILITIES with its \${NAME} placeholders filled from the environment to:"
  if ((DRY_RUN)); then
    dry_note "$FILLED_CAPABILITIES"
  else
    (umask 077 && printf '%s%s\n' "$filled" "$text" >"$FILLED_CAPABILITIES")
  fi
  CAPABILITIES=$FILLED_CAPABILITIES
}

common=(--run-dir "$RUN_DIR" --sdk-root "$SDK_ROOT")
if ((DRY_RUN)); then common+=(--dry-run); fi

fill_placeholders
if [[ -z $APPIUM_URL ]]; then
  if [[ -n $(live_pid "$(emulator_pid_file "$EMULATOR_PORT")" 'emulator|qemu') ]]; then
    log "reusing the running $(emulator_serial "$EMULATOR_PORT"); it stays up afterwards"
  else
    STARTED_EMULATOR=1
  fi
  # Also for a reused emulator: waits until it has finished booting.
  "$SCRIPTS_DIR/boot-emulator.sh" "${common[@]}" --avd "$AVD_NAME" --emulator-port "$EMULATOR_PORT" \
    --boot-timeout "$BOOT_TIMEOUT"

  if [[ -n $QR_FILE$TOKEN ]]; then
    qr_args=()
    if [[ -n $QR_FILE ]]; then qr_args+=(--qr "$QR_FILE"); fi
    if [[ -n $TOKEN ]]; then qr_args+=(--token "$TOKEN"); fi
    "$SCRIPTS_DIR/set-camera-qr.sh" "${common[@]}" --emulator-port "$EMULATOR_PORT" "${qr_args[@]}"
  fi

  if [[ -n $(live_pid "$(appium_pid_file "$APPIUM_PORT")" appium) ]]; then
    log "reusing the running Appium on port $APPIUM_PORT; it stays up afterwards"
  else
    STARTED_APPIUM=1
  fi
  "$SCRIPTS_DIR/start-appium.sh" "${common[@]}" --appium-port "$APPIUM_PORT"
  APPIUM_URL=http://127.0.0.1:$APPIUM_PORT
fi

target=(--target appium --appium-url "$APPIUM_URL" --capabilities "$CAPABILITIES")
status=0
log "running the scenarios against $APPIUM_URL"
run_stagesim run scenarios "${target[@]}" "${SUITE_ARGS[@]}" || status=$?
if ((RUN_MODEL)); then
  log "running the model-based tests against $APPIUM_URL"
  model_status=0
  run_stagesim model "${target[@]}" || model_status=$?
  if ((status == 0)); then status=$model_status; fi
fi
log "suite finished with exit code $status"
exit "$status"
