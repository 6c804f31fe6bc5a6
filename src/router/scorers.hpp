// One maker per scorer file; make_scorer (scorer.cpp) picks among them.
#pragma once

#include <memory>

#include "llmd/router/scorer.hpp"

namespace llmd::router {

std::unique_ptr<scorer> make_load_scorer();
std::unique_ptr<scorer> make_slow_scorer();
std::unique_ptr<scorer> make_random_scorer();
std::unique_ptr<scorer> make_prefix_scorer();
std::unique_ptr<scorer> make_queue_scorer();
std::unique_ptr<scorer> make_kv_cache_scorer();

}  // namespace llmd::router
