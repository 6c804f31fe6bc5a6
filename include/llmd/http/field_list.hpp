// Header fields as a parser reports them, copied into one string with an index of offsets:
// no allocation per field (Beast's fields allocate a node each), and none at all once a list
// reused across messages has grown to their size.
#pragma once

#include <boost/beast/http/field.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmd::http {

class field_list {
 public:
  struct field {
    boost::beast::http::field id;  // field::unknown for names Beast does not know
    std::string_view name;
    std::string_view value;
  };

  void clear() noexcept {
    text_.clear();
    index_.clear();
  }
  void add(boost::beast::http::field id, std::string_view name, std::string_view value);

  std::size_t size() const noexcept { return index_.size(); }
  field operator[](std::size_t i) const noexcept;
  // The value of the first field with this id.
  std::optional<std::string_view> find(boost::beast::http::field id) const noexcept;
  // The value of the first field with this name (any case), for names Beast does not know.
  std::optional<std::string_view> find(std::string_view name) const noexcept;

 private:
  struct entry {
    boost::beast::http::field id;
    std::uint32_t name_at;
    std::uint32_t name_size;
    std::uint32_t value_at;
    std::uint32_t value_size;
  };
  std::string text_;
  std::vector<entry> index_;
};

}  // namespace llmd::http
