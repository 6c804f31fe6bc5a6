# Run at every build (cmake -P): writes OUT, the version and the git commit llm-d was built from,
# touching it only when they changed, so that an unchanged tree relinks nothing.
#   -DSOURCE_DIR=... -DOUT=... -DVERSION=... [-DCOMMIT=...]
# COMMIT, when given, wins (a build from a tree without .git, as the container image's); otherwise
# it is `git rev-parse --short=12 HEAD`, with "-dirty" when tracked files differ from it, or
# "unknown" without git.
if(NOT COMMIT)
  execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE failed ERROR_QUIET)
  if(failed)
    set(COMMIT unknown)
  else()
    execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(changes)
      string(APPEND COMMIT -dirty)
    endif()
  endif()
endif()
set(text "// Written by cmake/build_info.cmake.\n#include \"llmd/build_info.hpp\"\n\n"
         "namespace llmd::build {\nconst char version[] = \"${VERSION}\";\nconst char commit[] = \"${COMMIT}\";\n}\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" before)
endif()
if(NOT before STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
