#!/usr/bin/env bash
# Boots the AVD headless with the virtual scene camera and waits until Android has finished booting.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

QR_FILE=
COLD_BOOT=0
SHOW_WINDOW=0
EXTRA_ARGS=()

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options] [-- EMULATOR_ARGS...]

Starts the emulator in the background with the back camera on the virtual scene, optionally with a QR
code PNG on the scene's wall poster, and waits until sys.boot_completed is 1. The emulator keeps
running after this script exits: its pid goes to RUN_DIR/emulator-PORT.pid and its output to
RUN_DIR/emulator-PORT.log. If that pid file names a running emulator, the script only waits for boot.

Options:
  --avd NAME             AVD to boot (env STAGESIM_AVD; default $AVD_NAME)
  --emulator-port PORT   console port, even, 5554-5682; adb serial emulator-PORT
                         (env STAGESIM_EMULATOR_PORT; default $EMULATOR_PORT)
  --qr FILE              PNG to show on the virtual scene's wall poster (set-camera-qr.sh changes it later)
  --cold-boot            ignore the quick-boot snapshot (-no-snapshot-load); data is kept
  --window               show the emulator window (default: headless, -no-window)
  --gpu MODE             -gpu mode, e.g. swiftshader_indirect on runners without a GPU
                         (env STAGESIM_EMULATOR_GPU; default: the emulator's choice)
  --boot-timeout SEC     give up waiting after SEC seconds (env STAGESIM_BOOT_TIMEOUT; default $BOOT_TIMEOUT)
  -- EMULATOR_ARGS...    passed to the emulator as they are
$(common_help)

Example:
  $SCRIPT_NAME --qr /tmp/enroll-qr.png --gpu swiftshader_indirect
EOF
}

while (($#)); do
  case $1 in
    --avd) AVD_NAME=$(opt_value "$@"); shift 2 ;;
    --emulator-port) EMULATOR_PORT=$(opt_value "$@"); shift 2 ;;
    --qr) QR_FILE=$(opt_value "$@"); QR_FILE=$(abs_path "$QR_FILE"); shift 2 ;;
    --cold-boot) COLD_BOOT=1; shift ;;
    --window) SHOW_WINDOW=1; shift ;;
    --gpu) EMULATOR_GPU=$(opt_value "$@"); shift 2 ;;
    --boot-timeout) BOOT_TIMEOUT=$(opt_value "$@"); shift 2 ;;
    --) shift; EXTRA_ARGS=("$@"); break ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_avd_name --avd "$AVD_NAME"
check_emulator_port --emulator-port "$EMULATOR_PORT"
check_uint --boot-timeout "$BOOT_TIMEOUT"
finish_options

SERIAL=$(emulator_serial "$EMULATOR_PORT")
PID_FILE=$(emulator_pid_file "$EMULATOR_PORT")
LOG_FILE=$(emulator_log_file "$EMULATOR_PORT")

# Polls the boot flag rather than `adb wait-for-device`, which can hang forever on a wedged emulator.
wait_for_boot() {
  local pid=$1 deadline=$((SECONDS + BOOT_TIMEOUT)) started=$SECONDS booted
  if ((DRY_RUN)); then
    dry_note "every ${POLL_INTERVAL}s for up to ${BOOT_TIMEOUT}s, until it prints 1:"
    dry_note "$(shell_quote "$ADB" -s "$SERIAL" shell getprop sys.boot_completed)"
    return
  fi
  log "waiting up to ${BOOT_TIMEOUT}s for $SERIAL to boot (log: $LOG_FILE)"
  while :; do
    check_still_alive "$pid" "the emulator" "$LOG_FILE"
    booted=$("$ADB" -s "$SERIAL" shell getprop sys.boot_completed 2>/dev/null || true)
    if [[ ${booted//$'\r'/} == 1 ]]; then break; fi
    if ((SECONDS >= deadline)); then
      die "$SERIAL did not finish booting in ${BOOT_TIMEOUT}s; it is still running (pid $pid, log $LOG_FILE), shutdown.sh stops it"
    fi
    sleep "$POLL_INTERVAL"
  done
  log "$SERIAL booted in $((SECONDS - started))s (pid $pid)"
}

pid=$(live_pid "$PID_FILE" 'emulator|qemu')
if [[ -n $pid ]]; then
  log "$SERIAL is already running (pid $pid, from $PID_FILE)"
  wait_for_boot "$pid"
  exit 0
fi

require_executable "$EMULATOR_BIN" "run install-sdk.sh (or set ANDROID_SDK_ROOT)"
require_executable "$ADB" "run install-sdk.sh (or set ANDROID_SDK_ROOT)"
if ! avd_exists "$AVD_NAME"; then
  if ((DRY_RUN)); then log "note: AVD $AVD_NAME does not exist (yet): create-avd.sh creates it"; else die "no AVD $AVD_NAME in $(avd_home): run create-avd.sh"; fi
fi

emulator=("$EMULATOR_BIN" -avd "$AVD_NAME")
if ((!SHOW_WINDOW)); then emulator+=(-no-window); fi
emulator+=(-no-audio -no-boot-anim -camera-back virtualscene)
if [[ -n $QR_FILE ]]; then
  require_file "$QR_FILE"
  emulator+=(-virtualscene-poster "wall=$QR_FILE")
fi
emulator+=(-port "$EMULATOR_PORT")
if ((COLD_BOOT)); then emulator+=(-no-snapshot-load); fi
if [[ -n $EMULATOR_GPU ]]; then emulator+=(-gpu "$EMULATOR_GPU"); fi
emulator+=("${EXTRA_ARGS[@]}")

if ((COLD_BOOT)); then log "cold booting AVD $AVD_NAME as $SERIAL"; else log "booting AVD $AVD_NAME as $SERIAL"; fi
run_mkdir "$RUN_DIR"
start_background "$LOG_FILE" "$PID_FILE" "${emulator[@]}"
if ((DRY_RUN)); then pid=$(pid_from_file "$PID_FILE"); else pid=$(<"$PID_FILE"); fi
wait_for_boot "$pid"
