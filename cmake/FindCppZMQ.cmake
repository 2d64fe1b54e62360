# libzmq (pkg-config, Debian libzmq3-dev) and the header-only cppzmq binding.
# Defines ZMQ::zmq.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZMQ REQUIRED IMPORTED_TARGET libzmq)
find_path(CPPZMQ_INCLUDE_DIR NAMES zmq.hpp)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CppZMQ REQUIRED_VARS CPPZMQ_INCLUDE_DIR)
if(CppZMQ_FOUND AND NOT TARGET ZMQ::zmq)
  add_library(ZMQ::zmq INTERFACE IMPORTED)
  set_target_properties(ZMQ::zmq PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${CPPZMQ_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES PkgConfig::LIBZMQ)
endif()
