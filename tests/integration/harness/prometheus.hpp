// Reading what llm-d's /metrics says, as a Prometheus server would.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace llmd::test {

struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every sample of a text-format 0.0.4 exposition; comments skipped, label values unescaped.
std::vector<sample> parse_metrics(const std::string& text);

class scrape {
 public:
  explicit scrape(const std::string& text) : samples_(parse_metrics(text)) {}
  // The value of the sample with exactly these labels; 0 when there is none (a counter not yet
  // created reads as zero, as PromQL's `or vector(0)` would).
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Whether a sample with exactly these labels exists.
  bool has(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // The sum over every sample of `name` whose labels include `subset`.
  double sum(const std::string& name, const std::map<std::string, std::string>& subset = {}) const;
  const std::vector<sample>& samples() const { return samples_; }

 private:
  std::vector<sample> samples_;
};

}  // namespace llmd::test
