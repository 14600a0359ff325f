# Packaging: `make install`, `make deb`, `make ipk`, `make cross-test ARCH=arm64|armhf`.
# Included by the Makefile. See docs/packaging.md.

PREFIX     ?= /usr
SYSCONFDIR ?= /etc
# State folder written into the packaged conf (dir_root, dir_temp_files).
STATEDIR   ?= /var/lib/utserver
APPDIR      = $(PREFIX)/share/utserver
PKG_VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml)
DEB_DIR    := build/deb
IPK_DIR    := build/ipk
ARCH       ?= arm64
# Build tools outside any venv or pyenv: Debian's python3 has the Debian modules.
SYS_PATH   := /usr/sbin:/usr/bin:/sbin:/bin

.PHONY: install deb ipk cross-test

# One staging step for both packages: code, launcher, webui.zip, packaged conf.
# It never builds anything itself (dh_auto_install calls it inside the .deb build).
install:
	@test -f $(WEBUI_ZIP) || { echo "$(WEBUI_ZIP) missing: run 'make webui' first" >&2; exit 1; }
	find utserver -type f ! -name '*.pyc' ! -path '*/__pycache__/*' | LC_ALL=C sort | while read -r f; do \
	  install -D -m 0644 "$$f" "$(DESTDIR)$(APPDIR)/$$f"; done
	install -D -m 0644 $(WEBUI_ZIP) $(DESTDIR)$(APPDIR)/webui.zip
	install -d $(DESTDIR)$(PREFIX)/bin
	sed 's|@APPDIR@|$(APPDIR)|g' cross-build/utserver.sh > $(DESTDIR)$(PREFIX)/bin/utserver
	chmod 0755 $(DESTDIR)$(PREFIX)/bin/utserver
	install -d $(DESTDIR)$(SYSCONFDIR)/utserver
	awk -v statedir=$(STATEDIR) -f cross-build/packaged-conf.awk \
	  etc/utserver.packaged.conf etc/utserver.conf > $(DESTDIR)$(SYSCONFDIR)/utserver/utserver.conf
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/utserver/utserver.conf

# Lintian-clean Architecture: all .deb in build/deb/ (about 10 s; see docs/packaging.md).
deb: $(WEBUI_ZIP)
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/utserver-$(PKG_VERSION)/build
	git ls-files -z --cached --others --exclude-standard | \
	  tar --null -T - --ignore-failed-read -cf - | tar -xf - -C $(DEB_DIR)/utserver-$(PKG_VERSION)
	cp $(WEBUI_ZIP) $(DEB_DIR)/utserver-$(PKG_VERSION)/build/
	cd $(DEB_DIR)/utserver-$(PKG_VERSION) && \
	  env -i PATH=$(SYS_PATH) HOME=/nonexistent LC_ALL=C.UTF-8 dpkg-buildpackage -us -uc -b
	env PATH=$(SYS_PATH) lintian --fail-on error,warning $(DEB_DIR)/utserver_$(PKG_VERSION)_all.deb

# OpenWrt .ipk built without the SDK, then validated (about 1 s).
ipk: $(WEBUI_ZIP)
	rm -rf $(IPK_DIR) && mkdir -p $(IPK_DIR)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(IPK_DIR)/root STATEDIR=/opt/utserver
	env PATH=$(SYS_PATH) python3 openwrt/mkipk.py --version $(PKG_VERSION) \
	  --root $(IPK_DIR)/root --out $(IPK_DIR)
	env PATH=$(SYS_PATH) python3 openwrt/check_ipk.py $(IPK_DIR)/utserver_$(PKG_VERSION)-*_all.ipk

# Install the .deb into a Debian root of another architecture under qemu-user
# and drive the daemon through its init script (about 4 min; needs root).
cross-test: deb
	cross-build/cross-test.sh $(ARCH) $(DEB_DIR)/utserver_$(PKG_VERSION)_all.deb
