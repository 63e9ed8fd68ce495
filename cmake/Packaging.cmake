# The Debian package: `cpack -G DEB` in a build tree (after the build) makes
# blockhealth_<version>_<arch>.deb with the daemon, the built-in policies,
# the SDK (headers, CMake package, test helpers), the man page, the docs,
# the systemd unit and a default /etc/blockhealth/blockhealth.yaml
# (a conffile). Dependencies come from dpkg-shlibdeps, so the package names
# the library packages of the release it was built on. Tested by
# Package.* in tests/e2e/package_test.cc (dpkg into a fresh root).
#
# Paths are decided at install time, not here: cpack installs with
# CMAKE_INSTALL_PREFIX=/usr (CPACK_PACKAGING_INSTALL_PREFIX) into a staging
# DESTDIR, while a plain `cmake --install` uses the configured prefix
# (/usr/local by default) and then puts the unit and the config under it.

# The unit with ExecStart pointing at the installed binary, and the default
# config (never over an existing one: a developer's `cmake --install` keeps
# theirs). /etc for the /usr prefix, <prefix>/etc otherwise. file(INSTALL)
# puts DESTDIR in front by itself; file(WRITE) does not.
set(_bh_install_code [[
  set(_bh_prefix "${CMAKE_INSTALL_PREFIX}")
  if(_bh_prefix STREQUAL "/usr")
    set(_bh_etc "/etc/blockhealth")
  else()
    set(_bh_etc "${_bh_prefix}/etc/blockhealth")
  endif()
  file(READ "@BH_SOURCE_DIR@/deploy/systemd/blockhealthd.service" _bh_unit)
  string(REPLACE "/usr/local/bin/blockhealthd" "${_bh_prefix}/@BH_BINDIR@/blockhealthd"
    _bh_unit "${_bh_unit}")
  string(REPLACE "/etc/blockhealth/" "${_bh_etc}/" _bh_unit "${_bh_unit}")
  set(_bh_unit_dir "$ENV{DESTDIR}${_bh_prefix}/lib/systemd/system")
  file(MAKE_DIRECTORY "${_bh_unit_dir}")
  file(WRITE "${_bh_unit_dir}/blockhealthd.service" "${_bh_unit}")
  message(STATUS "Installing: ${_bh_unit_dir}/blockhealthd.service")
  if(NOT EXISTS "$ENV{DESTDIR}${_bh_etc}/blockhealth.yaml")
    file(INSTALL "@BH_SOURCE_DIR@/deploy/debian/blockhealth.yaml"
      DESTINATION "${_bh_etc}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
]])
set(BH_SOURCE_DIR "${PROJECT_SOURCE_DIR}")
set(BH_BINDIR "${CMAKE_INSTALL_BINDIR}")
string(CONFIGURE "${_bh_install_code}" _bh_install_code @ONLY)
install(CODE "${_bh_install_code}" COMPONENT daemon)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
  COMPONENT daemon FILES_MATCHING PATTERN "*.md")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/deploy/prometheus" "${PROJECT_SOURCE_DIR}/deploy/grafana"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples" COMPONENT daemon)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME blockhealth)
set(CPACK_PACKAGE_VENDOR blockhealth)
set(CPACK_PACKAGE_CONTACT "blockhealth developers <blockhealth@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "health engine for AI-serving blocks (blockhealthd)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "blockhealthd decides whether the instances of AI-serving blocks are\n"
  "healthy: plugin policies (GPU temperature, log patterns, request age,\n"
  "your own) run per block from YAML, and verdicts are served over HTTP,\n"
  "including AIOS's GET /block/health/<block-id>. Includes the policy SDK.")
# Installed with DESTDIR=<staging> and CMAKE_INSTALL_PREFIX=/usr, whatever
# the build tree's prefix.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The SDK's CMake package finds these when a policy is built against it.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake, g++")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/deploy/debian/conffiles"
  "${PROJECT_SOURCE_DIR}/deploy/debian/postinst"
  "${PROJECT_SOURCE_DIR}/deploy/debian/prerm"
  "${PROJECT_SOURCE_DIR}/deploy/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
