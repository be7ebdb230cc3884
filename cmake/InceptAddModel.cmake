# incept_add_model: compile an ONNX model with incept-compile at build time and
# give the result to the rest of the project as an ordinary CMake target.
#
#   incept_add_model(TARGET <target> MODEL <model.onnx>
#                    [NAME <prefix>] [BATCH <n> | BATCH dynamic] [SHARED | STATIC]
#                    [OPT_LEVEL <0-3>] [MARCH <cpu>]
#                    [COMPILE_OPTIONS <flag>...] [EXCLUDE_FROM_ALL])
#
# STATIC (the default) compiles to an object file and makes <target> an
# imported object library that carries the object, Incept's runtime and libm,
# so `target_link_libraries(app PRIVATE <target>)` is all an application needs.
# SHARED compiles to a self-contained shared library and makes <target> an
# imported shared library. Either way the model's header <prefix>.h is on
# <target>'s include path. Everything lands in
# ${CMAKE_CURRENT_BINARY_DIR}/incept/<target>/. docs/incept_add_model.md has
# the details.
#
# The compiler and the runtime are Incept::incept-compile and Incept::runtime
# from find_package(Incept); inside Incept's own build, where those do not
# exist, the in-tree targets incept-compile and incept_runtime stand in.

include_guard(GLOBAL)

# Picks the first of `candidates` that is a target, or fails naming `what`.
function(_incept_pick_target out what)
  foreach(candidate IN LISTS ARGN)
    if(TARGET ${candidate})
      set(${out} ${candidate} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "incept_add_model: no ${what} target (looked for ${ARGN}); "
                      "call find_package(Incept) first")
endfunction()

function(incept_add_model)
  cmake_parse_arguments(PARSE_ARGV 0 ARG
    "SHARED;STATIC;EXCLUDE_FROM_ALL"
    "TARGET;MODEL;NAME;BATCH;OPT_LEVEL;MARCH"
    "COMPILE_OPTIONS")

  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "incept_add_model: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TARGET)
    message(FATAL_ERROR "incept_add_model: TARGET <name> is required")
  endif()
  if(TARGET ${ARG_TARGET})
    message(FATAL_ERROR "incept_add_model(${ARG_TARGET}): a target of that name already exists")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "incept_add_model(${ARG_TARGET}): MODEL <file.onnx> is required")
  endif()
  if(ARG_SHARED AND ARG_STATIC)
    message(FATAL_ERROR "incept_add_model(${ARG_TARGET}): SHARED and STATIC exclude each other")
  endif()

  # The prefix names C functions and the header, so it must be a C identifier.
  if(NOT DEFINED ARG_NAME)
    set(ARG_NAME ${ARG_TARGET})
  endif()
  if(NOT ARG_NAME MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "incept_add_model(${ARG_TARGET}): '${ARG_NAME}' is not a C identifier; "
                        "pass NAME <prefix> (letters, digits, underscores)")
  endif()
  if(DEFINED ARG_BATCH AND NOT ARG_BATCH MATCHES "^([1-9][0-9]*|dynamic)$")
    message(FATAL_ERROR "incept_add_model(${ARG_TARGET}): BATCH must be a positive integer or 'dynamic', not '${ARG_BATCH}'")
  endif()
  if(DEFINED ARG_OPT_LEVEL AND NOT ARG_OPT_LEVEL MATCHES "^[0-3]$")
    message(FATAL_ERROR "incept_add_model(${ARG_TARGET}): OPT_LEVEL must be 0, 1, 2 or 3, not '${ARG_OPT_LEVEL}'")
  endif()

  _incept_pick_target(compiler "compiler" Incept::incept-compile incept-compile)
  _incept_pick_target(runtime "runtime" Incept::runtime incept_runtime)

  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/incept/${ARG_TARGET}")
  set(header "${dir}/${ARG_NAME}.h")
  # An imported target's include directory must exist when the build is generated.
  file(MAKE_DIRECTORY "${dir}")

  set(flags --name ${ARG_NAME})
  if(DEFINED ARG_BATCH)
    list(APPEND flags --batch ${ARG_BATCH})
  endif()
  if(DEFINED ARG_OPT_LEVEL)
    list(APPEND flags -O${ARG_OPT_LEVEL})
  endif()
  if(DEFINED ARG_MARCH)
    list(APPEND flags --march ${ARG_MARCH})
  endif()
  list(APPEND flags ${ARG_COMPILE_OPTIONS})

  if(ARG_SHARED)
    set(artifact "${dir}/${ARG_NAME}.so")
    # The compiler writes no DT_SONAME, and CMake links such a library with
    # -l<name>, which only finds lib<name>.so: that name is a link to the file.
    set(link_name "${dir}/lib${ARG_NAME}.so")
    set(make_link_name COMMAND ${CMAKE_COMMAND} -E create_symlink ${ARG_NAME}.so ${link_name})
  else()
    set(artifact "${dir}/${ARG_NAME}.o")
    set(link_name)
    set(make_link_name)
  endif()

  file(RELATIVE_PATH shown_artifact "${CMAKE_BINARY_DIR}" "${artifact}")
  add_custom_command(
    OUTPUT ${artifact} ${header} ${link_name}
    COMMAND $<TARGET_FILE:${compiler}> ${model} -o ${artifact} ${flags}
    ${make_link_name}
    DEPENDS ${model} ${compiler}
    COMMENT "Compiling ONNX model ${ARG_MODEL} to ${shown_artifact}"
    VERBATIM)

  set(all ALL)
  if(ARG_EXCLUDE_FROM_ALL)
    set(all)
  endif()
  add_custom_target(${ARG_TARGET}-incept-compile ${all}
    DEPENDS ${artifact} ${header} ${link_name})

  if(ARG_SHARED)
    add_library(${ARG_TARGET} SHARED IMPORTED GLOBAL)
    # The runtime comes along for incept.h, which the model's header
    # includes, and for incept_status_string, which the library need not
    # export. The runtime keeps no global state, so the program's copy of
    # what it calls and the library's own copy cannot disagree.
    set_target_properties(${ARG_TARGET} PROPERTIES
      IMPORTED_LOCATION "${link_name}"
      IMPORTED_NO_SONAME TRUE
      INTERFACE_INCLUDE_DIRECTORIES "${dir}"
      INTERFACE_LINK_LIBRARIES "${runtime}")
  else()
    add_library(${ARG_TARGET} OBJECT IMPORTED GLOBAL)
    set_target_properties(${ARG_TARGET} PROPERTIES
      IMPORTED_OBJECTS "${artifact}"
      INTERFACE_INCLUDE_DIRECTORIES "${dir}"
      INTERFACE_LINK_LIBRARIES "${runtime};m")
  endif()
  # Followed by whatever links <target>, since an imported target is not built.
  add_dependencies(${ARG_TARGET} ${ARG_TARGET}-incept-compile)

  # Where the pieces are, for install() rules and for hosts that dlopen().
  set_target_properties(${ARG_TARGET} PROPERTIES
    INCEPT_MODEL_NAME "${ARG_NAME}"
    INCEPT_MODEL_HEADER "${header}"
    INCEPT_MODEL_ARTIFACT "${artifact}")
endfunction()
