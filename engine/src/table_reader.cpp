#include "attnsweep/engine/table_reader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>

#include "attnsweep/engine/baseline.h"
#include "attnsweep/engine/columns.h"
#include "attnsweep/engine/environment.h"

namespace attnsweep {

namespace {

constexpr std::array<std::string_view, 10> kSeedColumns = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                                           "heads",  "batch", "avg_ms", "std_ms", "min_ms"};
constexpr Column kResultTableNeeds[] = {Column::kernel, Column::q_n,   Column::k_n,    Column::head_dim, Column::heads,
                                        Column::batch,  Column::dtype, Column::causal, Column::status};

// The seed says neither; these are the honest guesses, and the header says they are guesses.
constexpr DType kAssumedDtype = DType::fp16;
constexpr bool kAssumedCausal = false;
constexpr std::string_view kSeedOomMessage = "0 ms in the seed table: did not run there (out of memory)";
constexpr std::string_view kSeedNote =
    "The seed table states neither dtype nor masking. Its rows are PyTorch/Triton runs taken as fp16 "
    "without a causal mask (Triton's FlashAttention runs in fp16/bf16 only). Times are the seed's "
    "avg/std/min; its median, sample count and environment are unknown. Tier names are rebuilt from "
    "each row's values.";

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class Range, class Name>
std::string joined(const Range& items, std::string_view separator, Name name) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : std::string(separator)) + std::string(name(item));
  return s;
}

std::string seed_columns() { return joined(kSeedColumns, " | ", [](std::string_view c) { return c; }); }

// The columns a table's header names, each with its place in the row.
using Found = std::vector<std::pair<Column, std::size_t>>;

// A table's columns, found by name; errors say where, in the source's words.
class Reader {
 public:
  Reader(const TextTable& table, const TableSource& source) : table_(table), source_(source) {}

  [[noreturn]] void fail(std::size_t line, const std::string& rule) const {
    throw std::runtime_error(source_.file + ": line " + std::to_string(line) + ": " + rule);
  }
  [[noreturn]] void fail(std::size_t line, std::size_t index, const std::string& rule) const {
    throw std::runtime_error(source_.file + ": line " + std::to_string(line) + ", column " + std::to_string(index + 1) +
                             " (" + table_.names[index] + "): " + rule);
  }

  // Which column each header cell names, in declaration order (status before the measurement).
  Found columns() const {
    Found found;
    for (std::size_t i = 0; i < table_.names.size(); ++i) {
      if (table_.names[i].starts_with(kSpeedupTitlePrefix)) continue;  // computed from the cells: not read
      const std::optional<Column> c = column_named(table_.names[i]);
      if (!c)
        fail(table_.names_line, i,
             "names no column (known: " +
                 joined(all_columns(), ", ", [](Column k) { return column_info(k).name; }) + ")");
      for (const auto& [earlier, at] : found)
        if (earlier == *c) fail(table_.names_line, i, "the same column as column " + std::to_string(at + 1));
      found.emplace_back(*c, i);
    }
    std::stable_sort(found.begin(), found.end());
    return found;
  }

  bool is_seed_table() const {
    return std::equal(table_.names.begin(), table_.names.end(), kSeedColumns.begin(), kSeedColumns.end());
  }

  void check_result_table(const Found& found) const {
    std::vector<Column> missing;
    for (Column need : kResultTableNeeds)
      if (std::none_of(found.begin(), found.end(), [&](const auto& f) { return f.first == need; }))
        missing.push_back(need);
    if (missing.empty()) return;
    fail(table_.names_line,
         "no column " + joined(missing, ", ", [](Column c) { return column_info(c).name; }) +
             " (a result table names " +
             joined(kResultTableNeeds, ", ", [](Column c) { return column_info(c).name; }) +
             "; the seed's table has exactly " + seed_columns() + ")");
  }

  CellResult read_row(const TextTable::Row& row, const Found& found, bool seed) const {
    if (row.cells.size() != table_.names.size())
      fail(row.line, std::to_string(row.cells.size()) + " cells, expected " + std::to_string(table_.names.size()));
    CellResult r;
    r.status = CellStatus::ok;  // the seed's rows until a row of zeros says otherwise; others say
    r.check.rel_err = r.check.max_abs_err = r.check.tolerance = r.check.naive_rel_err = r.check.naive_max_abs_err = kNaN;
    if (seed) {
      r.cell.dtype = kAssumedDtype;
      r.cell.causal = kAssumedCausal;
    }
    for (const auto& [column, index] : found) {
      const std::string& text = row.cells[index];
      if (column_info(column).measured && r.status != CellStatus::ok && !holds_no_number(text))
        fail(row.line, index,
             std::string("a number on a '").append(status_name(r.status)).append("' row: only ok cells carry times"));
      try {
        read_column(r, column, text);
      } catch (const std::runtime_error& e) {
        fail(row.line, index, e.what());
      }
    }
    if (seed) seed_status(r, row, found);
    finish(r, row, found);
    return r;
  }

 private:
  // The seed's rule: 0 | 0 | 0 did not run there; a 0 beside times is neither.
  void seed_status(CellResult& r, const TextTable::Row& row, const Found& found) const {
    if (r.timings.empty()) return;
    const SampleStats& t = r.timings.front().time_ms;
    if (t.mean == 0 && t.std == 0 && t.min == 0) {
      r.status = CellStatus::oom;
      r.message = std::string(kSeedOomMessage);
      r.timings.clear();
    } else if (t.mean == 0 || t.min == 0) {
      const Column zero = t.mean == 0 ? Column::mean_ms : Column::min_ms;
      const auto at = std::find_if(found.begin(), found.end(), [&](const auto& f) { return f.first == zero; });
      fail(row.line, at->second, "0 beside non-zero times: neither a time nor a cell that did not run");
    }
  }

  // What a row implies beyond its cells.
  void finish(CellResult& r, const TextTable::Row& row, const Found& found) const {
    // Before any size is multiplied: byte counts of absurd sizes would overflow.
    const auto shape = tier_shape_problems(r.cell.tier.shape, static_cast<std::int64_t>(dtype_bytes(r.cell.dtype)));
    if (!shape.empty()) fail(row.line, "tier: " + shape.front());
    r.cell.tier.name = tier_name(r.cell.tier.shape);
    if (r.status == CellStatus::ok) {
      if (r.timings.empty() || !(std::isfinite(r.timings.front().time_ms.median) ||
                                 std::isfinite(r.timings.front().time_ms.mean)))
        fail(row.line, "an ok row needs a time: avg_ms or median_ms");
      // Rates the table does not give follow from the time it does, as for a measured cell.
      Timing& t = r.timings.front();
      const AttentionProblem p = r.cell.problem();
      const double seconds = representative_ms(t.time_ms) * 1e-3;
      if (!std::isfinite(t.tflops)) t.tflops = p.flops() / seconds / 1e12;
      if (!std::isfinite(t.gbps)) t.gbps = p.min_bytes() / seconds / 1e9;
      if (t.mode == TimingMode::cold && t.launches_per_sample != 1)
        fail(row.line, "a cold time of " + std::to_string(t.launches_per_sample) +
                           " launches per sample: cold is one launch per sample");
    } else {
      r.timings.clear();
    }
    // A table without the `supported` column: the plan marks the cells it will not run, and
    // those, and only those, end unsupported or skipped.
    const bool says_supported =
        std::any_of(found.begin(), found.end(), [](const auto& f) { return f.first == Column::supported; });
    if (!says_supported) r.cell.supported = r.status != CellStatus::unsupported && r.status != CellStatus::skipped;
    if (!r.cell.supported) r.cell.unsupported_reason = r.message;
    if (!r.check.checked) r.check = CheckResult{};
    if (const std::string problem = result_problem(r); !problem.empty()) fail(row.line, problem);
  }

  const TextTable& table_;
  const TableSource& source_;
};

}  // namespace

ResultFile results_from_table(const TextTable& table, const TableSource& source) {
  const Reader reader(table, source);
  const Found found = reader.columns();
  const bool seed = reader.is_seed_table();
  if (!seed) reader.check_result_table(found);
  if (table.rows.empty()) reader.fail(table.end_line, "the table has no rows");

  // A cell timed in several modes has one row per mode (the CSV report): they become one cell.
  ResultFile file;
  std::map<std::string, std::pair<std::size_t, std::size_t>> seen;  // id -> (line, index in results)
  for (const TextTable::Row& row : table.rows) {
    CellResult r = reader.read_row(row, found, seed);
    const std::string id = r.cell.id();
    if (const auto it = seen.find(id); it != seen.end()) {
      CellResult& first = file.results[it->second.second];
      const bool another_mode = r.status == CellStatus::ok && first.status == CellStatus::ok &&
                                !first.timing(r.timings.front().mode);
      if (!another_mode)
        reader.fail(row.line, "the same kernel, tier values, dtype, mask and mode as line " +
                                  std::to_string(it->second.first));
      first.timings.push_back(r.timings.front());
      std::stable_sort(first.timings.begin(), first.timings.end(),
                       [](const Timing& a, const Timing& b) { return a.mode < b.mode; });
      continue;
    }
    seen.emplace(id, std::pair{row.line, file.results.size()});
    file.results.push_back(std::move(r));
  }

  nlohmann::json from = {{"kind", seed ? "seed-" + source.kind : source.kind},
                         {"file", source.file},
                         {"title", source.title},
                         {"rows", file.results.size()}};
  if (!source.details.empty()) from["details"] = source.details;
  file.header = {{"type", "header"},
                 {"schema", kResultSchema},
                 {"tool", "attnsweep"},
                 {"name", source.title.empty() ? std::filesystem::path(source.file).filename().string() : source.title},
                 {"source", std::move(from)},
                 {"imported", utc_now_iso8601()}};
  if (seed)
    file.header["assumed"] = {{"dtype", std::string(dtype_name(kAssumedDtype))},
                              {"causal", kAssumedCausal},
                              {"note", std::string(kSeedNote)}};
  return file;
}

}  // namespace attnsweep
