# Compiler and linker flags of every xdet guest program, in the tree
# (guest/CMakeLists.txt) and out of it (the installed toolchain file).
# Inputs: XDET_GUEST_SDK (the SDK folder: include/, libc/include/, xex.ld)
# and XDET_GUEST_GCC_INCLUDE (powerpc-linux-gnu-gcc -print-file-name=include).
# Why each flag: guest/README.md, "Compiler choice".
set(XDET_GUEST_COMPILE_FLAGS
  -m32 -mcpu=powerpc -mbig-endian -mhard-float -mno-altivec
  -msdata=none -G0 -fno-pic -fno-PIE
  -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables -fno-exceptions
  -ffixed-r2 -ffixed-r13
  -ffunction-sections -fdata-sections
  -nostdinc -isystem ${XDET_GUEST_GCC_INCLUDE}
  -I${XDET_GUEST_SDK}/include -I${XDET_GUEST_SDK}/libc/include)
set(XDET_GUEST_LINK_FLAGS
  -no-pie -nostdlib -static -Wl,--gc-sections -Wl,-T,${XDET_GUEST_SDK}/xex.ld -Wl,--build-id=none)
# The SDK's own objects every program links: entry point, import thunks, libc.
set(XDET_GUEST_SDK_SOURCES
  ${XDET_GUEST_SDK}/src/crt0.S
  ${XDET_GUEST_SDK}/src/imports.S
  ${XDET_GUEST_SDK}/src/string.c
  ${XDET_GUEST_SDK}/src/printf.c)
# Structured exception handling (xdet/seh.h): linked by programs that use it,
# compiled with every prolog at its function's entry (no shrink-wrapping, also
# not of the LR save alone), because `xdet pack` derives each gcc function's
# table entry from its first instructions and the kernel's unwinder reads
# that prolog back.
set(XDET_GUEST_SEH_FLAGS -fno-shrink-wrap -fno-shrink-wrap-separate)
set(XDET_GUEST_SEH_SOURCES
  ${XDET_GUEST_SDK}/src/seh.S
  ${XDET_GUEST_SDK}/src/seh_handler.c)
