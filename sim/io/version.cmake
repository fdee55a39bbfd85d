# Writes OUT from IN (sim/version.hpp.in) with the commit the sources are at. Run at every
# build, not only when CMake configures, so that a binary rebuilt after new commits records
# the commit it was built from; OUT is replaced only when its content changes, so an
# unchanged commit recompiles nothing.
#   cmake -DSOURCE_DIR=... -DIN=... -DOUT=... -DPROJECT_VERSION=... -P sim/version.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE ACCEL_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT ACCEL_GIT_COMMIT)
  set(ACCEL_GIT_COMMIT "unknown")
endif()
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY "${SOURCE_DIR}"
                OUTPUT_VARIABLE ACCEL_GIT_DIRTY OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(ACCEL_GIT_DIRTY)
  set(ACCEL_GIT_COMMIT "${ACCEL_GIT_COMMIT}-dirty")
endif()
configure_file("${IN}" "${OUT}.new" @ONLY)
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
