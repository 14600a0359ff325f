# Merge the packaged values (first file: `name: value` lines) into the
# documented conf (second file). Each value replaces the first line named
# `name:` or `#name:`; values with no such line are appended. Comments and
# order are kept, so the installed conf stays the documented one.
# Usage: awk -v statedir=DIR -v appdir=DIR -f packaged-conf.awk etc/utserver.packaged.conf etc/utserver.conf
function key(line) {
	sub(/^#/, "", line)
	if (line !~ /^[A-Za-z0-9_.]+[ \t]*:/) return ""
	sub(/[ \t]*:.*/, "", line)
	return line
}
NR == FNR {
	if ($0 ~ /^[ \t]*(#|$)/) next
	gsub(/@STATEDIR@/, statedir)
	gsub(/@APPDIR@/, appdir)
	k = key($0); value[k] = $0; order[++n] = k
	next
}
FNR == 1 {
	printf "# Installed by the utserver package. It sets:"
	for (i = 1; i <= n; i++) printf " %s", order[i]
	print "\n# (etc/utserver.packaged.conf); every other line is the documented default.\n#"
}
{
	k = key($0)
	if (k != "" && (k in value) && !(k in done)) { print value[k]; done[k] = 1; next }
	print
}
END {
	for (i = 1; i <= n; i++)
		if (!(order[i] in done)) {
			if (!header++) print "\n# Set by the package"
			print value[order[i]]
		}
}
