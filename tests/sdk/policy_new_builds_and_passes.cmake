# `blockhealthd policy new` (issue 11), as a CMake script run by CTest: for
# each language, write a project with the daemon of this build, configure
# and build it against the SDK that sdk_install_builds_out_of_tree_example
# installed (the fixture's prefix only), and run its recorded cases with
# `blockhealthd test`: they must pass as generated.
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DPREFIX=... -DGENERATOR=... \
#         -DC_COMPILER=... -DCXX_COMPILER=... [flags] -P policy_new_builds_and_passes.cmake
cmake_minimum_required(VERSION 3.20)

foreach(var BUILD_DIR WORK_DIR PREFIX GENERATOR C_COMPILER CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "policy new test: -D${var}=... is required")
  endif()
endforeach()

function(run_step name)
  string(REPLACE ";" " " command_line "${ARGN}")
  message(STATUS "[${name}] ${command_line}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out
                  WORKING_DIRECTORY "${WORK_DIR}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "policy new test: step '${name}' failed (${rc}):\n  ${command_line}\n"
                        "----- output -----\n${out}------------------")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

foreach(var CFLAGS CXXFLAGS LDFLAGS CMAKE_PREFIX_PATH DESTDIR CMAKE_BUILD_PARALLEL_LEVEL)
  unset(ENV{${var}})
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(daemon "${BUILD_DIR}/bin/blockhealthd")

foreach(lang c cpp)
  set(name "demo_${lang}")
  set(project "${WORK_DIR}/${name}")
  run_step(new-${lang} "${daemon}" policy new ${name} --lang ${lang} --dir "${project}")
  foreach(file CMakeLists.txt ${name}.schema.json CASES.yaml README.md)
    if(NOT EXISTS "${project}/${file}")
      message(FATAL_ERROR "policy new test: ${project}/${file} was not written")
    endif()
  endforeach()
  run_step(configure-${lang} "${CMAKE_COMMAND}" -S "${project}" -B "${project}/build"
    -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${PREFIX}"
    "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_C_COMPILER=${C_COMPILER}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_C_FLAGS=${C_FLAGS}"
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_MODULE_LINKER_FLAGS=${MODULE_LINKER_FLAGS}"
    "-DCMAKE_SHARED_LINKER_FLAGS=${SHARED_LINKER_FLAGS}")
  run_step(build-${lang} "${CMAKE_COMMAND}" --build "${project}/build")
  run_step(cases-${lang} "${daemon}" test "${project}/CASES.yaml")
  if(NOT step_output MATCHES "PASS the metric climbs" OR NOT step_output MATCHES "1 passed, 0 failed")
    message(FATAL_ERROR "policy new test: ${lang}: the cases did not pass:\n${step_output}")
  endif()
  run_step(inspect-${lang} "${daemon}" plugins inspect "${project}/build/${name}.so")
  if(NOT step_output MATCHES "${name}")
    message(FATAL_ERROR "policy new test: inspect does not name ${name}:\n${step_output}")
  endif()
endforeach()

# A second run into the same folder is refused, and a bad name too.
execute_process(COMMAND "${daemon}" policy new demo_c --lang c --dir "${WORK_DIR}/demo_c"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "is not empty")
  message(FATAL_ERROR "policy new test: writing over a project was not refused (${rc}): ${out}")
endif()
execute_process(COMMAND "${daemon}" policy new Bad-Name --dir "${WORK_DIR}/bad"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0 OR NOT out MATCHES "1 to 64 of a-z")
  message(FATAL_ERROR "policy new test: a bad name was not refused (${rc}): ${out}")
endif()
