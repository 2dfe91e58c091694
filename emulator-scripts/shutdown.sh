#!/usr/bin/env bash
# Stops the Appium server and the emulator that the other scripts started, found through their pid files.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

STOP_APPIUM=1
STOP_EMULATOR=1

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options]

Stops Appium (SIGTERM to the pid in RUN_DIR/appium-PORT.pid) and the emulator (\`adb emu kill\` for the
pid in RUN_DIR/emulator-PORT.pid), falling back to SIGTERM and then SIGKILL after
STAGESIM_STOP_TIMEOUT seconds (now $STOP_TIMEOUT). Something without a live pid file is reported as not
running, which is not an error; processes these scripts did not start are left alone.

Options:
  --emulator-port PORT   (env STAGESIM_EMULATOR_PORT; default $EMULATOR_PORT)
  --appium-port PORT     (env STAGESIM_APPIUM_PORT; default $APPIUM_PORT)
  --emulator-only        leave Appium running
  --appium-only          leave the emulator running
$(common_help)
EOF
}

while (($#)); do
  case $1 in
    --emulator-port) EMULATOR_PORT=$(opt_value "$@"); shift 2 ;;
    --appium-port) APPIUM_PORT=$(opt_value "$@"); shift 2 ;;
    --emulator-only) STOP_APPIUM=0; shift ;;
    --appium-only) STOP_EMULATOR=0; shift ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_emulator_port --emulator-port "$EMULATOR_PORT"
check_port --appium-port "$APPIUM_PORT"
if ((!STOP_APPIUM && !STOP_EMULATOR)); then usage_error "--emulator-only and --appium-only exclude each other"; fi
finish_options

# Appium first: it may be holding a session on the emulator.
if ((STOP_APPIUM)); then stop_appium "$APPIUM_PORT"; fi
if ((STOP_EMULATOR)); then stop_emulator "$EMULATOR_PORT"; fi
