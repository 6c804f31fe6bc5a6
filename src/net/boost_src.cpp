// The single translation unit that compiles Asio and Beast (separate compilation keeps builds fast).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
