#include "llmd/http/parse_error.hpp"

#include <boost/beast/http/error.hpp>

namespace llmd::http {

bool is_malformed(const boost::system::error_code& ec) {
  namespace bhttp = boost::beast::http;
  return ec.category() == make_error_code(bhttp::error::end_of_stream).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace llmd::http
