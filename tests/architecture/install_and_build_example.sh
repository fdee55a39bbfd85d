#!/bin/sh
# Installs accel from BUILD_DIR into a fresh prefix, configures and builds the example of
# examples/gaussian_beam against that install tree alone (find_package(accel)), and runs it.
# Then configures the example with accel as a sub-project (add_subdirectory), which must not
# depend on being the top-level project.
#   install_and_build_example.sh SOURCE_DIR BUILD_DIR WORK_DIR [EXTRA_LINKER_FLAGS]
set -eu
source_dir=$1 build_dir=$2 work=$3 link_flags=${4:-}
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
test -f "$work/prefix/include/accel/optics/propagator.hpp"
test -f "$work/prefix/lib/cmake/accel/accelConfig.cmake"
# Headers private to a layer's sources (*_internal.hpp) are not part of the installed API.
if find "$work/prefix/include" -name '*_internal.hpp' | grep -q .; then
  echo "a private *_internal.hpp header was installed" >&2
  exit 1
fi
# The example must not see the source tree: only the installed headers and libraries.
cmake -S "$source_dir/examples/gaussian_beam" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >"$work/configure.log"
cmake --build "$work/example" -j2 >"$work/build.log"
if grep -q -- "$source_dir/optics" "$work/example/CMakeFiles/gaussian_beam.dir/flags.make"; then
  echo "the example was compiled against the source tree, not the install tree" >&2
  exit 1
fi
"$work/example/gaussian_beam"

cmake -S "$source_dir/examples/gaussian_beam" -B "$work/subproject" -DACCEL_SOURCE_TREE="$source_dir" >"$work/subproject.log"
grep -q 'accel_optics' "$work/subproject/Makefile" "$work/subproject/CMakeFiles/Makefile2"
