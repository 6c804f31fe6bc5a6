// Telling a malformed HTTP message from a connection that ended or broke.
#pragma once

#include <boost/system/error_code.hpp>

namespace llmd::http {

// Beast's parser refused the bytes: not an end of stream (clean or mid-message), a reset or a
// timeout.
bool is_malformed(const boost::system::error_code& ec);

}  // namespace llmd::http
