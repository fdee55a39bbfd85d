# `cmake --install`: the headers under include/accel/, one static library per layer, the
# `accel` command, and a CMake package: find_package(accel) gives the imported targets
# accel::core, accel::optics, accel::analog, accel::datasets, accel::models and accel::sim
# (examples/ builds against it). The package finds the libraries ours link, as we do.
include(CMakePackageConfigHelpers)

foreach(layer IN LISTS ACCEL_LAYERS)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/accel/${layer}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "mnist" EXCLUDE
          PATTERN "*_internal.hpp" EXCLUDE)  # private to the layer's sources
  list(APPEND accel_layer_targets accel_${layer})
endforeach()
install(TARGETS ${accel_layer_targets} EXPORT accelTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS accel-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(accel_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/accel)
install(EXPORT accelTargets NAMESPACE accel:: DESTINATION ${accel_cmake_dir})

set(accel_find_mpi "")
if(ACCEL_MPI)
  set(accel_find_mpi "find_dependency(MPI COMPONENTS C)")
endif()
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/accelConfig.cmake.in @ONLY CONTENT [[
# The accel package: imported targets accel::core, accel::optics, accel::analog,
# accel::datasets, accel::models and accel::sim (static libraries; C++20).
@PACKAGE_INIT@
include(CMakeFindDependencyMacro)
# HDF5 and MPI are found through their C interfaces, which need the C language enabled.
get_property(accel_languages GLOBAL PROPERTY ENABLED_LANGUAGES)
if(NOT "C" IN_LIST accel_languages)
  enable_language(C)
endif()
find_dependency(Eigen3 3.3 NO_MODULE)
find_dependency(OpenMP COMPONENTS CXX)
find_dependency(HDF5 COMPONENTS C)
find_dependency(ZLIB)
find_dependency(CLI11 CONFIG)
find_dependency(toml11 CONFIG)
find_dependency(PkgConfig)
pkg_check_modules(FFTW3F REQUIRED QUIET IMPORTED_TARGET fftw3f)
pkg_check_modules(FFTW3 REQUIRED QUIET IMPORTED_TARGET fftw3)
@accel_find_mpi@
include("${CMAKE_CURRENT_LIST_DIR}/accelTargets.cmake")
check_required_components(accel)
]])
configure_package_config_file(${PROJECT_BINARY_DIR}/accelConfig.cmake.in ${PROJECT_BINARY_DIR}/accelConfig.cmake
                              INSTALL_DESTINATION ${accel_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/accelConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/accelConfig.cmake ${PROJECT_BINARY_DIR}/accelConfigVersion.cmake
        DESTINATION ${accel_cmake_dir})
