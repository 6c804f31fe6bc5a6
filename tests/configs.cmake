# Every shipped config/*.yaml, and the Debian package's /etc/llm-d/llm-d.yaml, passes
# `llm-d --check-config`: one ctest per file, named config.<file> (config.debian.<file>), so a key renamed in the parser cannot leave a stale example behind. A file added
# to config/ gets its test at the next build (CONFIGURE_DEPENDS re-runs the glob).
#
# A file may use ${VAR} (an api_key, a host, a port...). The checker reports a variable that is
# not set, so each variable the file names is set to 1 for its test: a value that is valid as a
# string, a host name, a port, a count and a duration alike.
file(GLOB llmd_config_files CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/config/*.yaml")
list(APPEND llmd_config_files "${PROJECT_SOURCE_DIR}/deploy/debian/llm-d.yaml")
foreach(config_file IN LISTS llmd_config_files)
  get_filename_component(config_name "${config_file}" NAME)
  if(config_file MATCHES "/deploy/debian/")
    set(config_name "debian.${config_name}")
  endif()
  file(READ "${config_file}" config_text)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${config_file}")  # re-read on edit
  string(REGEX MATCHALL "\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}" config_vars "${config_text}")
  list(REMOVE_DUPLICATES config_vars)
  set(config_env "")
  foreach(var IN LISTS config_vars)
    string(REGEX REPLACE "^\\$\\{(.*)\\}$" "\\1=1" assignment "${var}")
    list(APPEND config_env "${assignment}")
  endforeach()
  add_test(NAME "config.${config_name}" COMMAND $<TARGET_FILE:llm-d> --check-config "${config_file}")
  set_tests_properties("config.${config_name}" PROPERTIES TIMEOUT 30 ENVIRONMENT "${config_env}")
endforeach()
