// What `llm-d --version` prints: the version of CMakeLists.txt's project() and the git commit the
// binary was built from (cmake/build_info.cmake writes their definitions at every build).
#pragma once

namespace llmd::build {

extern const char version[];
extern const char commit[];

}  // namespace llmd::build
