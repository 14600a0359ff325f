#!/bin/sh
# Drive the installed package inside a Debian root ROOT (any architecture):
# start through the init script, check the web API from the host, reload (SIGHUP),
# stop. Usage: smoke.sh ROOT. Needs root; ROOT's /proc and /dev must be mounted.
set -eu
root=$1

# A free loopback port for the web UI and one for peers (the chroot shares our network).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
web_port=$(free_port)
peer_port=$(free_port)
conf=$root/etc/utserver/utserver.conf
sed -i "s/^ut_webui_port:.*/ut_webui_port: $web_port/" "$conf"
grep -q '^bind_port:' "$conf" || echo "bind_port: $peer_port" >>"$conf"
password=$(sed -n 's/^admin_password: *//p' "$conf")
[ -n "$password" ] || { echo "FAIL: no admin_password in $conf" >&2; exit 1; }

# HTTP status of the token page, "000" while nothing answers.
token_status() {
	curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" \
		"http://127.0.0.1:$web_port/gui/token.html" || true
}
# Poll (bounded) until the token page answers 200.
wait_answering() {
	i=0
	while [ "$(token_status)" != 200 ]; do
		i=$((i + 1))
		if [ "$i" -gt 180 ]; then
			echo "FAIL: no HTTP 200 from the daemon on port $web_port" >&2
			tail -n 30 "$root/var/log/utserver/utserver.log" >&2 || true
			exit 1
		fi
		sleep 1
	done
}

chroot "$root" /usr/bin/utserver -usage >/dev/null
chroot "$root" /etc/init.d/utserver start
wait_answering
unauthenticated=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$web_port/gui/token.html" || true)
if [ "$unauthenticated" != 401 ]; then
	echo "FAIL: without the password the web API answered $unauthenticated, not 401" >&2
	exit 1
fi
pid=$(cat "$root/run/utserver.pid")
echo "ok: daemon (pid $pid) answers http://127.0.0.1:$web_port/gui/token.html"
# Compare ids: the host may give the root's uid another name.
if [ "$(stat -c %u "/proc/$pid")" != "$(chroot "$root" id -u utserver)" ]; then
	echo "FAIL: daemon not running as utserver" >&2
	exit 1
fi

# The getsettings row of setting $1 (µTorrent API: token page first, then the action).
api_setting() {
	jar=$(mktemp)
	token=$(curl -s -c "$jar" -u "admin:$password" "http://127.0.0.1:$web_port/gui/token.html" |
		sed -n "s/.*<div id='token'[^>]*>\([^<]*\)<.*/\1/p")
	curl -s -b "$jar" -u "admin:$password" \
		"http://127.0.0.1:$web_port/gui/?token=$token&action=getsettings" | tr '[' '\n' | grep "^\"$1\","
	rm -f "$jar"
}

# Reload must re-read the conf: dht (applied at every reload) goes from 1 to 0.
case $(api_setting dht) in
*true*) ;;
*) echo "FAIL: getsettings does not show dht on before the reload" >&2; exit 1 ;;
esac
echo "dht: 0" >>"$conf"
chroot "$root" /etc/init.d/utserver reload
wait_answering
i=0
until api_setting dht | grep -q false; do
	i=$((i + 1))
	if [ "$i" -gt 60 ]; then
		echo "FAIL: dht: 0 in the conf is not applied after reload" >&2
		exit 1
	fi
	sleep 1
done
if [ "$(cat "$root/run/utserver.pid")" != "$pid" ] || ! kill -0 "$pid"; then
	echo "FAIL: the daemon did not survive reload" >&2
	exit 1
fi
echo "ok: reload (SIGHUP) applied the edited conf and kept the daemon answering"

chroot "$root" /etc/init.d/utserver stop
status=0
chroot "$root" /etc/init.d/utserver status >/dev/null || status=$?
if [ "$status" != 3 ] || kill -0 "$pid" 2>/dev/null; then
	echo "FAIL: daemon still running after stop (status $status)" >&2
	exit 1
fi
echo "ok: stopped"
