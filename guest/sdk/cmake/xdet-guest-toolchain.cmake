# CMake toolchain file for xdet guest programs built outside the xdet tree:
#
#   cmake -S myprog -B myprog/build \
#         -DCMAKE_TOOLCHAIN_FILE=<prefix>/share/xdet/guest-sdk/cmake/xdet-guest-toolchain.cmake
#
# with, in myprog/CMakeLists.txt:
#
#   project(myprog C ASM)
#   xdet_add_guest_program(myprog main.c [more.c ...] [PACK_ARGS <xdet pack options>])
#
# which builds myprog.elf with the SDK (crt0, kernel import thunks, libc)
# and packs it into myprog.xex beside it with `xdet pack`.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR powerpc)
get_filename_component(XDET_GUEST_SDK "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
get_filename_component(xdet_prefix "${XDET_GUEST_SDK}/../../.." ABSOLUTE)

find_program(XDET_GUEST_CC powerpc-linux-gnu-gcc REQUIRED)
set(CMAKE_C_COMPILER ${XDET_GUEST_CC})
set(CMAKE_ASM_COMPILER ${XDET_GUEST_CC})
# The SDK links without a C library: configure-time checks build static
# libraries instead of executables.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
execute_process(COMMAND ${XDET_GUEST_CC} -print-file-name=include
                OUTPUT_VARIABLE XDET_GUEST_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
include(${CMAKE_CURRENT_LIST_DIR}/xdet-guest-flags.cmake)
string(REPLACE ";" " " xdet_compile "${XDET_GUEST_COMPILE_FLAGS}")
string(REPLACE ";" " " xdet_link "${XDET_GUEST_LINK_FLAGS}")
set(CMAKE_C_FLAGS_INIT "${xdet_compile} -O2")
set(CMAKE_ASM_FLAGS_INIT "${xdet_compile}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${xdet_link}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

find_program(XDET_EXECUTABLE xdet HINTS ${xdet_prefix}/bin NO_DEFAULT_PATH)
if(NOT XDET_EXECUTABLE)
  find_program(XDET_EXECUTABLE xdet REQUIRED)
endif()

# xdet_add_guest_program(<name> <sources...> [PACK_ARGS <xdet pack options...>])
function(xdet_add_guest_program name)
  cmake_parse_arguments(ARG "" "" "PACK_ARGS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS} ${XDET_GUEST_SDK_SOURCES})
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${name} SUFFIX ".elf"
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_source_files_properties(${XDET_GUEST_SDK_SOURCES} PROPERTIES COMPILE_OPTIONS "-w")
  target_link_libraries(${name} PRIVATE gcc)
  set(xex ${CMAKE_CURRENT_BINARY_DIR}/${name}.xex)
  add_custom_command(OUTPUT ${xex}
                     COMMAND ${XDET_EXECUTABLE} pack $<TARGET_FILE:${name}> ${xex} ${ARG_PACK_ARGS}
                     DEPENDS ${name}
                     COMMENT "Packing ${name}.xex"
                     VERBATIM)
  add_custom_target(${name}_xex ALL DEPENDS ${xex})
endfunction()
