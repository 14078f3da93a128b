# SPDX-License-Identifier: MIT
# CMake toolchain for a cross build on Debian for arm64 (64-bit Raspberry Pi):
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# The cross compiler and the arm64 libraries come from scripts/install-deps cross (Debian's
# multiarch: they live in /usr/lib/aarch64-linux-gnu, which CMake searches for this triplet).
# Test programs run under qemu-user: ctest and gtest_discover_tests call them through it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# pkgconf's wrapper for the triplet reads only the arm64 .pc files.
set(PKG_CONFIG_EXECUTABLE /usr/bin/aarch64-linux-gnu-pkg-config)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
