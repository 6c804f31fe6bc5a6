// The single translation unit that compiles Asio (with its SSL layer) and Beast (separate
// compilation keeps builds fast).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
