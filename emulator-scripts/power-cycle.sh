#!/usr/bin/env bash
# Power-cycles the emulator for the harness: stop it, then cold boot the same AVD with its data kept.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

AVD_GIVEN=0
HARD=0
BOOT_ARGS=()
EXTRA_ARGS=()

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options] [-- EMULATOR_ARGS...]

Stops the emulator of RUN_DIR/emulator-PORT.pid and cold boots the same AVD on the same port
(-no-snapshot-load: Android boots from its disk, as after a power cut; user data is kept, never wiped),
then waits for boot like boot-emulator.sh. If no emulator is running it only cold boots.
Exit codes: 0 booted again, 1 failed, 2 bad options.

Options:
  --emulator-port PORT   (env STAGESIM_EMULATOR_PORT; default $EMULATOR_PORT)
  --avd NAME             AVD to boot; default: the one running on the port (asked with \`adb emu avd name\`),
                         else env STAGESIM_AVD or $AVD_NAME
  --hard                 cut the power: SIGKILL instead of \`adb emu kill\` (no snapshot save, writes in
                         flight may be lost; the case "power loss during enrollment")
  --qr FILE              PNG for the camera poster after the reboot (see boot-emulator.sh)
  --gpu MODE             as boot-emulator.sh (env STAGESIM_EMULATOR_GPU)
  --boot-timeout SEC     (env STAGESIM_BOOT_TIMEOUT; default $BOOT_TIMEOUT)
  -- EMULATOR_ARGS...    passed to the emulator (-wipe-data is refused)
$(common_help)

Example (what a harness does mid-enrollment):
  $SCRIPT_NAME --emulator-port 5556 --hard
EOF
}

while (($#)); do
  case $1 in
    --emulator-port) EMULATOR_PORT=$(opt_value "$@"); shift 2 ;;
    --avd) AVD_NAME=$(opt_value "$@"); AVD_GIVEN=1; shift 2 ;;
    --hard) HARD=1; shift ;;
    --qr | --gpu | --boot-timeout) opt_value "$@" >/dev/null; BOOT_ARGS+=("$1" "$2"); shift 2 ;;
    --) shift; EXTRA_ARGS=("$@"); break ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_emulator_port --emulator-port "$EMULATOR_PORT"
check_avd_name --avd "$AVD_NAME"
for arg in "${EXTRA_ARGS[@]}"; do
  if [[ $arg == -wipe-data ]]; then usage_error "a power cycle keeps the device's data: -wipe-data is refused"; fi
done
finish_options

SERIAL=$(emulator_serial "$EMULATOR_PORT")
pid=$(live_pid "$(emulator_pid_file "$EMULATOR_PORT")" 'emulator|qemu')
if [[ -n $pid ]]; then
  if ((!AVD_GIVEN && !DRY_RUN)); then
    # The console answers the name, then "OK".
    if running_avd=$(emu_answer "$EMULATOR_PORT" avd name); then AVD_NAME=${running_avd%%[[:space:]]*}; fi
  fi
  stop_emulator "$EMULATOR_PORT" "$HARD"
else
  log "$SERIAL is not running; cold booting it"
fi

common=(--run-dir "$RUN_DIR" --sdk-root "$SDK_ROOT")
if ((DRY_RUN)); then common+=(--dry-run); fi
"$SCRIPTS_DIR/boot-emulator.sh" "${common[@]}" --avd "$AVD_NAME" --emulator-port "$EMULATOR_PORT" --cold-boot \
  "${BOOT_ARGS[@]}" -- "${EXTRA_ARGS[@]}"
