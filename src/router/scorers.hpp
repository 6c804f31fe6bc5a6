// One maker per scorer file; make_scorer (scorer.cpp) picks among them.
#pragma once

#include <memory>

#include "llmd/router/candidate.hpp"
#include "llmd/router/scorer.hpp"

namespace llmd::router {

std::unique_ptr<scorer> make_load_scorer();
std::unique_ptr<scorer> make_slow_scorer();
std::unique_ptr<scorer> make_random_scorer();
std::unique_ptr<scorer> make_prefix_scorer();
std::unique_ptr<scorer> make_queue_scorer();
std::unique_ptr<scorer> make_kv_cache_scorer();

// The requests a replica's engine holds beyond those in flight from here (other daemons', other
// clients'): its queue and running requests as last scraped, less ours at that moment, at least
// 0; 0 without a fresh queue signal, where our own counts stand in. The queue scorer and the
// prefix load guard read this, not the queue itself: `load` and the guard's own count already
// see our requests, and counting them again from a scrape up to three intervals old drew
// conversations away from the replica holding their prefix, whose queue of cheap cached prefills
// looked long (bench/prefix.sh).
double foreign_queue(const candidate& c, time_point now);

}  // namespace llmd::router
