# Checks that the code docs/writing-a-policy.md shows is the code of
# examples/out-of-tree-policy, which the install test builds and tests: for
# each "<!-- file: my-policies/X -->" block whose X also exists in the
# example, the block must equal the example's file.
#   cmake -DSOURCE_DIR=<repo> -P doc_matches_example.cmake
cmake_minimum_required(VERSION 3.20)
set(doc_path "${SOURCE_DIR}/docs/writing-a-policy.md")
set(example "${SOURCE_DIR}/examples/out-of-tree-policy")
file(READ "${doc_path}" doc)

set(checked 0)
foreach(name queue_depth.cpp http_status.c http_status.schema.json testdata/busy.prom)
  set(marker "<!-- file: my-policies/${name} -->\n")
  string(FIND "${doc}" "${marker}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${doc_path}: no block marked ${marker}")
  endif()
  string(LENGTH "${marker}" marker_length)
  math(EXPR at "${at} + ${marker_length}")
  string(SUBSTRING "${doc}" ${at} -1 rest)
  string(FIND "${rest}" "\n" fence_end)           # end of the opening ```lang line
  math(EXPR fence_end "${fence_end} + 1")
  string(SUBSTRING "${rest}" ${fence_end} -1 rest)
  string(FIND "${rest}" "```\n" close)
  string(SUBSTRING "${rest}" 0 ${close} block)
  file(READ "${example}/${name}" expected)
  if(NOT block STREQUAL expected)
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/doc-${checked}.txt" "${block}")
    message(FATAL_ERROR "${doc_path}: the block for my-policies/${name} differs from "
                        "${example}/${name}; update one from the other "
                        "(the doc's copy is in ${CMAKE_CURRENT_BINARY_DIR}/doc-${checked}.txt)")
  endif()
  math(EXPR checked "${checked} + 1")
endforeach()
message(STATUS "docs/writing-a-policy.md matches the example (${checked} files)")
