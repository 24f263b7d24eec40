# One static library per folder, built from every .cpp in it (sub-folders included).
# Globbing keeps the folder the unit of ownership: a new file needs no CMake edit.
function(tiervm_folder_library name folder)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${folder}/*.cpp)
  # Build-time inputs (engine/jit/stencils: compiled by clang-19 into data, not linked).
  list(FILTER sources EXCLUDE REGEX "/stencils/")
  add_library(${name} STATIC ${sources} ${CMAKE_SOURCE_DIR}/cmake/empty.cpp)
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR})
endfunction()

# One GoogleTest binary per folder under tests/, registered with ctest.
function(tiervm_folder_tests name folder)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${folder}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE TIERVM_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                             TIERVM_BINARY_DIR="${CMAKE_BINARY_DIR}")
  # Every test verifies the IR the engine translates and lowers, in the test programs and
  # in the tiervm processes they start (engine/ir_verify.h).
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS ${folder}
                                                               ENVIRONMENT TIERVM_VERIFY_IR=1)
endfunction()
