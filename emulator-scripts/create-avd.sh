#!/usr/bin/env bash
# Creates the Android Virtual Device the harness drives; does nothing when it already exists.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

FORCE=0

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options]

Creates the AVD with avdmanager. An AVD of that name is left alone (exit 0) unless --force is given,
which recreates it and so loses its data. AVDs live in $(avd_home)
(env ANDROID_AVD_HOME, then ANDROID_USER_HOME/avd, then ~/.android/avd).

Options:
  --avd NAME       AVD name (env STAGESIM_AVD; default $AVD_NAME)
  --device ID      hardware profile, see \`avdmanager list device\` (env STAGESIM_DEVICE; default $DEVICE_PROFILE)
  --api-level N    API level of the system image (env STAGESIM_API_LEVEL; default $API_LEVEL)
  --image-tag TAG  system image variant (env STAGESIM_IMAGE_TAG; default $IMAGE_TAG)
  --abi ABI        system image ABI (env STAGESIM_ABI; default $ABI)
  --image PKG      the whole system image package; overrides the three above (env STAGESIM_SYSTEM_IMAGE)
  --force          recreate the AVD if it exists (wipes its data)
$(common_help)

Example:
  $SCRIPT_NAME --avd stagesim-api33 --api-level 33
EOF
}

while (($#)); do
  case $1 in
    --avd) AVD_NAME=$(opt_value "$@"); shift 2 ;;
    --device) DEVICE_PROFILE=$(opt_value "$@"); shift 2 ;;
    --api-level) API_LEVEL=$(opt_value "$@"); shift 2 ;;
    --image-tag) IMAGE_TAG=$(opt_value "$@"); shift 2 ;;
    --abi) ABI=$(opt_value "$@"); shift 2 ;;
    --image) SYSTEM_IMAGE=$(opt_value "$@"); shift 2 ;;
    --force) FORCE=1; shift ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_avd_name --avd "$AVD_NAME"
check_uint --api-level "$API_LEVEL"
finish_options

if avd_exists "$AVD_NAME" && ((!FORCE)); then
  log "AVD $AVD_NAME already exists in $(avd_home); nothing to do (--force recreates it)"
  exit 0
fi

require_executable "$AVDMANAGER" "install the Android command-line tools into $SDK_ROOT/cmdline-tools/latest"
if [[ ! -d $(system_image_dir "$SYSTEM_IMAGE") ]]; then
  if ((DRY_RUN)); then
    log "note: $SYSTEM_IMAGE is not installed (yet): install-sdk.sh installs it"
  else
    die "$SYSTEM_IMAGE is not installed in $SDK_ROOT: run install-sdk.sh first"
  fi
fi

create=("$AVDMANAGER" create avd -n "$AVD_NAME" -k "$SYSTEM_IMAGE" -d "$DEVICE_PROFILE")
if ((FORCE)); then create+=(--force); fi
log "creating AVD $AVD_NAME ($DEVICE_PROFILE, $SYSTEM_IMAGE)"
# avdmanager asks whether to make a custom hardware profile; the profile given with -d is the answer.
run_answering no "${create[@]}"
log "done; next: boot-emulator.sh --avd $AVD_NAME"
