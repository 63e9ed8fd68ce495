# The SDK install test, as a CMake script (run by CTest, see CMakeLists.txt):
#
#   (a) cmake --install BUILD_DIR --prefix WORK_DIR/prefix   (the whole tree)
#   (b) configure and build SOURCE_DIR/examples/out-of-tree-policy against
#       that prefix, in WORK_DIR/build, with find_package(blockhealth)
#   (c) run the example's own ctest (its offline harness tests)
#   (d) check each built .so exports only bh_policy_entry, and when the
#       daemon exists, `blockhealthd plugins inspect` accepts it.
#
# The host-side load of the .so files (load_policy_plugin, params
# validation, evaluate through the ABI marshalling) is the GoogleTest
# sdk_example_in_host_test, which requires this script as a fixture.
#
# Variables (-D): BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR BUILD_TYPE
#   C_COMPILER CXX_COMPILER C_FLAGS CXX_FLAGS EXE_LINKER_FLAGS
#   MODULE_LINKER_FLAGS SHARED_LINKER_FLAGS NM
# The example is built with the compiler and flags of the tree under test:
# in the ASan tree it is ASan-instrumented too, so its own tests run under
# ASan and its .so can be loaded by that tree's (instrumented) binaries.
cmake_minimum_required(VERSION 3.20)

foreach(var BUILD_DIR SOURCE_DIR WORK_DIR GENERATOR C_COMPILER CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "sdk install test: -D${var}=... is required")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(example_build "${WORK_DIR}/build")
set(example_source "${SOURCE_DIR}/examples/out-of-tree-policy")

# run_step(<name> <command>...): runs the command; on failure stops the test
# with the step's name, the command line and everything it printed.
function(run_step name)
  string(REPLACE ";" " " command_line "${ARGN}")
  message(STATUS "[${name}] ${command_line}")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sdk install test: step '${name}' failed (${rc}):\n"
                        "  ${command_line}\n"
                        "----- output -----\n${out}------------------")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

function(require_file path why)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "sdk install test: ${path} is missing (${why})")
  endif()
endfunction()

# Nothing from the environment may change how the example builds.
foreach(var CFLAGS CXXFLAGS LDFLAGS CMAKE_PREFIX_PATH DESTDIR CMAKE_BUILD_PARALLEL_LEVEL)
  unset(ENV{${var}})
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# (a) install the tree under test.
run_step(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(header policy_abi.h policy.hpp params.h testing.hpp)
  require_file("${prefix}/include/blockhealth/${header}" "installed SDK header")
endforeach()
file(GLOB_RECURSE config_files "${prefix}/*/blockhealthConfig.cmake")
if(NOT config_files)
  message(FATAL_ERROR "sdk install test: no blockhealthConfig.cmake under ${prefix}")
endif()

# (b) configure and build the example against the prefix only.
run_step(configure "${CMAKE_COMMAND}" -S "${example_source}" -B "${example_build}"
  -G "${GENERATOR}"
  "-DCMAKE_PREFIX_PATH=${prefix}"
  "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DCMAKE_C_COMPILER=${C_COMPILER}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_C_FLAGS=${C_FLAGS}"
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${EXE_LINKER_FLAGS}"
  "-DCMAKE_MODULE_LINKER_FLAGS=${MODULE_LINKER_FLAGS}"
  "-DCMAKE_SHARED_LINKER_FLAGS=${SHARED_LINKER_FLAGS}")
file(STRINGS "${example_build}/CMakeCache.txt" found_dir REGEX "^blockhealth_DIR:")
string(FIND "${found_dir}" "${prefix}/" at)
if(NOT at GREATER -1)
  message(FATAL_ERROR "sdk install test: the example found blockhealth elsewhere: ${found_dir}")
endif()
run_step(build "${CMAKE_COMMAND}" --build "${example_build}")

# (c) the example's own offline tests.
run_step(example-ctest "${CMAKE_CTEST_COMMAND}" --test-dir "${example_build}"
  --output-on-failure --timeout 120)
if(NOT step_output MATCHES "100% tests passed, 0 tests failed out of 2")
  message(FATAL_ERROR "sdk install test: the example ran other than its 2 tests:\n${step_output}")
endif()

# (d) what the host sees in each .so.
foreach(policy queue_depth http_status)
  set(so "${example_build}/${policy}.so")
  require_file("${so}" "built by the example")
  if(NM)
    run_step(exports-${policy} "${NM}" -D --defined-only "${so}")
    string(REGEX MATCHALL "[^\n]+" lines "${step_output}")
    if(NOT lines MATCHES "^[0-9a-fA-F]+ T bh_policy_entry$")
      message(FATAL_ERROR "sdk install test: ${so} must export bh_policy_entry and nothing "
                          "else; nm -D says:\n${step_output}")
    endif()
  endif()
  if(EXISTS "${BUILD_DIR}/bin/blockhealthd")
    run_step(inspect-${policy} "${BUILD_DIR}/bin/blockhealthd" plugins inspect "${so}")
    if(NOT step_output MATCHES "name:[ \t]+${policy}\n")
      message(FATAL_ERROR "sdk install test: inspect of ${so} does not name ${policy}:\n"
                          "${step_output}")
    endif()
  else()
    message(STATUS "[inspect-${policy}] skipped: ${BUILD_DIR}/bin/blockhealthd not built; "
                   "sdk_example_in_host_test loads it with load_policy_plugin instead")
  endif()
endforeach()
message(STATUS "sdk install test: passed")
