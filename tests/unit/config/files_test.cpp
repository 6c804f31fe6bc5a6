// load_file() and the example files shipped in config/.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "test_support.hpp"

namespace llmd::config {
namespace {

using testing::env_from;
using testing::lines;
using testing::messages;

const std::string source_dir = LLMD_SOURCE_DIR;

class temp_file {
 public:
  explicit temp_file(std::string_view text) { std::ofstream(path_, std::ios::binary) << text; }
  ~temp_file() { std::remove(path_.c_str()); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_ = ::testing::TempDir() + "llmd_config_test_" + std::to_string(::getpid()) + ".yaml";
};

TEST(LoadFile, ReadsAndParses) {
  const temp_file file(testing::seed_yaml);
  const auto result = load_file(file.path(), env_from({}));
  ASSERT_TRUE(result.value) << messages(result).front();
  EXPECT_EQ(result.value->models.size(), 2u);
}

TEST(LoadFile, ProblemsKeepTheirLines) {
  const temp_file file("models:\n  - name: a\n    endpoint: http://h\n    weight: 0\n");
  EXPECT_EQ(messages(load_file(file.path(), env_from({}))),
            lines{"models[0].weight: must be a positive integer (line 4)"});
}

TEST(LoadFile, MissingFile) {
  const auto result = load_file("/nonexistent/llm-d.yaml", env_from({}));
  EXPECT_EQ(messages(result), lines{"cannot read /nonexistent/llm-d.yaml: No such file or directory"});
  EXPECT_FALSE(result.value);
}

TEST(LoadFile, Directory) {
  EXPECT_EQ(messages(load_file(source_dir + "/config", env_from({}))),
            lines{"cannot read " + source_dir + "/config: Is a directory"});
}

TEST(ExampleFiles, RunConfigIsTheSeed) {
  const auto result = load_file(source_dir + "/config/llm-d.yaml", env_from({}));
  ASSERT_TRUE(result.value) << messages(result).front();
  const auto& models = result.value->models;
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].name, "primary");
  EXPECT_EQ(models[0].url.host, "localhost");
  EXPECT_EQ(models[0].url.port, "8001");
  EXPECT_EQ(models[0].max_concurrent, 4);
  EXPECT_EQ(models[1].name, "fallback");
  EXPECT_EQ(models[1].url.port, "8002");
  EXPECT_EQ(models[1].max_concurrent, 8);
}

TEST(ExampleFiles, FullExampleIsValidWithoutEnvironment) {
  const auto result = load_file(source_dir + "/config/full-example.yaml", env_from({}));
  EXPECT_EQ(messages(result), lines{});
  ASSERT_TRUE(result.value);
  EXPECT_TRUE(result.value->admin.key);
  EXPECT_TRUE(result.value->admin.listen_port);
  const auto& first = result.value->models.front();
  EXPECT_EQ(first.id, "chat-gpu-a");
  EXPECT_EQ(result.value->models[1].id, "chat@gpu-b.internal:8001");
  EXPECT_TRUE(first.api_key);
  EXPECT_TRUE(first.model);
  EXPECT_FALSE(first.headers.empty());
  EXPECT_TRUE(first.fallbacks);
  EXPECT_FALSE(first.context_window_fallbacks.empty());
  EXPECT_TRUE(first.health_check);
}

}  // namespace
}  // namespace llmd::config
