# Third-party dependencies of the daemon, all from Debian 12 packages
# (scripts/install-deps.sh installs them). Imported targets only.
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)  # TLS: https:// clients and server.tls
# Any Boost from 1.81 (Debian 12's newest) on; 1.74, Debian 12's default, lacks
# Boost.URL.
find_package(Boost 1.81.0 CONFIG REQUIRED COMPONENTS json url)
message(STATUS "blockhealth: Boost ${Boost_VERSION}")
find_package(yaml-cpp 0.7 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)

# valijson is header-only. Debian's libvalijson-dev drags in Qt5 and Poco
# development packages, so install-deps.sh unpacks just its headers into
# .deps/valijson; a system-wide install is used when present.
find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp
  HINTS "${PROJECT_SOURCE_DIR}/.deps/valijson/usr/include")
if(NOT VALIJSON_INCLUDE_DIR)
  message(FATAL_ERROR "valijson headers not found: run scripts/install-deps.sh")
endif()
add_library(blockhealth_valijson INTERFACE)
target_include_directories(blockhealth_valijson SYSTEM INTERFACE "${VALIJSON_INCLUDE_DIR}")

# Prometheus remote_write (POST /api/v1/write): snappy decompresses the
# body (block format) for the daemon. The daemon decodes the protobuf
# WriteRequest itself (core/wire/remote_write.cc); libprotobuf and protoc
# only build the generated messages of core/wire/prompb/remote.proto, which
# the tests and the bench use to encode real WriteRequests.
pkg_check_modules(SNAPPY IMPORTED_TARGET snappy)
if(SNAPPY_FOUND)
  add_library(blockhealth_snappy INTERFACE)
  target_link_libraries(blockhealth_snappy INTERFACE PkgConfig::SNAPPY)
else()
  find_library(SNAPPY_LIBRARY snappy)
  find_path(SNAPPY_INCLUDE_DIR snappy.h)
  if(NOT SNAPPY_LIBRARY OR NOT SNAPPY_INCLUDE_DIR)
    message(FATAL_ERROR "snappy not found: run scripts/install-deps.sh (libsnappy-dev)")
  endif()
  add_library(blockhealth_snappy INTERFACE)
  target_link_libraries(blockhealth_snappy INTERFACE "${SNAPPY_LIBRARY}")
  target_include_directories(blockhealth_snappy SYSTEM INTERFACE "${SNAPPY_INCLUDE_DIR}")
endif()
find_package(Protobuf REQUIRED)
message(STATUS "blockhealth: protobuf ${Protobuf_VERSION}")
