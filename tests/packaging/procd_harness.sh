#!/bin/sh
# Runs init.d/utserver.procd under busybox ash with stand-ins for the OpenWrt
# functions it calls (rc.common, functions.sh, procd.sh are not in Debian).
# The stand-ins print what procd would be asked to do, one line each.
# Usage: procd_harness.sh SCRIPT TEMPLATE ACTION
# The `utserver` sections are named in UCI_SECTIONS (default: main); option
# OPTION of section S is UCI_S_OPTION.
set -eu
script=$1 template=$2 action=$3

config_load() { :; }
config_foreach() {
	for section in ${UCI_SECTIONS:-main}; do "$1" "$section"; done
}
# config_get VAR SECTION OPTION DEFAULT: the value of UCI_<SECTION>_<OPTION>, else DEFAULT.
config_get() { eval "$1=\${UCI_$2_$3:-\$4}"; }
config_get_bool() { config_get "$@"; }
procd_open_instance() { echo "open_instance $*"; }
procd_close_instance() { echo "close_instance"; }
procd_set_param() {
	printf 'param %s' "$1"
	shift
	for arg in "$@"; do printf ' <%s>' "$arg"; done
	echo
}
procd_send_signal() { echo "send_signal $*"; }
procd_add_reload_trigger() { echo "reload_trigger $*"; }
# No utserver user on the test host: record ownership changes instead.
chown() { echo "chown $*"; }
chgrp() { echo "chgrp $*"; }
logger() { :; }

# shellcheck source=/dev/null
. "$script"
# Read by the sourced script.
# shellcheck disable=SC2034
TEMPLATE=$template
"$action"
