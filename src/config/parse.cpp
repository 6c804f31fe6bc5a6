// The schema: which keys exist where and what each must hold. Every problem is kept, so one run
// of `llm-d --check-config` shows them all.
#include "llmd/config/parse.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <system_error>

#include "detail.hpp"
#include "reader.hpp"

namespace llmd::config {

namespace {

using detail::child_path;
using detail::field;
using detail::item_path;
using detail::members;
using detail::reader;

constexpr std::array<std::string_view, 6> top_level_keys = {"listen",        "workers",  "models",
                                                            "default_model", "defaults", "limits"};
constexpr std::array<std::string_view, 4> timeout_keys = {"connect_timeout", "first_byte_timeout", "idle_timeout",
                                                          "request_timeout"};
constexpr std::array<std::string_view, 12> entry_keys = {
    "name",      "endpoint",        "max_concurrent",     "model",        "headers",        "api_key", "weight",
    "fallbacks", "connect_timeout", "first_byte_timeout", "idle_timeout", "request_timeout"};
constexpr std::array<std::string_view, 3> limit_keys = {"max_body_size", "client_idle_timeout",
                                                        "client_header_timeout"};
// llm-d frames every upstream request itself.
constexpr std::array<std::string_view, 4> unsettable_headers = {"Host", "Content-Length", "Transfer-Encoding",
                                                                "Connection"};

// A group named in `fallbacks`, checked once every group is known.
struct reference {
  std::string group;
  std::string owner;
  field at;
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<field> items(const field& sequence) {
  std::vector<field> out;
  for (const auto& node : sequence.node) {
    out.push_back(field{.node = node, .path = item_path(sequence.path, out.size()), .line = detail::line_of(node)});
  }
  return out;
}

void read_timeouts(reader& r, const members& m, timeouts& out) {
  if (auto d = r.positive_duration(m.get("connect_timeout"))) out.connect = *d;
  if (auto d = r.positive_duration(m.get("first_byte_timeout"))) out.first_byte = *d;
  if (auto d = r.positive_duration(m.get("idle_timeout"))) out.idle = *d;
  if (auto d = r.positive_duration(m.get("request_timeout"))) out.request = *d;
}

void read_defaults(reader& r, const field* at, timeouts& out) {
  if (!at) return;
  if (auto m = r.map(*at, timeout_keys)) read_timeouts(r, *m, out);
}

void read_limits(reader& r, const field* at, limits& out) {
  if (!at) return;
  const auto m = r.map(*at, limit_keys);
  if (!m) return;
  if (auto size = r.positive_size(m->get("max_body_size"))) out.max_body_bytes = *size;
  if (auto d = r.positive_duration(m->get("client_idle_timeout"))) out.client_idle_timeout = *d;
  if (auto d = r.positive_duration(m->get("client_header_timeout"))) out.client_header_timeout = *d;
}

void read_listen(reader& r, const field* at, config& out) {
  const auto text = r.text(at);
  if (!text) return;
  auto parsed = detail::parse_listen(*text);
  if (!parsed.value) return r.report(*at, std::move(parsed.error));
  out.listen_host = std::move(parsed.value->host);
  out.listen_port = std::move(parsed.value->port);
}

bool is_unsettable(std::string_view name) {
  return std::any_of(unsettable_headers.begin(), unsettable_headers.end(),
                     [&](std::string_view h) { return detail::iequals(h, name); });
}

bool has_header(const std::vector<header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const header& h) { return detail::iequals(h.name, name); });
}

std::optional<header> read_header(reader& r, const std::string& name, const field& value,
                                  const std::vector<header>& earlier, bool has_api_key) {
  const auto text = r.text(&value);
  if (!detail::is_header_name(name)) {
    r.report(value, "is not a valid header name");
  } else if (is_unsettable(name)) {
    r.report(value, "cannot be set: llm-d manages this header");
  } else if (has_api_key && detail::iequals(name, "Authorization")) {
    r.report(value, "cannot be set together with api_key");
  } else if (has_header(earlier, name)) {
    r.report(value, "duplicate header (names are case-insensitive)");
  } else if (text && detail::has_control_chars(*text)) {
    r.report(value, "must not contain CR, LF or other control characters");
  } else if (text) {
    return header{.name = name, .value = *text};
  }
  return std::nullopt;
}

std::vector<header> read_headers(reader& r, const field* at, bool has_api_key) {
  std::vector<header> out;
  if (!at) return out;
  const auto m = r.map(*at);
  if (!m) return out;
  for (const auto& [name, value] : *m) {
    if (auto h = read_header(r, name, value, out, has_api_key)) out.push_back(std::move(*h));
  }
  return out;
}

std::optional<std::string> read_api_key(reader& r, const field* at) {
  auto key = r.non_empty_text(at);
  if (key && detail::has_control_chars(*key)) {
    r.report(*at, "must not contain CR, LF or other control characters");
    return std::nullopt;
  }
  return key;
}

std::optional<std::vector<std::string>> read_fallbacks(reader& r, const field* at, const std::string& owner,
                                                       std::vector<reference>& references) {
  if (!at) return std::nullopt;
  if (!at->node.IsSequence()) {
    r.report(*at, "must be a sequence");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : items(*at)) {
    if (auto group = r.non_empty_text(&item)) {
      references.push_back(reference{.group = *group, .owner = owner, .at = item});
      out.push_back(std::move(*group));
    }
  }
  return out;
}

std::optional<std::string> required_text(reader& r, const members& m, const field& entry, std::string_view key) {
  const field* at = m.get(key);
  if (!at) {
    r.report(child_path(entry.path, key), entry.line, "is required");
    return std::nullopt;
  }
  return r.non_empty_text(at);
}

void read_endpoint(reader& r, const members& m, const field& entry, model_entry& out) {
  auto endpoint = required_text(r, m, entry, "endpoint");
  if (!endpoint) return;
  auto url = parse_endpoint(*endpoint);
  if (!url.value) return r.report(*m.get("endpoint"), std::move(url.error));
  out.endpoint = std::move(*endpoint);
  out.url = std::move(*url.value);
}

std::optional<model_entry> read_entry(reader& r, const field& at, const timeouts& defaults,
                                      std::vector<reference>& references) {
  const auto m = r.map(at, entry_keys);
  if (!m) return std::nullopt;
  model_entry out;
  out.line = at.line;
  out.timeout = defaults;
  if (auto name = required_text(r, *m, at, "name")) out.name = std::move(*name);
  read_endpoint(r, *m, at, out);
  if (auto n = r.positive_int(m->get("max_concurrent"))) out.max_concurrent = *n;
  out.model = r.non_empty_text(m->get("model"));
  out.api_key = read_api_key(r, m->get("api_key"));
  out.headers = read_headers(r, m->get("headers"), m->get("api_key") != nullptr);
  if (auto n = r.positive_int(m->get("weight"))) out.weight = *n;
  out.fallbacks = read_fallbacks(r, m->get("fallbacks"), out.name, references);
  read_timeouts(r, *m, out.timeout);
  return out;
}

// False when `models` is missing or unusable, so that names cannot be checked against groups.
bool read_models(reader& r, const field* at, config& out, std::vector<reference>& references) {
  if (!at) {
    r.report("models", 0, "is required");
    return false;
  }
  if (at->node.IsNull() || (at->node.IsSequence() && at->node.size() == 0)) {
    r.report(*at, "must list at least one model");
    return false;
  }
  if (!at->node.IsSequence()) {
    r.report(*at, "must be a sequence");
    return false;
  }
  for (const auto& item : items(*at)) {
    if (auto entry = read_entry(r, item, out.defaults, references)) out.models.push_back(std::move(*entry));
  }
  return true;
}

std::vector<std::string> group_names(const std::vector<model_entry>& models) {
  std::vector<std::string> names;
  for (const auto& m : models) {
    if (!m.name.empty() && !contains(names, m.name)) names.push_back(m.name);
  }
  return names;
}

void check_references(reader& r, const std::vector<reference>& references, const std::vector<std::string>& groups) {
  for (const auto& ref : references) {
    if (ref.group == ref.owner) {
      r.report(ref.at, "a group may not list itself as a fallback");
    } else if (!contains(groups, ref.group)) {
      r.report(ref.at, "no model group is named \"" + ref.group + "\"");
    }
  }
}

void read_default_model(reader& r, const field* at, const std::vector<std::string>* groups, config& out) {
  if (!at) {
    if (!out.models.empty()) out.default_model = out.models.front().name;
    return;
  }
  if (at->node.IsNull()) return;
  auto name = r.text(at);
  if (!name) return;
  if (groups && !contains(*groups, *name)) r.report(*at, "no model group is named \"" + *name + "\"");
  out.default_model = std::move(*name);
}

void read_settings(reader& r, const members& m, config& out) {
  read_listen(r, m.get("listen"), out);
  if (auto n = r.non_negative_int(m.get("workers"))) out.workers = *n;
  read_defaults(r, m.get("defaults"), out.defaults);
  read_limits(r, m.get("limits"), out.limit);
  std::vector<reference> references;
  const bool have_models = read_models(r, m.get("models"), out, references);
  const auto groups = group_names(out.models);
  if (have_models) check_references(r, references, groups);
  read_default_model(r, m.get("default_model"), have_models ? &groups : nullptr, out);
}

// In file order; problems without a line last.
void sort_by_line(std::vector<problem>& problems) {
  std::stable_sort(problems.begin(), problems.end(), [](const problem& a, const problem& b) {
    if (a.line == 0 || b.line == 0) return a.line != 0 && b.line == 0;
    return a.line < b.line;
  });
}

parse_result single_problem(std::string message, int line) {
  problem only{.path = "", .message = std::move(message), .line = line};
  return parse_result{.value = std::nullopt, .problems = {std::move(only)}};
}

parse_result read_document(const YAML::Node& root, const env_lookup& env) {
  reader r(env);
  config out;
  const field top{.node = root, .path = "", .line = detail::line_of(root)};
  if (root.IsNull()) {
    read_settings(r, members{}, out);
  } else if (!root.IsMap()) {
    r.report(top, "the top level must be a map");
  } else if (auto m = r.map(top, top_level_keys)) {
    read_settings(r, *m, out);
  }
  parse_result result{.value = std::nullopt, .problems = r.take_problems()};
  sort_by_line(result.problems);
  if (result.problems.empty()) result.value = std::move(out);
  return result;
}

}  // namespace

std::string problem::to_string() const {
  std::string out = path.empty() ? message : path + ": " + message;
  if (line > 0) out += " (line " + std::to_string(line) + ")";
  return out;
}

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

parse_result parse(std::string_view yaml_text, const env_lookup& env) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return single_problem("invalid YAML: " + e.msg, e.mark.is_null() ? 0 : e.mark.line + 1);
  }
  if (documents.size() > 1) {
    return single_problem("the file must hold a single YAML document", detail::line_of(documents[1]));
  }
  return read_document(documents.empty() ? YAML::Node{} : documents.front(), env);
}

parse_result load_file(const std::string& path, const env_lookup& env) {
  const auto cannot_read = [&](int error) {
    return single_problem("cannot read " + path + ": " + std::generic_category().message(error), 0);
  };
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return cannot_read(errno);
  std::string text;
  std::array<char, 64 * 1024> buffer;
  while (const auto n = std::fread(buffer.data(), 1, buffer.size(), file.get())) text.append(buffer.data(), n);
  if (std::ferror(file.get())) return cannot_read(errno);
  return parse(text, env);
}

}  // namespace llmd::config
