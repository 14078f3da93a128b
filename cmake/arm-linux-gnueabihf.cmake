# SPDX-License-Identifier: MIT
# CMake toolchain for a cross build on Debian for armhf (32-bit, ARMv7 and later):
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/arm-linux-gnueabihf.cmake
# The cross compiler and the armhf libraries come from scripts/install-deps cross (Debian's
# multiarch: they live in /usr/lib/arm-linux-gnueabihf, which CMake searches for this triplet).
# Test programs run under qemu-user: ctest and gtest_discover_tests call them through it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
# pkgconf's wrapper for the triplet reads only the armhf .pc files.
set(PKG_CONFIG_EXECUTABLE /usr/bin/arm-linux-gnueabihf-pkg-config)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-arm-static)
