# Man pages for holobrokerd, holobroker and thing-sim, generated at build
# time from each program's --help with Debian's help2man (so they never
# drift from the real options), installed to share/man/man1 by
# `cmake --install` and in the .deb. Without help2man the build warns and
# skips them.
find_program(HELP2MAN_PROGRAM help2man)
if(NOT HELP2MAN_PROGRAM)
  message(WARNING "help2man not found: no man pages (scripts/install-deps.sh installs it)")
  return()
endif()

set(_hb_man_dir ${CMAKE_CURRENT_BINARY_DIR}/man)
file(MAKE_DIRECTORY ${_hb_man_dir})
set(_hb_pages)
foreach(entry
    "holobrokerd|broker daemon between programs and a fleet of hololinked Things"
    "holobroker|command-line client for hololinked Things and the holobroker daemon"
    "thing-sim|simulated hololinked 0.4 Thing servers over ZeroMQ")
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 prog)
  list(GET parts 1 summary)
  set(page ${_hb_man_dir}/${prog}.1)
  set(include ${CMAKE_CURRENT_SOURCE_DIR}/docs/man/${prog}.h2m)
  set(include_args)
  if(EXISTS ${include})
    set(include_args --include=${include})
  endif()
  add_custom_command(OUTPUT ${page}
    COMMAND ${HELP2MAN_PROGRAM} --no-info --no-discard-stderr
            --version-string=${PROJECT_VERSION} --name=${summary} --section=1
            ${include_args} --output=${page} $<TARGET_FILE:${prog}>
    DEPENDS ${prog} ${include}
    COMMENT "help2man ${prog}.1"
    VERBATIM)
  list(APPEND _hb_pages ${page})
endforeach()
add_custom_target(man ALL DEPENDS ${_hb_pages})
install(FILES ${_hb_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
