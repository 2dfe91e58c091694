# shellcheck shell=bash disable=SC2034 # the defaults below are read by the scripts that source this file
# Shared by every emulator script (sourced after `set -euo pipefail`): defaults, logging, option
# parsing, a dry-run aware command runner, Android SDK paths, pid files, and stopping the emulator and
# Appium. Sourcing it defines things and runs nothing.
#
# Dry-run contract: commands go to stdout as shell lines that could be pasted back into bash; steps that
# only wait or decide are printed as `#` comments; logs go to stderr; nothing is created or changed.
# Checks that need a running tool (adb, appium) are skipped in a dry run; checks on local files are not.

if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
  printf '%s: needs bash 4.4 or newer, this is %s (on macOS: brew install bash)\n' "${0##*/}" "$BASH_VERSION" >&2
  exit 1
fi

SCRIPT_NAME=${0##*/}
SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$SCRIPTS_DIR/.." && pwd)

# ---------------------------------------------------------------------------------------------------
# Defaults: environment first, options override them.

default_sdk_root() {
  if [[ $(uname -s) == Darwin ]]; then echo "$HOME/Library/Android/sdk"; else echo "$HOME/Android/Sdk"; fi
}

default_abi() {
  case $(uname -m) in
    arm64 | aarch64) echo arm64-v8a ;;
    *) echo x86_64 ;;
  esac
}

DRY_RUN=0
SDK_ROOT=${ANDROID_SDK_ROOT:-${ANDROID_HOME:-$(default_sdk_root)}}
RUN_DIR=${STAGESIM_RUN_DIR:-${TMPDIR:-/tmp}/stagesim-emulator}
RUN_DIR=${RUN_DIR%/}
AVD_NAME=${STAGESIM_AVD:-stagesim-pixel6}
API_LEVEL=${STAGESIM_API_LEVEL:-34}
IMAGE_TAG=${STAGESIM_IMAGE_TAG:-google_apis_playstore}
ABI=${STAGESIM_ABI:-$(default_abi)}
SYSTEM_IMAGE=${STAGESIM_SYSTEM_IMAGE:-}
DEVICE_PROFILE=${STAGESIM_DEVICE:-pixel_6}
EMULATOR_PORT=${STAGESIM_EMULATOR_PORT:-5554}
EMULATOR_GPU=${STAGESIM_EMULATOR_GPU:-}
APPIUM_PORT=${STAGESIM_APPIUM_PORT:-4723}
APPIUM_ADDRESS=${STAGESIM_APPIUM_ADDRESS:-127.0.0.1}
APPIUM_HOME_DIR=${APPIUM_HOME:-$HOME/.appium}
# The project's own appium binary, not `npx appium`: npx would leave Appium's node process running when
# it is killed, and the pid file must name the process that serves the port.
APPIUM_BIN=${STAGESIM_APPIUM:-$REPO_ROOT/node_modules/.bin/appium}
read -r -a STAGESIM_CMD <<<"${STAGESIM_CLI:-npx stagesim}"
BOOT_TIMEOUT=${STAGESIM_BOOT_TIMEOUT:-600}
APPIUM_TIMEOUT=${STAGESIM_APPIUM_TIMEOUT:-120}
STOP_TIMEOUT=${STAGESIM_STOP_TIMEOUT:-60}
POLL_INTERVAL=${STAGESIM_POLL_INTERVAL:-2}

# ---------------------------------------------------------------------------------------------------
# Logging and exits: 0 ok, 1 failure, 2 bad input (one line on stderr).

log() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
usage_error() {
  log "$* (see --help)"
  exit 2
}

# ---------------------------------------------------------------------------------------------------
# Option parsing. Each script loops over its arguments with its own `case`, takes values with
# `X=$(opt_value "$@"); shift 2` (`;`, not `&&`: set -e ignores a failure on the left of `&&`), and hands
# everything else to `parse_common_option "$@"; shift "$SHIFT_BY"`.

opt_value() {
  [[ $# -ge 2 && -n $2 ]] || usage_error "option $1 needs a value"
  printf '%s\n' "$2"
}

# Handles the options every script shares; sets SHIFT_BY to the number of words it used.
parse_common_option() {
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --dry-run) DRY_RUN=1 SHIFT_BY=1 ;;
    --sdk-root)
      SDK_ROOT=$(opt_value "$@")
      SDK_ROOT=$(abs_path "$SDK_ROOT") SHIFT_BY=2
      ;;
    --run-dir)
      RUN_DIR=$(opt_value "$@")
      RUN_DIR=$(abs_path "$RUN_DIR") SHIFT_BY=2
      ;;
    -*) usage_error "unknown option: $1" ;;
    *) usage_error "unexpected argument: $1" ;;
  esac
}

common_help() {
  cat <<EOF
Common options:
  --sdk-root DIR   Android SDK root (env ANDROID_SDK_ROOT, then ANDROID_HOME; now $SDK_ROOT)
  --run-dir DIR    where pid and log files go (env STAGESIM_RUN_DIR; now $RUN_DIR)
  --dry-run        print the commands instead of running them, and change nothing
  -h, --help       show this help
EOF
}

# Paths are made absolute before any cd: the emulator needs absolute poster paths, and npx runs in the repo.
abs_path() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/${1#./}" ;;
  esac
}

check_uint() { [[ $2 =~ ^[0-9]{1,6}$ ]] || usage_error "$1 must be a whole number, got '$2'"; }

check_port() {
  if [[ ! $2 =~ ^[0-9]{1,5}$ ]] || ((10#$2 < 1 || 10#$2 > 65535)); then
    usage_error "$1 must be a TCP port, got '$2'"
  fi
}

# adb finds emulators only on even console ports 5554..5682 (adb uses the port + 1).
check_emulator_port() {
  if [[ ! $2 =~ ^[0-9]{4}$ ]] || ((10#$2 < 5554 || 10#$2 > 5682 || 10#$2 % 2 == 1)); then
    usage_error "$1 must be an even port from 5554 to 5682, got '$2'"
  fi
}

check_avd_name() {
  [[ $2 =~ ^[A-Za-z0-9._-]+$ ]] || usage_error "$1 may hold only letters, digits, '.', '_' and '-', got '$2'"
}

# Called once options are parsed: derives paths that depend on them.
finish_options() {
  SYSTEM_IMAGE=${SYSTEM_IMAGE:-"system-images;android-$API_LEVEL;$IMAGE_TAG;$ABI"}
  SDKMANAGER=$(cmdline_tool sdkmanager)
  AVDMANAGER=$(cmdline_tool avdmanager)
  EMULATOR_BIN=$SDK_ROOT/emulator/emulator
  ADB=$SDK_ROOT/platform-tools/adb
  export_sdk_env
}

# ---------------------------------------------------------------------------------------------------
# Running commands.

# Prints its words as one shell line, quoting only the words that need it.
shell_quote() {
  local word quoted=()
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
      quoted+=("$word")
    else
      quoted+=("'${word//\'/\'\\\'\'}'")
    fi
  done
  printf '%s\n' "${quoted[*]}"
}

run() {
  if ((DRY_RUN)); then
    shell_quote "$@"
  else
    "$@"
  fi
}

# A `#` line in the dry-run output for a step that waits or decides rather than runs a command.
dry_note() {
  if ((DRY_RUN)); then printf '# %s\n' "$*"; fi
}

# Runs a command that asks questions, answering each with ANSWER (`yes` is fed through a process
# substitution so its SIGPIPE cannot fail the pipeline under pipefail).
run_answering() {
  local answer=$1
  shift
  if ((DRY_RUN)); then
    printf '%s < <(yes %s)\n' "$(shell_quote "$@")" "$(shell_quote "$answer")"
  else
    "$@" < <(yes "$answer")
  fi
}

run_mkdir() {
  if [[ ! -d $1 ]]; then run mkdir -p "$1"; fi
}

# Starts a command detached from this script (nohup: it outlives the terminal), output in LOG, pid in
# PIDFILE. nohup and env exec their command, so the pid is the long-running process itself.
start_background() {
  local log_file=$1 pid_file=$2
  shift 2
  if ((DRY_RUN)); then
    printf '%s > %s 2>&1 < /dev/null &\n' "$(shell_quote nohup "$@")" "$(shell_quote "$log_file")"
    printf 'echo %s > %s\n' '$!' "$(shell_quote "$pid_file")"
    return
  fi
  nohup "$@" >"$log_file" 2>&1 </dev/null &
  echo "$!" >"$pid_file"
}

# Runs the stagesim CLI from the repository root (`npx stagesim` resolves the project's own bin there).
run_stagesim() {
  if ((DRY_RUN)); then
    printf '(cd %s && %s)\n' "$(shell_quote "$REPO_ROOT")" "$(shell_quote "${STAGESIM_CMD[@]}" "$@")"
  else
    (cd "$REPO_ROOT" && "${STAGESIM_CMD[@]}" "$@")
  fi
}

# Real runs need the tool; a dry run only prints where it is expected.
require_executable() {
  if ((!DRY_RUN)) && [[ ! -x $1 ]]; then die "$1 not found: $2"; fi
}

require_file() {
  if [[ ! -f $1 ]]; then
    if ((DRY_RUN)); then log "note: $1 does not exist (yet)"; else die "$1: no such file"; fi
  fi
}

# ---------------------------------------------------------------------------------------------------
# Android SDK.

# sdkmanager and avdmanager come with the command-line tools, normally in cmdline-tools/latest.
cmdline_tool() {
  local candidate
  for candidate in "$SDK_ROOT/cmdline-tools/latest/bin/$1" "$SDK_ROOT"/cmdline-tools/*/bin/"$1" "$SDK_ROOT/tools/bin/$1"; do
    if [[ -x $candidate ]]; then
      printf '%s\n' "$candidate"
      return
    fi
  done
  printf '%s\n' "$SDK_ROOT/cmdline-tools/latest/bin/$1"
}

# The SDK tools read these; both must agree (the emulator warns when they differ).
export_sdk_env() {
  local var
  for var in ANDROID_HOME ANDROID_SDK_ROOT; do
    if [[ ${!var:-} != "$SDK_ROOT" ]]; then
      if ((DRY_RUN)); then shell_quote export "$var=$SDK_ROOT"; fi
      export "$var=$SDK_ROOT"
    fi
  done
}

# Where avdmanager writes AVDs and the emulator reads them.
avd_home() {
  if [[ -n ${ANDROID_AVD_HOME:-} ]]; then
    printf '%s\n' "$ANDROID_AVD_HOME"
  elif [[ -n ${ANDROID_USER_HOME:-} ]]; then
    printf '%s\n' "$ANDROID_USER_HOME/avd"
  elif [[ -n ${ANDROID_EMULATOR_HOME:-} ]]; then
    printf '%s\n' "$ANDROID_EMULATOR_HOME/avd"
  else
    printf '%s\n' "$HOME/.android/avd"
  fi
}

avd_exists() { [[ -f "$(avd_home)/$1.ini" ]]; }

# "system-images;android-34;google_apis_playstore;x86_64" lives in system-images/android-34/...
system_image_dir() { printf '%s\n' "$SDK_ROOT/${1//;//}"; }

emulator_serial() { printf 'emulator-%s\n' "$1"; }
emulator_pid_file() { printf '%s\n' "$RUN_DIR/emulator-$1.pid"; }
emulator_log_file() { printf '%s\n' "$RUN_DIR/emulator-$1.log"; }
appium_pid_file() { printf '%s\n' "$RUN_DIR/appium-$1.pid"; }
appium_log_file() { printf '%s\n' "$RUN_DIR/appium-$1.log"; }

# Prints the emulator console's answer to a command sent through adb. adb exits 0 even when the console
# answers "KO: ...", so the answer is checked too; logs and returns 1 on failure.
emu_answer() {
  local port=$1 answer
  shift
  if ! answer=$("$ADB" -s "$(emulator_serial "$port")" emu "$@" 2>&1) || [[ $answer =~ (^|$'\n')KO ]]; then
    log "adb emu $* failed: ${answer:-no answer}"
    return 1
  fi
  printf '%s\n' "$answer"
}

# Sends an emulator console command (printed instead in a dry run); returns 1 on failure.
emu_console() {
  if ((DRY_RUN)); then
    shell_quote "$ADB" -s "$(emulator_serial "$1")" emu "${@:2}"
  else
    emu_answer "$@" >/dev/null
  fi
}

# ---------------------------------------------------------------------------------------------------
# Processes and pid files.

# A zombie counts as gone: it has exited, only its parent has not reaped it yet (and in containers whose
# init does not reap, it never will).
is_alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $stat != Z* ]]
}

# Prints the pid in FILE if that process is alive and its command line matches PATTERN (so a stale pid
# file whose number now belongs to another process is not mistaken for ours); prints nothing otherwise.
live_pid() {
  local file=$1 pattern=$2 pid
  [[ -r $file ]] || return 0
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  is_alive "$pid" || return 0
  ps -p "$pid" -o command= 2>/dev/null | grep -Eqi -- "$pattern" || return 0
  printf '%s\n' "$pid"
}

# Returns 1 if PID is still alive after SECONDS.
wait_for_exit() {
  local pid=$1 deadline=$((SECONDS + $2))
  while is_alive "$pid"; do
    ((SECONDS < deadline)) || return 1
    sleep "$POLL_INTERVAL"
  done
}

# Fails with the end of LOG when the process that should be starting has died.
check_still_alive() {
  local pid=$1 what=$2 log_file=$3
  if ! is_alive "$pid"; then
    log "$what exited; last lines of $log_file:"
    tail -n 20 "$log_file" >&2 || true
    die "$what exited while starting"
  fi
}

# SIGTERM, then SIGKILL once STOP_TIMEOUT has passed. PID_WORD may be "$(cat FILE)" in a dry run.
terminate() {
  local what=$1 pid=$2
  if ((DRY_RUN)); then
    printf 'kill -TERM %s\n' "$pid"
    dry_note "if it is still alive after ${STOP_TIMEOUT}s: kill -KILL $pid"
    return
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait_for_exit "$pid" "$STOP_TIMEOUT" && return
  log "$what (pid $pid) still alive ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_for_exit "$pid" 10 || die "$what (pid $pid) survived SIGKILL"
}

# What a dry run prints for a pid it cannot know yet: the process was "started" earlier in the same run.
pid_from_file() { printf '"%s(cat %s)"\n' '$' "$(shell_quote "$1")"; }

# stop_appium PORT [STARTED_IN_THIS_DRY_RUN]
stop_appium() {
  local port=$1 assume=${2:-0} file pid
  file=$(appium_pid_file "$port")
  pid=$(live_pid "$file" appium)
  if [[ -z $pid ]]; then
    if ! ((DRY_RUN && assume)); then
      log "Appium on port $port: not running (no live pid in $file)"
      if [[ -e $file ]]; then run rm -f "$file"; fi
      return 0
    fi
    pid=$(pid_from_file "$file")
  fi
  log "stopping Appium on port $port (pid $pid)"
  terminate "Appium" "$pid"
  run rm -f "$file"
}

# stop_emulator PORT [HARD] [STARTED_IN_THIS_DRY_RUN]
# Normal stop: the console's `kill` (the emulator exits on its own), SIGTERM/SIGKILL as a fallback.
# HARD: SIGKILL at once, like pulling the power: no snapshot is saved, writes in flight may be lost.
stop_emulator() {
  local port=$1 hard=${2:-0} assume=${3:-0} file pid serial
  serial=$(emulator_serial "$port")
  file=$(emulator_pid_file "$port")
  pid=$(live_pid "$file" 'emulator|qemu')
  if [[ -z $pid ]]; then
    if ! ((DRY_RUN && assume)); then
      log "$serial: not running (no live pid in $file)"
      if [[ -e $file ]]; then run rm -f "$file"; fi
      return 0
    fi
    pid=$(pid_from_file "$file")
  fi
  if ((hard)); then
    log "$serial: cutting the power (SIGKILL to pid $pid)"
    if ((DRY_RUN)); then
      printf 'kill -KILL %s\n' "$pid"
    else
      kill -KILL "$pid" 2>/dev/null || true
      wait_for_exit "$pid" 10 || die "$serial (pid $pid) survived SIGKILL"
    fi
  else
    log "$serial: shutting down (pid $pid)"
    if ((DRY_RUN)); then
      emu_console "$port" kill
      dry_note "if pid $pid is still alive after ${STOP_TIMEOUT}s: kill -TERM, then kill -KILL"
    elif ! emu_console "$port" kill || ! wait_for_exit "$pid" "$STOP_TIMEOUT"; then
      terminate "$serial" "$pid"
    fi
  fi
  run rm -f "$file"
}
