#include "attnsweep/engine/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "attnsweep/engine/two_sample.h"
#include "header_text.h"

namespace attnsweep {

using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr std::pair<Verdict, std::string_view> kVerdictNames[] = {
    {Verdict::same, "same"},   {Verdict::faster, "faster"},   {Verdict::slower, "slower"},
    {Verdict::noisy, "noisy"}, {Verdict::status_changed, "status-changed"},
    {Verdict::missing, "missing"}, {Verdict::new_cell, "new"},
};

ComparedSide side_of(const CellResult& r, const Timing* t) {
  ComparedSide s;
  s.status = r.status;
  if (!t) return s;
  s.mode = t->mode;
  s.ms = representative_ms(t->time_ms);
  s.samples = t->time_ms.samples;
  s.noisy = t->noisy;
  s.flagged_samples = t->flagged_samples;
  return s;
}

// The timings of an ok cell to compare: both in `mode`; else an imported time (mode unstated)
// against the other's time in `mode` or its first; else a mode both have. Nulls when there is none.
std::pair<const Timing*, const Timing*> timings_to_compare(const CellResult& b, const CellResult& n, TimingMode mode,
                                                           std::string& note) {
  const Timing *bt = b.timing(mode), *nt = n.timing(mode);
  if (bt && nt) return {bt, nt};
  const Timing *bu = b.timing(TimingMode::unstated), *nu = n.timing(TimingMode::unstated);
  if (bu || nu) {
    const Timing* bc = bu ? bu : bt ? bt : &b.timings.front();
    const Timing* nc = nu ? nu : nt ? nt : &n.timings.front();
    note = std::string(bu && nu ? "both times are" : bu ? "BASE's time is" : "NEW's time is") +
           " imported (mode unstated)";
    return {bc, nc};
  }
  for (const Timing& t : b.timings)
    if (const Timing* other = n.timing(t.mode)) {
      note = "compared in " + std::string(timing_mode_name(t.mode)) + " mode";
      return {&t, other};
    }
  note = "timed " + std::string(timing_mode_name(b.timings.front().mode)) + " in BASE and " +
         std::string(timing_mode_name(n.timings.front().mode)) + " in NEW: no mode in common";
  return {nullptr, nullptr};
}

void add_note(CellComparison& c, const std::string& text) { c.note += (c.note.empty() ? "" : "; ") + text; }

bool positive_samples(const Timing& t) {
  return !t.samples_ms.empty() && std::all_of(t.samples_ms.begin(), t.samples_ms.end(), [](double x) { return x > 0; });
}

bool has_interval(const SampleStats& s) {
  return s.samples > 0 && std::isfinite(s.ci_low) && std::isfinite(s.ci_high) && s.ci_low > 0;
}

// Two ok cells' times: the ratio, its interval, the evidence and the verdict.
void compare_times(const Timing& bt, const Timing& nt, const CompareOptions& o, CellComparison& c) {
  c.ratio = representative_ms(nt.time_ms) / representative_ms(bt.time_ms);
  bool real_change = false;  // the evidence says the times differ at all
  if (positive_samples(bt) && positive_samples(nt)) {
    c.evidence = Evidence::samples;
    const RankTest test = mann_whitney(bt.samples_ms, nt.samples_ms);
    const RatioInterval interval = ratio_interval(bt.samples_ms, nt.samples_ms, 1 - o.alpha);
    c.p_value = test.p;
    if (interval.bounded()) {
      c.ratio_low = interval.low;
      c.ratio_high = interval.high;
    } else {
      add_note(c, "too few samples to bound the ratio (" + std::to_string(bt.samples_ms.size()) + " in BASE, " +
                      std::to_string(nt.samples_ms.size()) + " in NEW)");
    }
    real_change = test.p < o.alpha;
  } else if (has_interval(bt.time_ms) && has_interval(nt.time_ms)) {
    // Each median lies in its interval (95% each), so the ratio lies between these bounds with at
    // least about 90% confidence; it is a wide bound, which only makes a verdict harder to earn.
    c.evidence = Evidence::intervals;
    c.ratio_low = nt.time_ms.ci_low / bt.time_ms.ci_high;
    c.ratio_high = nt.time_ms.ci_high / bt.time_ms.ci_low;
    real_change = c.ratio_low > 1 || c.ratio_high < 1;
  } else {
    c.evidence = Evidence::summaries;
  }

  const bool slower = c.ratio >= 1 + o.threshold, faster = c.ratio <= 1 - o.threshold;
  if (!std::isfinite(c.ratio)) {
    c.verdict = Verdict::noisy;
    add_note(c, "a median is not a positive number");
  } else if (!slower && !faster) {
    c.verdict = Verdict::same;
  } else if (!real_change) {
    c.verdict = Verdict::noisy;
  } else if (std::isfinite(c.ratio_low) && std::isfinite(c.ratio_high) &&
             (slower ? c.ratio_low < 1 + o.threshold : c.ratio_high > 1 - o.threshold)) {
    // The change is real, but its interval reaches inside the threshold: the data cannot tell
    // whether it is as large as the smallest change worth a verdict. On an H100, two runs of one
    // build had a 20 us cell at 0.978 [0.971, 0.988]: a change of 1-3%, not a faster kernel.
    c.verdict = Verdict::noisy;
    add_note(c, std::string("noisy, not ") + (slower ? "slower" : "faster") +
                    ": the ratio's interval reaches inside the threshold");
  } else {
    c.verdict = slower ? Verdict::slower : Verdict::faster;
  }
}

CellComparison compare_cell(const CellResult* b, const CellResult* n, const CompareOptions& o, TimingMode mode) {
  CellComparison c;
  c.cell = n ? n->cell : b->cell;
  c.ratio = c.ratio_low = c.ratio_high = c.p_value = kNaN;
  // Until times are compared, each side shows its own time: in `mode`, else its first.
  const auto own = [mode](const CellResult& r) {
    const Timing* t = r.timing(mode);
    return side_of(r, t ? t : r.timings.empty() ? nullptr : &r.timings.front());
  };
  if (b) c.base = own(*b);
  if (n) c.now = own(*n);
  if (!n) {
    c.verdict = Verdict::missing;
    return c;
  }
  if (!b) {
    c.verdict = Verdict::new_cell;
    return c;
  }
  if (b->status != n->status) {
    c.verdict = Verdict::status_changed;
    c.note = std::string(status_name(b->status)) + " -> " + std::string(status_name(n->status));
    if (!n->message.empty()) c.note += ": " + n->message;
    return c;
  }
  if (b->status != CellStatus::ok) {
    c.verdict = Verdict::same;
    c.note = std::string(status_name(b->status)) + " in both";
    return c;
  }
  const auto [bt, nt] = timings_to_compare(*b, *n, mode, c.note);
  if (!bt) {
    c.verdict = Verdict::noisy;
    return c;
  }
  c.base = side_of(*b, bt);
  c.now = side_of(*n, nt);
  compare_times(*bt, *nt, o, c);
  std::vector<std::string> doubts;  // why a time cannot carry a verdict of faster or slower
  for (const auto& [side, t] : {std::pair{"BASE", bt}, std::pair{"NEW", nt}}) {
    if (t->flagged_samples > 0) {
      std::string flags;
      for (const std::string& f : t->flags) flags += (flags.empty() ? "" : ", ") + f;
      add_note(c, side + std::string(": ") + std::to_string(t->flagged_samples) + " samples slowed (" + flags + ")");
      doubts.push_back(side + std::string("'s samples were slowed"));
    }
    if (t->noisy) doubts.push_back(side + std::string(" is noisy"));
  }
  // A slowed card or a noisy interval moves a time by more than the change sought: two runs of
  // one build came out slower where one had samples under the power cap. Such a cell is at most
  // noisy.
  if ((c.verdict == Verdict::faster || c.verdict == Verdict::slower) && !doubts.empty()) {
    std::string why;
    for (const std::string& d : doubts) why += (why.empty() ? "" : " and ") + d;
    add_note(c, "noisy, not " + std::string(verdict_name(c.verdict)) + ": " + why);
    c.verdict = Verdict::noisy;
  }
  return c;
}

// "3 cells compared on ...": what the evidence of the cells means, where it is not samples.
std::vector<std::string> evidence_notes(const Comparison& cmp, const ResultFile& base, const ResultFile& now) {
  int on_intervals = 0, on_summaries = 0;
  for (const CellComparison& c : cmp.cells) {
    on_intervals += c.evidence == Evidence::intervals;
    on_summaries += c.evidence == Evidence::summaries;
  }
  const auto without_samples = [](const ResultFile& f) {
    return std::any_of(f.results.begin(), f.results.end(), [](const CellResult& r) {
      return std::any_of(r.timings.begin(), r.timings.end(),
                         [](const Timing& t) { return t.time_ms.samples > 0 && t.samples_ms.empty(); });
    });
  };
  std::vector<std::string> notes;
  if (on_intervals > 0) {
    const bool b = without_samples(base), n = without_samples(now);
    notes.push_back(std::to_string(on_intervals) + " cell(s) compared on their medians' 95% intervals, not on samples: " +
                    (b && n ? "neither file" : b ? "BASE" : "NEW") +
                    " holds per-sample times (written before they were kept). Such a comparison is coarser: "
                    "it calls a change only when the intervals part");
  }
  if (on_summaries > 0)
    notes.push_back(std::to_string(on_summaries) +
                    " cell(s) of an imported summary (no samples, no interval): only their ratio is given; "
                    "such a cell is never called faster or slower");
  return notes;
}

// Device facts that describe the moment, not the card: not a difference between runs.
bool momentary_fact(const std::string& key) {
  return key == "name" || key == "uuid" || key == "ordinal" || key == "pci_bus_id" || key.ends_with("sm_clock_mhz") ||
         key.ends_with("mem_clock_mhz") || key == "date";
}

std::string card_of(const json& header) {
  const json env = header.is_object() ? header.value("environment", json()) : json();
  const json device = env.is_object() ? env.value("device", json()) : json();
  std::string name = text_of(device, "name");
  if (name.empty()) name = header_detail(header, "GPU");
  if (name.empty()) name = header_detail(header, "Device");
  return name;
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  for (const auto& [verdict, name] : kVerdictNames)
    if (verdict == v) return name;
  return "?";
}

std::optional<Verdict> parse_verdict(std::string_view name) {
  for (const auto& [verdict, n] : kVerdictNames)
    if (n == name) return verdict;
  return std::nullopt;
}

std::string_view evidence_name(Evidence e) {
  switch (e) {
    case Evidence::samples: return "samples";
    case Evidence::intervals: return "intervals";
    case Evidence::summaries: return "summaries";
    case Evidence::none: return "none";
  }
  return "?";
}

std::map<Verdict, int> Comparison::counts() const {
  std::map<Verdict, int> out;
  for (Verdict v : kAllVerdicts) out[v] = 0;
  for (const CellComparison& c : cells) ++out[c.verdict];
  return out;
}

std::vector<EnvironmentDifference> environment_differences(const json& base, const json& now) {
  std::vector<EnvironmentDifference> out;
  const auto differ = [&out](const std::string& what, const std::string& b, const std::string& n) {
    if (b != n) out.push_back({what, b.empty() ? "not recorded" : b, n.empty() ? "not recorded" : n});
  };
  const auto object = [](const json& j, const char* key) {
    const json v = j.is_object() ? j.value(key, json()) : json();
    return v.is_object() ? v : json::object();
  };
  const json benv = object(base, "environment"), nenv = object(now, "environment");
  const json bdev = object(benv, "device"), ndev = object(nenv, "device");

  const std::string bcard = card_of(base), ncard = card_of(now);
  differ(text_of(bdev, "backend") == "cpu" || text_of(ndev, "backend") == "cpu" ? "device" : "GPU", bcard, ncard);
  if (bcard == ncard) differ("GPU UUID (another card of the same model)", text_of(bdev, "uuid"), text_of(ndev, "uuid"));

  std::set<std::string> keys;
  for (const json* d : {&bdev, &ndev})
    for (const auto& [key, value] : d->items())
      if (!momentary_fact(key)) keys.insert(key);
  // The versions people look for first, then every other fact in name order.
  const char* first[] = {"driver", "runtime", "cublas", "cudnn"};
  for (const char* key : first)
    if (keys.erase(key)) differ(key, text_of(bdev, key), text_of(ndev, key));
  for (const std::string& key : keys) differ(key, text_of(bdev, key.c_str()), text_of(ndev, key.c_str()));

  differ("clocks", base.contains("clocks") ? clocks_line(base["clocks"]) : "",
         now.contains("clocks") ? clocks_line(now["clocks"]) : "");
  for (const char* key : {"build_id", "build_type", "compiler", "host", "os", "cpu_model"})
    differ(key, text_of(benv, key), text_of(nenv, key));
  differ("executor", text_of(base, "executor"), text_of(now, "executor"));
  const json btiming = object(object(base, "spec"), "timing"), ntiming = object(object(now, "spec"), "timing");
  std::set<std::string> timing_keys;
  for (const json* t : {&btiming, &ntiming})
    for (const auto& [key, value] : t->items()) timing_keys.insert(key);
  for (const std::string& key : timing_keys)
    differ("timing." + key, btiming.contains(key) ? btiming[key].dump() : "", ntiming.contains(key) ? ntiming[key].dump() : "");
  return out;
}

Comparison compare(const ResultFile& base, const ResultFile& now, const CompareOptions& options) {
  if (!(options.threshold >= 0 && options.threshold < 1))
    throw std::invalid_argument("threshold: must be at least 0% and under 100%");
  if (!(options.alpha > 0 && options.alpha < 1)) throw std::invalid_argument("alpha: must be between 0 and 1");
  Comparison cmp;
  cmp.options = options;
  cmp.mode = options.mode.value_or(default_view_mode(base.results));
  cmp.environment = environment_differences(base.header, now.header);
  cmp.different_card = !cmp.environment.empty() && (cmp.environment.front().what == "GPU" || cmp.environment.front().what == "device");

  std::unordered_map<std::string, const CellResult*> in_new;
  for (const CellResult& r : now.results) in_new[r.cell.id()] = &r;
  std::set<std::string> in_base;
  for (const CellResult& b : base.results) {
    const std::string id = b.cell.id();
    in_base.insert(id);
    const auto it = in_new.find(id);
    cmp.cells.push_back(compare_cell(&b, it == in_new.end() ? nullptr : it->second, options, cmp.mode));
  }
  for (const CellResult& n : now.results)
    if (!in_base.count(n.cell.id())) cmp.cells.push_back(compare_cell(nullptr, &n, options, cmp.mode));
  cmp.notes = evidence_notes(cmp, base, now);
  return cmp;
}

FailOn parse_fail_on(std::string_view list, bool verdicts_allowed) {
  FailOn rule;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string word(list.substr(start, comma - start));
    start = comma + 1;
    if (word.empty()) continue;
    if (const auto v = parse_verdict(word); v && v != Verdict::same) {
      if (!verdicts_allowed)
        throw std::invalid_argument("--fail-on: '" + word + "' is a verdict of compare; a run fails on statuses "
                                    "(wrong, crashed, timeout, error, oom, unsupported, skipped)");
      rule.verdicts.push_back(*v);
    } else if (const auto s = parse_status(word); s && s != CellStatus::ok) {
      rule.statuses.push_back(*s);
    } else {
      throw std::invalid_argument("--fail-on: unknown '" + word + "' (known: " +
                                  (verdicts_allowed ? "slower, faster, noisy, status-changed, missing, new, " : "") +
                                  "wrong, crashed, timeout, error, oom, unsupported, skipped)");
    }
  }
  return rule;
}

bool fails(const FailOn& rule, const CellComparison& c) {
  if (std::find(rule.verdicts.begin(), rule.verdicts.end(), c.verdict) != rule.verdicts.end()) return true;
  return c.now && std::find(rule.statuses.begin(), rule.statuses.end(), c.now->status) != rule.statuses.end();
}

bool fails(const FailOn& rule, const CellResult& r) {
  return std::find(rule.statuses.begin(), rule.statuses.end(), r.status) != rule.statuses.end();
}

}  // namespace attnsweep
