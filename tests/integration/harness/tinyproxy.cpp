#include "tinyproxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace llmd::test {

namespace {

// tinyproxy cannot listen on port 0 and say which port it got: ask the kernel for a free one.
unsigned short free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port for tinyproxy");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// Runs tinyproxy in the foreground and says "listening on" (what process waits for) once its
// port takes connections; a TERM stops tinyproxy too.
constexpr const char* runner = R"(tinyproxy -d -c "$1" &
child=$!
trap 'kill $child; exit 0' TERM INT
for _ in $(seq 200); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "tinyproxy listening on 127.0.0.1:$2"
    wait $child
    exit 1
  fi
  kill -0 $child 2>/dev/null || exit 1
  sleep 0.05
done
exit 1
)";

}  // namespace

tinyproxy::tinyproxy(const std::string& user, const std::string& password) {
  const auto port = std::to_string(free_port());
  std::string config = "Port " + port + "\nListen 127.0.0.1\nTimeout 60\nLogFile \"" + dir_.path() +
                       "/tinyproxy.log\"\nLogLevel Connect\nMaxClients 64\nAllow 127.0.0.1\nDisableViaHeader Yes\n";
  if (!user.empty()) config += "BasicAuth " + user + " " + password + "\n";
  const auto config_file = dir_.write("tinyproxy.conf", config);
  const auto script = dir_.write("run.sh", runner);
  proc_.emplace("/bin/bash", std::vector<std::string>{script, config_file, port});
}

std::string tinyproxy::log() const {
  std::ifstream in(dir_.path() + "/tinyproxy.log");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace llmd::test
