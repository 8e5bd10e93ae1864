#pragma once
// The columns of a result table, listed once for every tabular form: the Markdown, HTML, CSV and
// JSON reports, the GUI's table and its "Copy as Markdown", and the readers that take a Markdown
// or a CSV table back. One name per column, the same in every form. A new field of a cell becomes
// a column by one entry in columns.cpp (and a place in the sets below where a form should show it).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "attnsweep/engine/result.h"

namespace attnsweep {

enum class Column {
  // what the cell is
  kernel,
  tier,
  q_n,
  k_n,
  head_dim,
  heads,
  batch,
  dtype,
  causal,
  // what became of it
  status,
  message,
  // the measurement (ok cells only): the row's timing, in one mode
  mode,
  samples,
  median_ms,
  mean_ms,
  std_ms,
  min_ms,
  max_ms,
  p10_ms,
  p90_ms,
  ci_low_ms,
  ci_high_ms,
  tflops,
  gbps,
  pct_of_peak,
  launches_per_sample,
  noisy,
  flagged_samples,
  flags,
  // the correctness check
  checked,
  check_passed,
  rel_err,
  max_abs_err,
  tolerance,
  naive_rel_err,
  naive_max_abs_err,
  nonfinite,
  unwritten,
  rows_checked,
  slices_checked,
  inputs_changed,
  rechecked_after_timing,
  // how it ran
  steady,
  settled,
  clocks_not_read,
  clock_readings,
  sm_mhz_min,
  sm_mhz_max,
  sm_max_mhz,
  power_w_max,
  temperature_c_max,
  clock_reasons,
  device,
  bytes_estimate,
  supported,
  wall_s,
  inputs_s,
  check_s,
  warmup_s,
  settle_s,
  timing_s,
  count_  // not a column: how many there are
};

struct ColumnInfo {
  std::string_view name;     // in every form: Markdown, CSV and JSON reports, HTML, the GUI's table; the
                             // seed's names for the seed's columns ("Kernel", "Q_N", "avg_ms")
  std::string_view tooltip;  // what it holds, in one line
  bool numeric = false;      // right-aligned, sorted by value
  bool measured = false;     // part of the measurement: a cell that is not ok shows its status here
};
const ColumnInfo& column_info(Column c);

// The columns of each form, in the order it shows them. Every form that carries the seed's columns
// starts with them, in the seed's order (Kernel, Tier, Q_N, K_N, head_dim, heads, batch, avg_ms,
// std_ms, min_ms), so a reader of the seed's table reads ours.
std::span<const Column> all_columns();     // every column, in declaration order (readers read in this order)
std::span<const Column> export_columns();  // every column, the seed's first: the CSV report and the JSON report's rows
std::span<const Column>
report_columns();  // the seed's, then dtype, mask, status, mode, median, TFLOP/s, noisy, slowed: Markdown, HTML
std::span<const Column> table_columns();  // what a person browses, TFLOP/s early: the GUI's table

// The column a table header names, by its name in any letter case or by another common spelling
// ("mean_ms", "TFLOP/s"); nullopt for a name no column has.
std::optional<Column> column_named(std::string_view name);

// A row shows one timing of its cell: the first (records keep cold first; a form that shows one
// mode puts that mode's first, with_mode_first). Null for a cell that is not ok.
const Timing* row_timing(const CellResult& r);
// The results as a form showing `mode` lays them out: each cell's time in that mode first; a cell
// not timed in it keeps its other time first, and its mode column says so.
std::vector<CellResult> with_mode_first(std::vector<CellResult> results, TimingMode mode);

// The number behind a numeric column, when the cell has one: a cell that is not ok has no
// measurement, an unchecked cell no errors, an imported summary no median.
std::optional<double> cell_number(const CellResult& r, Column c);
// For people: numbers by format_number (errors by format_sci); a measured column of a cell that is
// not ok shows its status label, never a 0; a statistic an ok cell lacks shows "n/a".
std::string cell_text(const CellResult& r, Column c);
// For programs (CSV): numbers that read back to the same double; "" where there is none.
std::string cell_field(const CellResult& r, Column c);

// True for the text of a cell that holds no number: "", "n/a", or a status label ("OOM").
bool holds_no_number(std::string_view text);

// Sets column `c` of `r` from its text in either form above. "" and "n/a" leave it unset, and so
// does a status label in a measured column (the row's status says why). The tier column is not
// read: tier names are rebuilt from the values. Throws std::runtime_error with the rule broken
// ("'6.4' is not an integer").
void read_column(CellResult& r, Column c, std::string_view text);

}  // namespace attnsweep
