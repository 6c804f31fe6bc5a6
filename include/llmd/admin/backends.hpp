// GET /admin/backends: the live state of every replica and of the wait queue, as JSON.
#pragma once

#include <string>

#include "llmd/router/backend_pool.hpp"

namespace llmd::admin {

std::string backends_json(const router::backend_pool& pool, router::time_point now);

}  // namespace llmd::admin
