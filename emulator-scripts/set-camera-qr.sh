#!/usr/bin/env bash
# Puts a QR code PNG on the running emulator's virtual scene poster, where the back camera sees it.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

QR_FILE=
TOKEN=

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME (--qr FILE | --token TOKEN [--qr FILE]) [options]

Shows a QR code on the wall poster of the emulator's virtual scene (the emulator must have been started
with -camera-back virtualscene, as boot-emulator.sh does). With --token the PNG is made first with
\`stagesim qr encode\` (env STAGESIM_CLI; default "${STAGESIM_CMD[*]}", run in $REPO_ROOT).

Options:
  --qr FILE              the QR code PNG to show; with --token, where to write it
                         (default with --token: RUN_DIR/camera-qr-PORT.png)
  --token TOKEN          enrollment token to encode into a provisioning QR code
  --emulator-port PORT   the emulator's console port (env STAGESIM_EMULATOR_PORT; default $EMULATOR_PORT)
$(common_help)

Examples:
  $SCRIPT_NAME --qr /tmp/enroll-qr.png
  $SCRIPT_NAME --token ABCDEFGH
EOF
}

while (($#)); do
  case $1 in
    --qr) QR_FILE=$(opt_value "$@"); QR_FILE=$(abs_path "$QR_FILE"); shift 2 ;;
    --token) TOKEN=$(opt_value "$@"); shift 2 ;;
    --emulator-port) EMULATOR_PORT=$(opt_value "$@"); shift 2 ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_emulator_port --emulator-port "$EMULATOR_PORT"
if [[ -z $QR_FILE && -z $TOKEN ]]; then usage_error "give --qr FILE or --token TOKEN"; fi
finish_options

if [[ -n $TOKEN ]]; then
  QR_FILE=${QR_FILE:-$RUN_DIR/camera-qr-$EMULATOR_PORT.png}
  log "encoding the enrollment token into $QR_FILE"
  run_mkdir "$(dirname "$QR_FILE")"
  run_stagesim qr encode --token "$TOKEN" --out "$QR_FILE"
fi
require_file "$QR_FILE"
require_executable "$ADB" "run install-sdk.sh (or set ANDROID_SDK_ROOT)"

log "showing $QR_FILE to the camera of $(emulator_serial "$EMULATOR_PORT")"
emu_console "$EMULATOR_PORT" virtualscene-image wall "$QR_FILE" ||
  die "could not set the poster: is $(emulator_serial "$EMULATOR_PORT") running with -camera-back virtualscene?"
