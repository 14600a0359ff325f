# Packaging: `make install`, `make deb`, `make ipk`, `make cross-test ARCH=arm64|armhf`.
# Included by the Makefile. See docs/packaging.md.

PREFIX     ?= /usr
SYSCONFDIR ?= /etc
# State folder written into the packaged conf (dir_root, dir_temp_files).
STATEDIR   ?= /var/lib/utserver
APPDIR      = $(PREFIX)/share/utserver
UT_VERSION := $(shell sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml)
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
	awk -v statedir=$(STATEDIR) -v appdir=$(APPDIR) -f cross-build/packaged-conf.awk \
	  etc/utserver.packaged.conf etc/utserver.conf > $(DESTDIR)$(SYSCONFDIR)/utserver/utserver.conf
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/utserver/utserver.conf

# What the package builds need from Debian (debian/control's Build-Depends, the tools that run
# dpkg-buildpackage and check the result); installed when missing, which needs root.
DEB_BUILD_PACKAGES := debhelper dh-python python3 dpkg-dev fakeroot lintian strip-nondeterminism
IPK_BUILD_PACKAGES := python3 git
CROSS_PACKAGES     := mmdebstrap qemu-user-static binfmt-support arch-test curl

# Lintian-clean Architecture: all .deb in build/deb/ (about 10 s; see docs/packaging.md).
deb: $(WEBUI_ZIP)
	$(call apt_ensure,$(DEB_BUILD_PACKAGES))
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/utserver-$(UT_VERSION)/build
	git ls-files -z --cached --others --exclude-standard | \
	  tar --null -T - --ignore-failed-read -cf - | tar -xf - -C $(DEB_DIR)/utserver-$(UT_VERSION)
	cp $(WEBUI_ZIP) $(DEB_DIR)/utserver-$(UT_VERSION)/build/
	cd $(DEB_DIR)/utserver-$(UT_VERSION) && \
	  env -i PATH=$(SYS_PATH) HOME=/nonexistent LC_ALL=C.UTF-8 dpkg-buildpackage -us -uc -b
	env PATH=$(SYS_PATH) lintian --fail-on error,warning $(DEB_DIR)/utserver_$(UT_VERSION)_all.deb

# OpenWrt .ipk built without the SDK, then validated (about 1 s). Same layout as
# the feed package (openwrt/net/utserver/Makefile), whose fields mkipk.py reads.
IPK_ROOT = $(IPK_DIR)/root
ipk: $(WEBUI_ZIP)
	$(call apt_ensure,$(IPK_BUILD_PACKAGES))
	rm -rf $(IPK_DIR) && mkdir -p $(IPK_DIR)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(IPK_ROOT) STATEDIR=/opt/utserver
	# The conf (with its generated password) is created on first start, from the template.
	mv $(IPK_ROOT)/etc/utserver/utserver.conf $(IPK_ROOT)$(APPDIR)/utserver.conf
	rmdir $(IPK_ROOT)/etc/utserver
	install -D -m 0755 init.d/utserver.procd $(IPK_ROOT)/etc/init.d/utserver
	install -D -m 0644 openwrt/net/utserver/files/utserver.config $(IPK_ROOT)/etc/config/utserver
	# sysupgrade keeps these (what the SDK writes for declared conffiles).
	install -d $(IPK_ROOT)/lib/upgrade/keep.d
	printf '%s\n' /etc/config/utserver /etc/utserver/ > $(IPK_ROOT)/lib/upgrade/keep.d/utserver
	env PATH=$(SYS_PATH) python3 openwrt/mkipk.py --root $(IPK_ROOT) --out $(IPK_DIR)
	env PATH=$(SYS_PATH) python3 openwrt/check_ipk.py $(IPK_DIR)/utserver_$(UT_VERSION)-r*_all.ipk

# Install the .deb into a Debian root of another architecture under qemu-user
# and drive the daemon through its init script (about 4 min; needs root).
cross-test: deb
	$(call apt_ensure,$(CROSS_PACKAGES))
	cross-build/cross-test.sh $(ARCH) $(DEB_DIR)/utserver_$(UT_VERSION)_all.deb
