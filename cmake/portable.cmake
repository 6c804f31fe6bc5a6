# LLMD_PORTABLE: binaries that run on any x86-64 Linux with the glibc they were built with (2.36 on
# bookworm) or later, whatever else is installed. OpenSSL (OPENSSL_USE_STATIC_LIBS, set before
# find_package), yaml-cpp, libstdc++ and libgcc come from their static archives; Debian ships no
# static spdlog or fmt, so both are used header-only. glibc stays shared: a static glibc cannot
# resolve names through NSS.
find_library(LLMD_YAML_CPP_ARCHIVE NAMES libyaml-cpp.a REQUIRED)
target_link_libraries(llmd_yaml INTERFACE ${LLMD_YAML_CPP_ARCHIVE})
target_compile_definitions(llmd_logging INTERFACE SPDLOG_FMT_EXTERNAL)
target_link_libraries(llmd_logging INTERFACE fmt::fmt-header-only Threads::Threads)
add_link_options(-static-libstdc++ -static-libgcc)
