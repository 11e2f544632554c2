#===- test/LitTests.cmake - the lit + FileCheck suite (check-kiln) ---------===#
#
# Included from test/CMakeLists.txt. Configures lit.site.cfg.py for this
# build tree and defines
#   check-kiln   custom target: runs lit on test/ (after building the tools)
#   kiln-lit     ctest test: the same lit run
# The suite itself is test/lit.cfg.py; see it for features and substitutions.
#
#===------------------------------------------------------------------------===#

# Debian's python3 has onnx and numpy (the model generators need them), the
# first python3 on PATH may not.
set(KILN_LIT_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python with onnx and numpy, used by lit and the test-model generators")

if(NOT LLVM_TOOLS_BINARY_DIR)
  set(LLVM_TOOLS_BINARY_DIR ${KILN_LLVM_ROOT}/bin)
endif()
find_program(KILN_LIT_EXECUTABLE NAMES lit llvm-lit
  HINTS ${LLVM_TOOLS_BINARY_DIR} ${KILN_LLVM_ROOT}/build/utils/lit
  DOC "lit test runner")
if(NOT KILN_LIT_EXECUTABLE)
  message(WARNING "lit not found: check-kiln and the kiln-lit test are not available")
  return()
endif()

set(KILN_LIT_SOURCE_DIR ${PROJECT_SOURCE_DIR})
set(KILN_LIT_BINARY_DIR ${PROJECT_BINARY_DIR})
set(KILN_LIT_TOOLS_DIR ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
set(KILN_LIT_LIB_DIR ${CMAKE_BINARY_DIR}/lib)
set(KILN_LIT_LLVM_TOOLS_DIR ${LLVM_TOOLS_BINARY_DIR})
configure_file(${CMAKE_CURRENT_LIST_DIR}/lit.site.cfg.py.in
               ${CMAKE_CURRENT_BINARY_DIR}/lit.site.cfg.py @ONLY)

# lit finds the site config through the build tree's test/ directory: running
# lit on that directory (which holds lit.site.cfg.py) runs the source tests.
set(KILN_LIT_ARGS "-sv" CACHE STRING "Arguments for lit in check-kiln")
separate_arguments(_kiln_lit_args UNIX_COMMAND "${KILN_LIT_ARGS}")
set(_kiln_lit_deps kiln-opt kiln-compile kiln-run kiln_runtime)
foreach(t kiln_runtime_aarch64 kiln-run-aarch64)
  if(TARGET ${t})
    list(APPEND _kiln_lit_deps ${t})
  endif()
endforeach()

add_custom_target(check-kiln
  COMMAND ${KILN_LIT_PYTHON} ${KILN_LIT_EXECUTABLE} ${_kiln_lit_args}
          ${CMAKE_CURRENT_BINARY_DIR}
  DEPENDS ${_kiln_lit_deps}
  COMMENT "Running the kiln lit suite"
  USES_TERMINAL)

add_test(NAME kiln-lit
  COMMAND ${KILN_LIT_PYTHON} ${KILN_LIT_EXECUTABLE} -sv ${CMAKE_CURRENT_BINARY_DIR})
