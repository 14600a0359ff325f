#!/bin/sh
# utserver launcher. The code lives in @APPDIR@ rather than in Python's
# versioned site-packages, so the same layout serves Debian and every OpenWrt
# branch. -P keeps the working directory (the state folder) off sys.path.
PYTHONPATH=@APPDIR@
export PYTHONPATH
exec /usr/bin/python3 -P -m utserver "$@"
