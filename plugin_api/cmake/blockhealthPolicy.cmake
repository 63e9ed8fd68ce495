# blockhealth_add_policy(<name> <source>...)
#
# Builds a blockhealth policy as a loadable module <name>.so (no "lib"
# prefix), C99/C++20, hidden visibility so only bh_policy_entry is exported,
# linked against blockhealth::plugin_api and nothing else. Works in-tree and
# after find_package(blockhealth).
include_guard(GLOBAL)

function(blockhealth_add_policy name)
  if(NOT ARGN)
    message(FATAL_ERROR "blockhealth_add_policy(${name}): no sources given")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE blockhealth::plugin_api)
  target_compile_features(${name} PRIVATE c_std_99 cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # A policy must not leave undefined symbols for the host to satisfy.
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()
endfunction()
