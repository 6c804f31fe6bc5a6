#include "llmd/proxy/request_record.hpp"

#include <algorithm>

namespace llmd::proxy {

namespace {

constexpr std::size_t model_limit = 256;

}  // namespace

std::string_view describe(request_end end) {
  switch (end) {
    case request_end::answered: return "answered";
    case request_end::refused: return "refused";
    case request_end::failed: return "failed";
    case request_end::upstream_broken: return "upstream_broken";
    case request_end::client_gone: return "client_gone";
  }
  return "unknown";
}

void request_record::set_model(std::string_view asked) { model.emplace(asked.substr(0, model_limit)); }

record_clock::duration request_record::overhead() const {
  const auto waited = queue_wait + backoff_wait + upstream_wait + client_wait;
  return std::max(record_clock::duration::zero(), duration() - waited);
}

int request_record::attempts() const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const auto& s) { return s.backend; }));
}

int request_record::fallbacks() const {
  int n = 0;
  for (std::size_t i = 1; i < steps.size(); ++i) n += steps[i].group != steps[i - 1].group && steps[i].backend;
  return n;
}

}  // namespace llmd::proxy
