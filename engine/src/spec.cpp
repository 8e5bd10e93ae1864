// Parses and validates sweep specs. Every rule broken is reported with the JSON pointer of the
// value that broke it; nothing here throws out of parse_spec, whatever the input.
#include "attnsweep/engine/spec.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "attnsweep/engine/format.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/providers.h"
#include "attnsweep/kernels/kernel.h"

namespace attnsweep {

namespace {

using nlohmann::json;

// Limits (docs/spec.md explains each one; the shape's are in spec.h).
constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kMaxCells = 1'000'000;

std::string escape_pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string child(const std::string& path, std::string_view key) {
  return path + "/" + escape_pointer_token(key);
}
std::string child(const std::string& path, std::size_t index) { return path + "/" + std::to_string(index); }

// JSON text quoted back at the user may hold anything.
std::string printable(std::string_view s) { return printable_text(s, 60); }

// What a wrong value was, for "(got ...)".
std::string describe(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return j.get<bool>() ? "true" : "false";
    case json::value_t::string: return "the string \"" + printable(j.get_ref<const std::string&>()) + "\"";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return printable(j.dump());
    default: return "an unsupported value";
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool mul_overflows(std::int64_t a, std::int64_t b, std::int64_t& out) { return __builtin_mul_overflow(a, b, &out); }

class SpecReader {
 public:
  std::vector<SpecError> errors;

  void fail(std::string path, std::string rule) { errors.push_back({std::move(path), std::move(rule)}); }

  void read(const json& root, SweepSpec& spec) {
    if (!root.is_object()) {
      fail("/", "a spec must be a JSON object (got " + describe(root) + ")");
      return;
    }
    check_keys(root, "", {"version", "name", "kernels", "dtypes", "causal", "tiers", "grid", "timing", "check", "seed"});
    read_version(root, spec);
    read_name(root, spec);
    read_kernels(root, spec);
    read_dtypes(root, spec);
    read_causal(root, spec);
    element_bytes_ = 0;
    for (DType t : spec.dtypes) element_bytes_ = std::max<std::int64_t>(element_bytes_, dtype_bytes(t));
    if (element_bytes_ == 0) element_bytes_ = 4;  // dtypes invalid: check sizes at the widest
    const bool tiers_ok = read_tiers_and_grid(root, spec);
    read_timing(root, spec.timing);
    read_check(root, spec.check);
    read_seed(root, spec);
    if (tiers_ok) check_cell_count(spec);
  }

 private:
  std::int64_t element_bytes_ = 4;

  // `retired`: keys an earlier format had, each with what replaced it.
  void check_keys(const json& obj, const std::string& path, std::initializer_list<std::string_view> known,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> retired = {}) {
    std::vector<std::string> names(known.begin(), known.end());
    for (const auto& [key, value] : obj.items()) {
      if (std::find(names.begin(), names.end(), key) != names.end()) continue;
      const auto old = std::find_if(retired.begin(), retired.end(), [&](const auto& r) { return r.first == key; });
      if (old != retired.end()) fail(child(path, key), std::string(old->second));
      else fail(child(path, key), "unknown key; known keys: " + join(names));
    }
  }

  // A JSON number that is mathematically an integer (512, 512.0, 1e3) within [min, max].
  // `what` names the rule for the lower bound and for non-integers ("a positive integer").
  std::optional<std::int64_t> read_int(const json& j, const std::string& path, std::int64_t min, std::int64_t max,
                                       const std::string& what) {
    const std::string must = "must be " + what;
    if (!j.is_number()) {
      fail(path, must + " (got " + describe(j) + ")");
      return std::nullopt;
    }
    bool too_large = false;
    std::int64_t v = 0;
    if (j.is_number_unsigned()) {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(kMaxInt64)) too_large = true;
      else v = static_cast<std::int64_t>(u);
    } else if (j.is_number_integer()) {
      v = j.get<std::int64_t>();
    } else {
      const double d = j.get<double>();
      if (!std::isfinite(d) || d != std::floor(d)) {
        fail(path, must + " (got " + describe(j) + ")");
        return std::nullopt;
      }
      if (d >= 9223372036854775807.0) too_large = true;
      else if (d < -9223372036854775807.0) v = std::numeric_limits<std::int64_t>::min();
      else v = static_cast<std::int64_t>(d);
    }
    if (too_large || v > max) {
      fail(path, "must be at most " + std::to_string(max) + " (got " + describe(j) + ")");
      return std::nullopt;
    }
    if (v < min) {
      fail(path, must + " (got " + describe(j) + ")");
      return std::nullopt;
    }
    return v;
  }

  std::optional<double> read_number(const json& j, const std::string& path) {
    if (!j.is_number()) {
      fail(path, "must be a number (got " + describe(j) + ")");
      return std::nullopt;
    }
    const double d = j.get<double>();
    if (!std::isfinite(d)) {
      fail(path, "must be a finite number (got " + describe(j) + ")");
      return std::nullopt;
    }
    return d;
  }

  // The non-empty list at obj[key], or null after reporting why not.
  const json* read_list(const json& obj, std::string_view key, const std::string& what, bool required) {
    const std::string path = child("", key);
    const auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) fail(path, "required key missing: give a list of " + what);
      return nullptr;
    }
    if (!it->is_array()) {
      fail(path, "must be a list of " + what + " (got " + describe(*it) + ")");
      return nullptr;
    }
    if (it->empty()) {
      fail(path, "must not be an empty list; give at least one of " + what);
      return nullptr;
    }
    return &*it;
  }

  void read_version(const json& root, SweepSpec& spec) {
    const auto it = root.find("version");
    if (it == root.end()) return;
    const auto v = read_int(*it, "/version", 1, kMaxInt64, "a positive integer");
    if (v && *v != kSpecVersion)
      fail("/version", "unsupported version " + std::to_string(*v) + "; this build reads version " +
                           std::to_string(kSpecVersion));
    spec.version = kSpecVersion;
  }

  void read_name(const json& root, SweepSpec& spec) {
    const auto it = root.find("name");
    if (it == root.end()) {
      fail("/name", "required key missing: give the sweep a name");
    } else if (!it->is_string()) {
      fail("/name", "must be a string (got " + describe(*it) + ")");
    } else if (it->get_ref<const std::string&>().empty()) {
      fail("/name", "must not be empty");
    } else {
      spec.name = it->get<std::string>();
    }
  }

  void read_kernels(const json& root, SweepSpec& spec) {
    const json* list = read_list(root, "kernels", "kernel names", true);
    if (!list) return;
    std::vector<std::string> known;
    for (const Kernel* k : all_kernels()) known.push_back(k->info().name);
    for (const Provider& p : installed_providers())  // kernels of external providers (providers.h)
      for (const ProviderKernel& k : p.kernels) known.push_back(k.name);
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& item = (*list)[i];
      const std::string path = child("/kernels", i);
      if (!item.is_string()) {
        fail(path, "must be a kernel name (got " + describe(item) + ")");
        continue;
      }
      const std::string& name = item.get_ref<const std::string&>();
      if (!find_kernel(name) && !is_provider_kernel(name)) {
        fail(path, "unknown kernel \"" + printable(name) + "\"; known kernels: " + (known.empty() ? "(none)" : join(known)));
      } else if (std::find(spec.kernels.begin(), spec.kernels.end(), name) != spec.kernels.end()) {
        fail(path, "duplicate kernel \"" + name + "\"; list each kernel once");
      } else {
        spec.kernels.push_back(name);
      }
    }
  }

  void read_dtypes(const json& root, SweepSpec& spec) {
    const json* list = read_list(root, "dtypes", "dtypes (fp32, fp16, bf16, tf32)", true);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& item = (*list)[i];
      const std::string path = child("/dtypes", i);
      if (!item.is_string()) {
        fail(path, "must be a dtype name: fp32, fp16, bf16 or tf32 (got " + describe(item) + ")");
        continue;
      }
      const auto t = parse_dtype(item.get_ref<const std::string&>());
      if (!t) {
        fail(path, "unknown dtype \"" + printable(item.get_ref<const std::string&>()) +
                       "\"; known dtypes: fp32, fp16, bf16, tf32");
      } else if (std::find(spec.dtypes.begin(), spec.dtypes.end(), *t) != spec.dtypes.end()) {
        fail(path, "duplicate dtype \"" + std::string(dtype_name(*t)) + "\"; list each dtype once");
      } else {
        spec.dtypes.push_back(*t);
      }
    }
  }

  void read_causal(const json& root, SweepSpec& spec) {
    if (!root.contains("causal")) {
      spec.causal = {false};
      return;
    }
    const json* list = read_list(root, "causal", "booleans (false = full attention, true = causal)", false);
    if (!list) return;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& item = (*list)[i];
      const std::string path = child("/causal", i);
      if (!item.is_boolean()) {
        fail(path, "must be true or false (got " + describe(item) + ")");
      } else if (std::find(spec.causal.begin(), spec.causal.end(), item.get<bool>()) != spec.causal.end()) {
        fail(path, std::string("duplicate value ") + (item.get<bool>() ? "true" : "false") + "; list each once");
      } else {
        spec.causal.push_back(item.get<bool>());
      }
    }
  }

  // Largest value each size axis may take on its own; products are checked separately.
  static std::int64_t axis_max(std::string_view axis) {
    if (axis == "head_dim") return kMaxHeadDim;
    if (axis == "q_n" || axis == "k_n") return kMaxSeqLen;
    return kMaxInt64;
  }

  // Element and byte counts of the tensors a tier needs must fit 64-bit and a device.
  bool check_products(const TierShape& s, const std::string& path, const std::string& prefix) {
    const std::vector<std::string> problems = tier_shape_problems(s, element_bytes_);
    for (const std::string& p : problems) fail(path, prefix + p);
    return problems.empty();
  }

  std::optional<TierShape> read_tier(const json& item, const std::string& path) {
    if (!item.is_object()) {
      fail(path, "must be an object {q_n, k_n, head_dim, heads, batch} (got " + describe(item) + ")");
      return std::nullopt;
    }
    check_keys(item, path, {"q_n", "k_n", "head_dim", "heads", "batch"});
    TierShape s;
    bool ok = true;
    const auto field = [&](const char* key, std::int64_t& out, bool required) {
      const auto it = item.find(key);
      if (it == item.end()) {
        if (required) {
          fail(child(path, key), "required key missing: give a positive integer");
          ok = false;
        }
        return;
      }
      const auto v = read_int(*it, child(path, key), 1, axis_max(key), "a positive integer");
      if (v) out = *v;
      else ok = false;
    };
    field("q_n", s.q_n, true);
    field("k_n", s.k_n, false);
    field("head_dim", s.head_dim, true);
    field("heads", s.heads, true);
    field("batch", s.batch, true);
    if (!ok) return std::nullopt;
    if (s.k_n == 0) s.k_n = s.q_n;
    if (!check_products(s, path, "")) return std::nullopt;
    return s;
  }

  // Values of one grid axis (duplicates dropped, order kept), or nullopt after reporting why not.
  std::optional<std::vector<std::int64_t>> read_axis(const json& grid, const char* axis) {
    const std::string path = child("/grid", axis);
    const auto it = grid.find(axis);
    if (it == grid.end()) {
      fail(path, "required key missing: every grid axis but k_n needs a list of positive integers");
      return std::nullopt;
    }
    if (!it->is_array()) {
      fail(path, "must be a list of positive integers (got " + describe(*it) + ")");
      return std::nullopt;
    }
    if (it->empty()) {
      fail(path, "must not be an empty list; give at least one positive integer");
      return std::nullopt;
    }
    std::vector<std::int64_t> values;
    bool ok = true;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto v = read_int((*it)[i], child(path, i), 1, axis_max(axis), "a positive integer");
      if (!v) ok = false;
      else if (std::find(values.begin(), values.end(), *v) == values.end()) values.push_back(*v);
    }
    if (!ok) return std::nullopt;
    return values;
  }

  // Grid tiers, head_dim varying slowest, then heads, batch, q_n and k_n fastest.
  std::optional<std::vector<TierShape>> read_grid(const json& grid) {
    if (!grid.is_object()) {
      fail("/grid", "must be an object of axis lists {q_n, k_n, head_dim, heads, batch} (got " + describe(grid) + ")");
      return std::nullopt;
    }
    check_keys(grid, "/grid", {"q_n", "k_n", "head_dim", "heads", "batch"});
    const auto q = read_axis(grid, "q_n");
    const auto k = grid.contains("k_n") ? read_axis(grid, "k_n") : std::optional<std::vector<std::int64_t>>{};
    const auto d = read_axis(grid, "head_dim");
    const auto h = read_axis(grid, "heads");
    const auto b = read_axis(grid, "batch");
    if (!q || !d || !h || !b || (grid.contains("k_n") && !k)) return std::nullopt;

    std::int64_t count = 1;
    bool too_many = false;
    for (std::size_t n : {q->size(), k ? k->size() : 1, d->size(), h->size(), b->size()})
      too_many = too_many || mul_overflows(count, static_cast<std::int64_t>(n), count) ||
                 static_cast<std::uint64_t>(count) > kMaxCells;
    if (too_many) {
      fail("/grid", "crosses into more than " + std::to_string(kMaxCells) + " tiers; at most " +
                        std::to_string(kMaxCells) + " cells are allowed");
      return std::nullopt;
    }
    // Every product grows with every axis, so the largest value of each bounds them all.
    const auto max_of = [](const std::vector<std::int64_t>& v) { return *std::max_element(v.begin(), v.end()); };
    TierShape largest{max_of(*q), k ? max_of(*k) : max_of(*q), max_of(*d), max_of(*h), max_of(*b)};
    if (!check_products(largest, "/grid", "its largest tier (q_n " + std::to_string(largest.q_n) + ", k_n " +
                                              std::to_string(largest.k_n) + ", head_dim " +
                                              std::to_string(largest.head_dim) + ", heads " +
                                              std::to_string(largest.heads) + ", batch " +
                                              std::to_string(largest.batch) + "): "))
      return std::nullopt;

    std::vector<TierShape> out;
    for (std::int64_t dv : *d)
      for (std::int64_t hv : *h)
        for (std::int64_t bv : *b)
          for (std::int64_t qv : *q) {
            if (!k) out.push_back({qv, qv, dv, hv, bv});
            else
              for (std::int64_t kv : *k) out.push_back({qv, kv, dv, hv, bv});
          }
    return out;
  }

  // Explicit tiers first, then the grid's; duplicates dropped. False if any tier is invalid.
  bool read_tiers_and_grid(const json& root, SweepSpec& spec) {
    bool ok = true;
    std::vector<TierShape> all;
    if (const json* list = read_list(root, "tiers", "tiers {q_n, k_n, head_dim, heads, batch}", false)) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (auto s = read_tier((*list)[i], child("/tiers", i))) all.push_back(*s);
        else ok = false;
      }
    } else if (root.contains("tiers")) {
      ok = false;
    }
    if (const auto it = root.find("grid"); it != root.end()) {
      if (auto g = read_grid(*it)) all.insert(all.end(), g->begin(), g->end());
      else ok = false;
    }
    if (!root.contains("tiers") && !root.contains("grid")) {
      fail("/tiers", "required key missing: give 'tiers', 'grid' or both");
      ok = false;
    }
    std::set<std::array<std::int64_t, 5>> seen;  // a grid may cross into a million tiers: no linear search
    for (const TierShape& s : all)
      if (seen.insert({s.q_n, s.k_n, s.head_dim, s.heads, s.batch}).second) spec.tiers.push_back(s);
    return ok;
  }

  void check_cell_count(const SweepSpec& spec) {
    if (spec.kernels.empty() || spec.dtypes.empty() || spec.causal.empty()) return;
    const std::uint64_t cells = spec.kernels.size() * spec.tiers.size() * spec.dtypes.size() * spec.causal.size();
    if (cells > kMaxCells)
      fail("/", "the sweep has " + std::to_string(cells) + " cells (kernels x tiers x dtypes x causal); at most " +
                    std::to_string(kMaxCells) + " are allowed");
  }

  void read_timing(const json& root, TimingOptions& t) {
    const auto it = root.find("timing");
    if (it == root.end()) return;
    if (!it->is_object()) {
      fail("/timing", "must be an object (got " + describe(*it) + ")");
      return;
    }
    const json& o = *it;
    check_keys(o, "/timing",
               {"warmup_ms", "min_samples", "max_samples", "target_rel_ci", "max_cell_s", "modes", "steady", "sustain_s"},
               {{"cache", "replaced by \"modes\": a list of \"cold\" (one launch per sample after an L2 flush) "
                          "and \"batch\" (back-to-back warm launches)"}});
    if (o.contains("warmup_ms"))
      if (const auto v = read_number(o["warmup_ms"], "/timing/warmup_ms")) {
        if (const std::string rule = warmup_ms_problem(*v); !rule.empty()) fail("/timing/warmup_ms", rule);
        else t.warmup_ms = *v;
      }
    bool samples_ok = true;
    if (o.contains("min_samples")) {
      const auto v = read_int(o["min_samples"], "/timing/min_samples", 1, kMaxSamples, "a positive integer");
      if (v) t.min_samples = static_cast<int>(*v);
      else samples_ok = false;
    }
    if (o.contains("max_samples")) {
      const auto v = read_int(o["max_samples"], "/timing/max_samples", 1, kMaxSamples, "a positive integer");
      if (v) t.max_samples = static_cast<int>(*v);
      else samples_ok = false;
    }
    if (samples_ok && t.max_samples < t.min_samples) {
      if (o.contains("max_samples"))
        fail("/timing/max_samples", "must be >= min_samples (" + std::to_string(t.max_samples) + " < " +
                                        std::to_string(t.min_samples) + ")");
      else
        fail("/timing/min_samples", "must be <= max_samples (" + std::to_string(t.min_samples) + " > " +
                                        std::to_string(t.max_samples) + ", the default max_samples)");
    }
    if (o.contains("target_rel_ci"))
      if (const auto v = read_number(o["target_rel_ci"], "/timing/target_rel_ci")) {
        if (!(*v > 0 && *v < 1))
          fail("/timing/target_rel_ci", "must be between 0 and 1, exclusive (got " + describe(o["target_rel_ci"]) + ")");
        else t.target_rel_ci = *v;
      }
    if (o.contains("max_cell_s"))
      if (const auto v = read_number(o["max_cell_s"], "/timing/max_cell_s")) {
        if (const std::string rule = max_cell_s_problem(*v); !rule.empty()) fail("/timing/max_cell_s", rule);
        else t.max_cell_s = *v;
      }
    if (o.contains("modes")) read_modes(o["modes"], t);
    if (o.contains("steady")) {
      const json& v = o["steady"];
      const auto parsed = v.is_string() ? parse_steady_state(v.get_ref<const std::string&>()) : std::nullopt;
      if (!parsed) fail("/timing/steady", "must be \"burst\" or \"sustained\" (got " + describe(v) + ")");
      else t.steady = *parsed;
    }
    if (o.contains("sustain_s"))
      if (const auto v = read_number(o["sustain_s"], "/timing/sustain_s")) {
        if (const std::string rule = sustain_s_problem(*v); !rule.empty()) fail("/timing/sustain_s", rule);
        else t.sustain_s = *v;
      }
  }

  void read_modes(const json& list, TimingOptions& t) {
    const std::string must = "must be a non-empty list of \"cold\" and \"batch\"";
    if (!list.is_array() || list.empty()) {
      fail("/timing/modes", must + " (got " + describe(list) + ")");
      return;
    }
    std::vector<TimingMode> modes;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json& item = list[i];
      const std::string path = child("/timing/modes", i);
      const auto m = item.is_string() ? parse_timing_mode(item.get_ref<const std::string&>()) : std::nullopt;
      if (!m || *m == TimingMode::unstated)
        fail(path, "must be \"cold\" or \"batch\" (got " + describe(item) + ")");
      else if (std::find(modes.begin(), modes.end(), *m) != modes.end())
        fail(path, "duplicate mode \"" + std::string(timing_mode_name(*m)) + "\"; list each mode once");
      else
        modes.push_back(*m);
    }
    if (modes.size() == list.size()) t.modes = modes;
  }

  void read_check(const json& root, CheckOptions& c) {
    const auto it = root.find("check");
    if (it == root.end()) return;
    if (!it->is_object()) {
      fail("/check", "must be an object (got " + describe(*it) + ")");
      return;
    }
    check_keys(*it, "/check", {"enabled", "rows", "tolerance"});
    if (it->contains("enabled")) {
      const json& e = (*it)["enabled"];
      if (!e.is_boolean()) fail("/check/enabled", "must be true or false (got " + describe(e) + ")");
      else c.enabled = e.get<bool>();
    }
    if (it->contains("rows")) {
      const json& r = (*it)["rows"];
      if (r == "all") c.all_rows = true;
      else if (r == "sampled") c.all_rows = false;
      else fail("/check/rows", "must be \"sampled\" or \"all\" (got " + describe(r) + ")");
    }
    if (it->contains("tolerance"))
      if (const auto v = read_number((*it)["tolerance"], "/check/tolerance")) {
        if (!(*v > 0)) fail("/check/tolerance", "must be > 0 (got " + describe((*it)["tolerance"]) + ")");
        else c.tolerance = *v;
      }
  }

  void read_seed(const json& root, SweepSpec& spec) {
    const auto it = root.find("seed");
    if (it == root.end()) return;
    const json& j = *it;
    const std::string must = "must be a non-negative integer (got " + describe(j) + ")";
    if (j.is_number_unsigned()) {
      spec.seed = j.get<std::uint64_t>();
    } else if (j.is_number_integer()) {
      if (j.get<std::int64_t>() < 0) fail("/seed", must);
      else spec.seed = static_cast<std::uint64_t>(j.get<std::int64_t>());
    } else if (j.is_number_float()) {
      const double d = j.get<double>();
      if (!std::isfinite(d) || d < 0 || d != std::floor(d)) fail("/seed", must);
      else if (d >= 18446744073709551616.0) fail("/seed", "must be at most 18446744073709551615 (got " + describe(j) + ")");
      else spec.seed = static_cast<std::uint64_t>(d);
    } else {
      fail("/seed", must);
    }
  }
};

}  // namespace

std::string_view timing_mode_name(TimingMode m) {
  switch (m) {
    case TimingMode::cold: return "cold";
    case TimingMode::batch: return "batch";
    case TimingMode::unstated: return "unstated";
  }
  return "?";
}

std::optional<TimingMode> parse_timing_mode(std::string_view s) {
  for (TimingMode m : {TimingMode::cold, TimingMode::batch, TimingMode::unstated})
    if (timing_mode_name(m) == s) return m;
  return std::nullopt;
}

std::string_view steady_state_name(SteadyState s) { return s == SteadyState::sustained ? "sustained" : "burst"; }

std::optional<SteadyState> parse_steady_state(std::string_view s) {
  if (s == "burst") return SteadyState::burst;
  if (s == "sustained") return SteadyState::sustained;
  return std::nullopt;
}

SpecParseResult parse_spec(std::string_view json_text) {
  SpecParseResult result;
  try {
    json root;
    try {
      root = parse_json(json_text);
    } catch (const std::runtime_error& e) {  // not JSON, nested too deep, a key twice, a NUL byte
      result.errors.push_back({"/", e.what()});
      return result;
    }
    SpecReader reader;
    SweepSpec spec;
    reader.read(root, spec);
    result.errors = std::move(reader.errors);
    if (result.errors.empty()) result.spec = std::move(spec);
  } catch (const std::exception& e) {  // out of memory on absurd input; never crash the caller
    result.spec.reset();
    result.errors.push_back({"/", std::string("cannot read the spec: ") + e.what()});
  }
  return result;
}

std::vector<std::string> tier_shape_problems(const TierShape& s, std::int64_t element_bytes) {
  std::vector<std::string> problems;
  const std::pair<const char*, std::int64_t> sizes[] = {
      {"q_n", s.q_n}, {"k_n", s.k_n}, {"head_dim", s.head_dim}, {"heads", s.heads}, {"batch", s.batch}};
  for (const auto& [name, value] : sizes)
    if (value < 1) problems.push_back(std::string(name) + " must be a positive integer (got " + std::to_string(value) + ")");
  if (s.head_dim > kMaxHeadDim)
    problems.push_back("head_dim must be at most " + std::to_string(kMaxHeadDim) + " (got " + std::to_string(s.head_dim) + ")");
  for (const auto& [name, value] : {sizes[0], sizes[1]})
    if (value > kMaxSeqLen)
      problems.push_back(std::string(name) + " must be at most " + std::to_string(kMaxSeqLen) + " (got " +
                         std::to_string(value) + ")");
  if (!problems.empty()) return problems;

  struct Tensor {
    const char* what;
    const char* formula;
    std::int64_t rows;
    std::int64_t cols;
    bool limit_bytes;  // scores are only materialised by some kernels: those get `oom`, not an error
  };
  const Tensor tensors[] = {
      {"Q and O", "batch*heads*q_n*head_dim", s.q_n, s.head_dim, true},
      {"K and V", "batch*heads*k_n*head_dim", s.k_n, s.head_dim, true},
      {"the scores", "batch*heads*q_n*k_n", s.q_n, s.k_n, false},
  };
  for (const Tensor& t : tensors) {
    std::int64_t elements = 0, bytes = 0;
    if (mul_overflows(s.batch, s.heads, elements) || mul_overflows(elements, t.rows, elements) ||
        mul_overflows(elements, t.cols, elements)) {
      problems.push_back(std::string("the element count of ") + t.what + " (" + t.formula +
                         ") overflows a 64-bit integer");
    } else if (mul_overflows(elements, std::max<std::int64_t>(element_bytes, 4), bytes)) {
      problems.push_back(std::string("the byte count of ") + t.what + " (" + t.formula +
                         " * element size) overflows a 64-bit integer");
    } else if (t.limit_bytes && static_cast<std::uint64_t>(elements) * element_bytes > kMaxTensorBytes) {
      problems.push_back(std::string(t.what) + " would take " +
                         format_bytes(static_cast<double>(elements) * element_bytes) + " each (" + t.formula + " * " +
                         std::to_string(element_bytes) + " bytes), which exceeds what any device could hold (" +
                         format_bytes(static_cast<double>(kMaxTensorBytes)) + ")");
    }
  }
  return problems;
}

std::string warmup_ms_problem(double ms) {
  if (!(ms >= 0)) return "must be >= 0 (got " + printable(json(ms).dump()) + ")";
  if (ms > kMaxWarmupMs)
    return "must be at most " + format_number(kMaxWarmupMs) + " (one minute; got " + json(ms).dump() + ")";
  return "";
}

std::string max_cell_s_problem(double seconds) {
  if (!(seconds > 0)) return "must be > 0 (got " + printable(json(seconds).dump()) + ")";
  if (seconds > kMaxCellSeconds)
    return "must be at most " + format_number(kMaxCellSeconds) + " (one hour; got " + json(seconds).dump() + ")";
  return "";
}

std::string sustain_s_problem(double seconds) {
  if (!(seconds > 0 && seconds <= kMaxSustainSeconds))
    return "must be > 0 and at most " + format_number(kMaxSustainSeconds) + " (got " + format_number(seconds) + ")";
  return "";
}

namespace {

nlohmann::ordered_json timing_modes_json(const std::vector<TimingMode>& modes) {
  auto out = nlohmann::ordered_json::array();
  for (TimingMode m : modes) out.push_back(std::string(timing_mode_name(m)));
  return out;
}

}  // namespace

std::string spec_to_json(const SweepSpec& spec, int indent) {
  nlohmann::ordered_json j;
  j["version"] = spec.version;
  j["name"] = spec.name;
  j["kernels"] = spec.kernels;
  auto& dtypes = j["dtypes"] = nlohmann::ordered_json::array();
  for (DType t : spec.dtypes) dtypes.push_back(std::string(dtype_name(t)));
  auto& causal = j["causal"] = nlohmann::ordered_json::array();
  for (bool c : spec.causal) causal.push_back(c);
  auto& tiers = j["tiers"] = nlohmann::ordered_json::array();
  for (const TierShape& s : spec.tiers)
    tiers.push_back({{"q_n", s.q_n}, {"k_n", s.k_n}, {"head_dim", s.head_dim}, {"heads", s.heads}, {"batch", s.batch}});
  j["timing"] = {{"warmup_ms", spec.timing.warmup_ms},
                 {"min_samples", spec.timing.min_samples},
                 {"max_samples", spec.timing.max_samples},
                 {"target_rel_ci", spec.timing.target_rel_ci},
                 {"max_cell_s", spec.timing.max_cell_s},
                 {"modes", timing_modes_json(spec.timing.modes)},
                 {"steady", std::string(steady_state_name(spec.timing.steady))},
                 {"sustain_s", spec.timing.sustain_s}};
  j["check"] = {{"enabled", spec.check.enabled}};
  if (spec.check.all_rows) j["check"]["rows"] = "all";  // "sampled", the default, is left out
  if (spec.check.tolerance) j["check"]["tolerance"] = *spec.check.tolerance;
  j["seed"] = spec.seed;
  // A GUI-built name may hold invalid UTF-8: replace it rather than throw.
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace attnsweep
