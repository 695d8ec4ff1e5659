# CMake toolchain file: cross-compile the addon for aarch64 Linux with Debian's g++-aarch64-linux-gnu.
# Used by scripts/test-arm64.sh:  npx cmake-js compile -O build-arm64 -a arm64 \
#   --CDCMAKE_TOOLCHAIN_FILE=$PWD/scripts/aarch64-linux-gnu.cmake
# The Node-API headers come from the node-api-headers npm package (cmake-js passes them in
# CMAKE_JS_INC); NAPI_VERSION=8 (CMakeLists.txt) is within what Debian's arm64 Node 18 offers (9).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
