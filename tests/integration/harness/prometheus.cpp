#include "prometheus.hpp"

#include <stdexcept>

namespace llmd::test {

namespace {

// Reads `name="value",...}` from `at` (just past '{'); leaves `at` past the '}'.
std::map<std::string, std::string> read_labels(const std::string& line, std::size_t& at) {
  std::map<std::string, std::string> labels;
  while (at < line.size() && line[at] != '}') {
    const auto eq = line.find('=', at);
    if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
      throw std::runtime_error("bad labels: " + line);
    }
    const auto name = line.substr(at, eq - at);
    std::string value;
    std::size_t i = eq + 2;
    for (; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        ++i;
        value += line[i] == 'n' ? '\n' : line[i];
      } else {
        value += line[i];
      }
    }
    labels[name] = value;
    at = i + 1;
    if (at < line.size() && line[at] == ',') ++at;
  }
  ++at;
  return labels;
}

}  // namespace

std::vector<sample> parse_metrics(const std::string& text) {
  std::vector<sample> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    sample s;
    std::size_t at = line.find_first_of("{ ");
    if (at == std::string::npos) throw std::runtime_error("bad sample: " + line);
    s.name = line.substr(0, at);
    if (line[at] == '{') {
      ++at;
      s.labels = read_labels(line, at);
    }
    const auto value = line.substr(line.find_first_not_of(' ', at));
    s.value = value == "+Inf" ? 1e308 : value == "NaN" ? 0 : std::stod(value);
    out.push_back(std::move(s));
  }
  return out;
}

double scrape::value(const std::string& name, const std::map<std::string, std::string>& labels) const {
  for (const auto& s : samples_) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return 0;
}

bool scrape::has(const std::string& name, const std::map<std::string, std::string>& labels) const {
  for (const auto& s : samples_) {
    if (s.name == name && s.labels == labels) return true;
  }
  return false;
}

double scrape::sum(const std::string& name, const std::map<std::string, std::string>& subset) const {
  double total = 0;
  for (const auto& s : samples_) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : subset) {
      const auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match) total += s.value;
  }
  return total;
}

}  // namespace llmd::test
