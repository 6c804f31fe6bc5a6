#include "llmd/http/field_list.hpp"

#include <boost/beast/core/string.hpp>

namespace llmd::http {

void field_list::add(boost::beast::http::field id, std::string_view name, std::string_view value) {
  const auto at = static_cast<std::uint32_t>(text_.size());
  text_.append(name);
  text_.append(value);
  index_.push_back({id, at, static_cast<std::uint32_t>(name.size()), static_cast<std::uint32_t>(at + name.size()),
                    static_cast<std::uint32_t>(value.size())});
}

field_list::field field_list::operator[](std::size_t i) const noexcept {
  const auto& e = index_[i];
  const std::string_view text = text_;
  return {e.id, text.substr(e.name_at, e.name_size), text.substr(e.value_at, e.value_size)};
}

std::optional<std::string_view> field_list::find(boost::beast::http::field id) const noexcept {
  for (std::size_t i = 0; i < index_.size(); ++i) {
    if (index_[i].id == id) return (*this)[i].value;
  }
  return std::nullopt;
}

std::optional<std::string_view> field_list::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < index_.size(); ++i) {
    const auto f = (*this)[i];
    if (boost::beast::iequals(f.name, name)) return f.value;
  }
  return std::nullopt;
}

}  // namespace llmd::http
