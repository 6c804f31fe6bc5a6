// The Kubernetes manifests of deploy/kubernetes: every document is well formed, the kustomization
// lists exactly the folder's files, the objects refer to each other by the right names, labels and
// ports, and the config in the ConfigMap passes the built llm-d's --check-config.
//
// Debian bookworm packages no kubeconform or kubeval, so this checks what llm-d's own deployment
// depends on rather than the whole Kubernetes schema.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path manifest_dir = LLMD_MANIFEST_DIR;
const std::string llmd_binary = LLMD_BINARY;

struct document {
  std::string file;
  YAML::Node node;
};

std::vector<std::string> yaml_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(manifest_dir)) {
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) {
      out.push_back(e.path().filename().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Every non-empty document of every file but the kustomization.
std::vector<document> load_manifests() {
  std::vector<document> out;
  for (const auto& file : yaml_files()) {
    if (file == "kustomization.yaml") continue;
    for (const auto& node : YAML::LoadAllFromFile((manifest_dir / file).string())) {
      if (!node.IsNull()) out.push_back({file, node});
    }
  }
  return out;
}

std::string text(const YAML::Node& node) { return node && node.IsScalar() ? node.as<std::string>() : ""; }

std::optional<YAML::Node> find_kind(std::string_view kind) {
  for (const auto& d : load_manifests()) {
    if (text(d.node["kind"]) == kind) return d.node;
  }
  return std::nullopt;
}

const YAML::Node require_kind(std::string_view kind) {
  auto found = find_kind(kind);
  if (!found) throw std::runtime_error("no " + std::string(kind) + " in " + manifest_dir.string());
  return *found;
}

std::map<std::string, std::string> string_map(const YAML::Node& node) {
  std::map<std::string, std::string> out;
  if (!node || !node.IsMap()) return out;
  for (const auto& kv : node) out[kv.first.as<std::string>()] = text(kv.second);
  return out;
}

// Every label of `selector` is on `labels` with the same value.
::testing::AssertionResult selects(const YAML::Node& selector, const YAML::Node& labels) {
  const auto wanted = string_map(selector);
  if (wanted.empty()) return ::testing::AssertionFailure() << "empty selector";
  const auto have = string_map(labels);
  for (const auto& [key, value] : wanted) {
    auto it = have.find(key);
    if (it == have.end() || it->second != value) {
      return ::testing::AssertionFailure() << "selector " << key << "=" << value << " matches no pod label";
    }
  }
  return ::testing::AssertionSuccess();
}

const YAML::Node pod_spec() { return require_kind("Deployment")["spec"]["template"]["spec"]; }
const YAML::Node pod_labels() { return require_kind("Deployment")["spec"]["template"]["metadata"]["labels"]; }

const YAML::Node llmd_container() {
  const auto containers = pod_spec()["containers"];
  if (!containers || !containers.IsSequence() || containers.size() == 0) throw std::runtime_error("no containers");
  return containers[0];
}

// A probe's or Service's port, named or numbered, as the container port number it means.
std::optional<int> container_port(const YAML::Node& port) {
  const auto name = text(port);
  for (const auto& p : llmd_container()["ports"]) {
    const int number = p["containerPort"].as<int>();
    if (name == text(p["name"]) || name == std::to_string(number)) return number;
  }
  return std::nullopt;
}

struct command_result {
  int exit_code = -1;
  std::string output;
};

command_result run_shell(const std::string& command) {
  command_result out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

TEST(Manifests, EveryDocumentHasApiVersionKindAndName) {
  const auto docs = load_manifests();
  ASSERT_FALSE(docs.empty());
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& d : docs) {
    SCOPED_TRACE(d.file);
    ASSERT_TRUE(d.node.IsMap());
    EXPECT_FALSE(text(d.node["apiVersion"]).empty());
    EXPECT_FALSE(text(d.node["kind"]).empty());
    EXPECT_FALSE(text(d.node["metadata"]["name"]).empty());
    EXPECT_TRUE(seen.insert({text(d.node["kind"]), text(d.node["metadata"]["name"])}).second)
        << "two " << text(d.node["kind"]) << " objects named " << text(d.node["metadata"]["name"]);
  }
}

TEST(Manifests, HoldEveryKindOfTheDeployment) {
  for (auto kind : {"Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler"}) {
    EXPECT_TRUE(find_kind(kind)) << "no " << kind;
  }
  EXPECT_EQ(text(require_kind("Deployment")["apiVersion"]), "apps/v1");
  EXPECT_EQ(text(require_kind("PodDisruptionBudget")["apiVersion"]), "policy/v1");
  EXPECT_EQ(text(require_kind("HorizontalPodAutoscaler")["apiVersion"]), "autoscaling/v2");
}

TEST(Kustomization, ListsExactlyTheOtherFilesOfTheFolder) {
  const auto k = YAML::LoadFile((manifest_dir / "kustomization.yaml").string());
  EXPECT_EQ(text(k["apiVersion"]), "kustomize.config.k8s.io/v1beta1");
  EXPECT_EQ(text(k["kind"]), "Kustomization");
  std::vector<std::string> listed;
  for (const auto& r : k["resources"]) listed.push_back(text(r));
  std::sort(listed.begin(), listed.end());
  EXPECT_TRUE(std::adjacent_find(listed.begin(), listed.end()) == listed.end()) << "a resource is listed twice";
  auto files = yaml_files();
  std::erase(files, "kustomization.yaml");
  EXPECT_EQ(listed, files);
}

TEST(Deployment, SelectsItsOwnPods) {
  EXPECT_TRUE(selects(require_kind("Deployment")["spec"]["selector"]["matchLabels"], pod_labels()));
}

TEST(Deployment, ProbesHitReadyAndHealthOnTheContainerPort) {
  const auto c = llmd_container();
  const auto ready = c["readinessProbe"]["httpGet"];
  const auto live = c["livenessProbe"]["httpGet"];
  EXPECT_EQ(text(ready["path"]), "/ready");
  EXPECT_EQ(text(live["path"]), "/health");
  EXPECT_EQ(container_port(ready["port"]), 8080);
  EXPECT_EQ(container_port(live["port"]), 8080);
}

TEST(Deployment, PreStopPausesWithinTheGracePeriod) {
  const auto command = llmd_container()["lifecycle"]["preStop"]["exec"]["command"];
  ASSERT_TRUE(command && command.IsSequence() && command.size() == 2) << "expected [sleep, SECONDS]";
  EXPECT_TRUE(text(command[0]) == "sleep" || text(command[0]).ends_with("/sleep")) << text(command[0]);
  const int pause = command[1].as<int>();
  EXPECT_GT(pause, 0);
  const auto grace = pod_spec()["terminationGracePeriodSeconds"];
  ASSERT_TRUE(grace) << "terminationGracePeriodSeconds is not set";
  // After the pause llm-d drains for up to limits.shutdown_timeout (25 s unless the config says).
  const auto config = YAML::Load(text(require_kind("ConfigMap")["data"]["llm-d.yaml"]));
  const auto limits = config["limits"];
  const std::string shutdown = limits && limits["shutdown_timeout"] ? limits["shutdown_timeout"].as<std::string>() : "25s";
  ASSERT_TRUE(shutdown.ends_with("s") && !shutdown.ends_with("ms")) << "give shutdown_timeout in seconds";
  const double drain = std::stod(shutdown);
  EXPECT_GE(grace.as<int>(), pause + drain);
}

TEST(Deployment, RunsAsNonRootOnAReadOnlyRoot) {
  const auto pod = pod_spec()["securityContext"];
  const auto container = llmd_container()["securityContext"];
  EXPECT_TRUE(pod["runAsNonRoot"].as<bool>(false));
  EXPECT_GT(pod["runAsUser"].as<int>(0), 0);
  EXPECT_TRUE(container["readOnlyRootFilesystem"].as<bool>(false));
  EXPECT_FALSE(container["allowPrivilegeEscalation"].as<bool>(true));
}

TEST(Deployment, HasResourceRequestsAndLimits) {
  const auto resources = llmd_container()["resources"];
  for (auto kind : {"requests", "limits"}) {
    for (auto what : {"cpu", "memory"}) EXPECT_FALSE(text(resources[kind][what]).empty()) << kind << "." << what;
  }
}

// The file llm-d is told to read: --config in the container's command and args, else LLMD_CONFIG.
std::string config_argument() {
  std::vector<std::string> words;
  for (auto key : {"command", "args"}) {
    for (const auto& w : llmd_container()[key]) words.push_back(text(w));
  }
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "--config" || words[i] == "-c") return words[i + 1];
  }
  for (const auto& e : llmd_container()["env"]) {
    if (text(e["name"]) == "LLMD_CONFIG") return text(e["value"]);
  }
  return "";
}

TEST(Deployment, ReadsTheConfigMapAtEtcLlmd) {
  const auto config_map = text(require_kind("ConfigMap")["metadata"]["name"]);
  std::optional<YAML::Node> volume;
  for (const auto& v : pod_spec()["volumes"]) {
    if (text(v["configMap"]["name"]) == config_map) volume.emplace(static_cast<const YAML::Node&>(v));
  }
  ASSERT_TRUE(volume) << "no volume of ConfigMap " << config_map;
  // Without items, each key of the ConfigMap is a file of its own name.
  std::string file = "llm-d.yaml";
  for (const auto& item : (*volume)["configMap"]["items"]) {
    if (text(item["key"]) == "llm-d.yaml") file = text(item["path"]);
  }
  std::optional<std::string> mounted_at;
  for (const auto& m : llmd_container()["volumeMounts"]) {
    if (text(m["name"]) == text((*volume)["name"])) mounted_at = text(m["mountPath"]);
  }
  ASSERT_TRUE(mounted_at) << "the ConfigMap's volume is not mounted";
  EXPECT_EQ(*mounted_at + "/" + file, "/etc/llm-d/llm-d.yaml");
  EXPECT_EQ(config_argument(), "/etc/llm-d/llm-d.yaml");
}

TEST(Service, SelectsThePodsOnTheContainerPort) {
  const auto svc = require_kind("Service");
  EXPECT_TRUE(selects(svc["spec"]["selector"], pod_labels()));
  const auto ports = svc["spec"]["ports"];
  ASSERT_TRUE(ports && ports.size() > 0);
  for (const auto& p : ports) EXPECT_EQ(container_port(p["targetPort"] ? p["targetPort"] : p["port"]), 8080);
}

TEST(PodDisruptionBudget, SelectsThePodsAndLetsADrainProceed) {
  const auto pdb = require_kind("PodDisruptionBudget");
  EXPECT_TRUE(selects(pdb["spec"]["selector"]["matchLabels"], pod_labels()));
  // With minAvailable equal to the fewest pods there are, no pod could ever be evicted.
  const auto min_available = pdb["spec"]["minAvailable"];
  ASSERT_TRUE(min_available);
  EXPECT_LT(min_available.as<int>(), require_kind("HorizontalPodAutoscaler")["spec"]["minReplicas"].as<int>());
}

TEST(HorizontalPodAutoscaler, ScalesTheDeploymentOnCpu) {
  const auto spec = require_kind("HorizontalPodAutoscaler")["spec"];
  EXPECT_EQ(text(spec["scaleTargetRef"]["kind"]), "Deployment");
  EXPECT_EQ(text(spec["scaleTargetRef"]["name"]), text(require_kind("Deployment")["metadata"]["name"]));
  EXPECT_LE(spec["minReplicas"].as<int>(), spec["maxReplicas"].as<int>());
  bool cpu = false;
  for (const auto& m : spec["metrics"]) cpu = cpu || text(m["resource"]["name"]) == "cpu";
  EXPECT_TRUE(cpu);
  // A fixed replica count in the Deployment would fight the autoscaler at every apply.
  EXPECT_FALSE(require_kind("Deployment")["spec"]["replicas"]);
}

TEST(ConfigMap, EmbeddedConfigPassesCheckConfig) {
  const auto config = text(require_kind("ConfigMap")["data"]["llm-d.yaml"]);
  ASSERT_FALSE(config.empty()) << "the ConfigMap has no llm-d.yaml";
  const auto path = ::testing::TempDir() + "llmd_deploy_test_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path, std::ios::binary) << config;
  const auto r = run_shell(quoted(llmd_binary) + " --check-config " + quoted(path));
  std::remove(path.c_str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(ConfigMap, ServesTheAdminRoutesOnAContainerPortTheServiceLeavesOut) {
  const auto config = YAML::Load(text(require_kind("ConfigMap")["data"]["llm-d.yaml"]));
  ASSERT_TRUE(config["admin"] && config["admin"]["listen"]) << "no admin.listen";
  const auto listen = text(config["admin"]["listen"]);
  const auto port = listen.substr(listen.rfind(':') + 1);
  EXPECT_EQ(container_port(YAML::Node(port)), std::stoi(port)) << "admin.listen " << listen << " is no container port";
  for (const auto& p : require_kind("Service")["spec"]["ports"]) {
    EXPECT_NE(container_port(p["targetPort"] ? p["targetPort"] : p["port"]), std::stoi(port));
  }
}

TEST(ConfigMap, ListensOnTheContainerPort) {
  const auto config = YAML::Load(text(require_kind("ConfigMap")["data"]["llm-d.yaml"]));
  const auto listen = config["listen"] ? text(config["listen"]) : "0.0.0.0:8080";
  EXPECT_TRUE(listen.ends_with(":8080")) << listen;
  EXPECT_FALSE(listen.starts_with("127.") || listen.starts_with("localhost")) << "unreachable from the Service";
}

}  // namespace
