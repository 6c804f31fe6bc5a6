#include "llmd/metrics/family.hpp"

#include "family_impl.hpp"

namespace llmd::metrics {

namespace detail {

std::size_t hash_label_values(std::span<const std::string_view> values) noexcept {
  std::size_t h = 0xcbf29ce484222325u;
  for (const auto v : values) h ^= std::hash<std::string_view>{}(v) + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
  return h;
}

bool same_label_values(const std::vector<std::string>& stored, std::span<const std::string_view> values) noexcept {
  if (stored.size() != values.size()) return false;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (stored[i] != values[i]) return false;
  }
  return true;
}

}  // namespace detail

counter_family::counter_family(std::unique_ptr<detail::family_impl<counter>> impl) : impl_(std::move(impl)) {}
counter_family::~counter_family() = default;

counter& counter_family::with(std::initializer_list<std::string_view> values) {
  return impl_->with(std::span(values.begin(), values.size()));
}
counter& counter_family::with(std::span<const std::string_view> values) { return impl_->with(values); }

histogram_family::histogram_family(std::unique_ptr<detail::family_impl<histogram>> impl) : impl_(std::move(impl)) {}
histogram_family::~histogram_family() = default;

histogram& histogram_family::with(std::initializer_list<std::string_view> values) {
  return impl_->with(std::span(values.begin(), values.size()));
}
histogram& histogram_family::with(std::span<const std::string_view> values) { return impl_->with(values); }

}  // namespace llmd::metrics
