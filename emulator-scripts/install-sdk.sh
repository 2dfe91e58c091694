#!/usr/bin/env bash
# Installs the Android SDK parts the emulator runs need, with sdkmanager, after accepting the licences.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [options]

Accepts the SDK licences, then installs platform-tools, the emulator and a system image with the Play
Store (real Intune enrollment needs Google Mobile Services). Needs the Android command-line tools in
SDK_ROOT/cmdline-tools/latest (https://developer.android.com/studio#command-line-tools-only).

Options:
  --api-level N    API level of the system image (env STAGESIM_API_LEVEL; default $API_LEVEL)
  --image-tag TAG  system image variant (env STAGESIM_IMAGE_TAG; default $IMAGE_TAG)
  --abi ABI        system image ABI (env STAGESIM_ABI; default $ABI, from this machine)
  --image PKG      the whole system image package; overrides the three above (env STAGESIM_SYSTEM_IMAGE),
                   e.g. "system-images;android-34;google_apis_playstore;x86_64"
$(common_help)

Example:
  $SCRIPT_NAME --api-level 33 --dry-run
EOF
}

while (($#)); do
  case $1 in
    --api-level) API_LEVEL=$(opt_value "$@"); shift 2 ;;
    --image-tag) IMAGE_TAG=$(opt_value "$@"); shift 2 ;;
    --abi) ABI=$(opt_value "$@"); shift 2 ;;
    --image) SYSTEM_IMAGE=$(opt_value "$@"); shift 2 ;;
    *) parse_common_option "$@"; shift "$SHIFT_BY" ;;
  esac
done
check_uint --api-level "$API_LEVEL"
finish_options

require_executable "$SDKMANAGER" "install the Android command-line tools into $SDK_ROOT/cmdline-tools/latest"
log "installing into $SDK_ROOT: platform-tools, emulator, $SYSTEM_IMAGE"
run_answering y "$SDKMANAGER" "--sdk_root=$SDK_ROOT" --licenses
run "$SDKMANAGER" "--sdk_root=$SDK_ROOT" platform-tools emulator "$SYSTEM_IMAGE"
log "done; next: create-avd.sh"
