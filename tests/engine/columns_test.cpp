// The columns of every tabular form (columns.cpp): what each shows a person, what it gives a
// program, and how a reader takes either back.
#include "attnsweep/engine/columns.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "attnsweep/engine/result_json.h"
#include "sample_results.h"

namespace attnsweep {
namespace {

using testing::failed_result;
using testing::ok_result;
using testing::sample_cell;

std::string rule_of(Column c, const std::string& text) {
  CellResult r;
  return testing::error_of([&] { read_column(r, c, text); });
}

TEST(Columns, OneNamePerColumnFoundInAnyCase) {
  std::set<std::string> names;
  for (Column c : all_columns()) {
    std::string lower(column_info(c).name);
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_TRUE(names.insert(lower).second) << column_info(c).name;
    EXPECT_EQ(column_named(column_info(c).name), c);
    EXPECT_EQ(column_named(lower), c);
    EXPECT_FALSE(column_info(c).tooltip.empty()) << column_info(c).name;
  }
  EXPECT_EQ(all_columns().size(), static_cast<std::size_t>(Column::count_));
  EXPECT_EQ(column_info(Column::mean_ms).name, "avg_ms");  // the seed's name
  EXPECT_EQ(column_named("mean_ms"), Column::mean_ms);     // and other common spellings
  EXPECT_EQ(column_named("TFLOP/s"), Column::tflops);
  EXPECT_FALSE(column_named("avg").has_value());
}

TEST(Columns, AFailedCellShowsItsStatusInEveryMeasuredColumnNeverZero) {
  const CellResult oom = failed_result(sample_cell("naive", 16384), CellStatus::oom, "needs 40 GiB");
  for (Column c : all_columns()) {
    if (!column_info(c).measured) continue;
    EXPECT_EQ(cell_text(oom, c), "OOM") << column_info(c).name;
    EXPECT_EQ(cell_field(oom, c), "") << column_info(c).name;
    EXPECT_FALSE(cell_number(oom, c).has_value()) << column_info(c).name;
  }
  EXPECT_EQ(cell_text(oom, Column::status), "OOM");
  EXPECT_EQ(cell_field(oom, Column::status), "oom");
  EXPECT_EQ(cell_text(oom, Column::q_n), "16384");
  EXPECT_EQ(cell_text(oom, Column::rel_err), "") << "not checked: nothing, not 0";
  EXPECT_EQ(cell_text(failed_result(sample_cell("k"), CellStatus::wrong, ""), Column::median_ms), "wrong");
}

TEST(Columns, PeopleGetFourDigitsProgramsEveryDigit) {
  const CellResult r = ok_result(sample_cell("k"), 116.6522);
  EXPECT_EQ(cell_text(r, Column::median_ms), "116.7");
  EXPECT_EQ(cell_field(r, Column::median_ms), "116.6522");
  EXPECT_EQ(cell_text(ok_result(sample_cell("k"), 0.60234), Column::median_ms), "0.6023");
  EXPECT_EQ(cell_text(r, Column::samples), "37");
  EXPECT_EQ(cell_text(r, Column::rel_err), "0.00032");  // 3.25e-4 is 3.2499...e-4 as a double
  EXPECT_EQ(cell_text(r, Column::causal), "full");
  EXPECT_EQ(cell_text(r, Column::checked), "true");
  EXPECT_EQ(cell_field(r, Column::bytes_estimate), std::to_string(r.cell.bytes_estimate));
  // A statistic the source did not give: "n/a" for people, nothing for programs.
  CellResult summary = r;
  summary.timings.front().time_ms.median = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(cell_text(summary, Column::median_ms), "n/a");
  EXPECT_EQ(cell_field(summary, Column::median_ms), "");
}

// What cell_field writes, read_column reads to the same record: every column, both kinds of cell.
TEST(Columns, EveryFieldReadsBack) {
  // A batch time with slowed samples, a sustained state and clocks read; a cold one whose clocks
  // could not be read; a failed cell.
  CellResult watched = ok_result(sample_cell("flash_mma", 1024, 128, DType::bf16, true), 0.123456789);
  Timing& batch = watched.timings.front();
  batch.mode = TimingMode::batch;
  batch.launches_per_sample = 9;
  batch.noisy = true;
  batch.flagged_samples = 4;
  batch.flags = {"sw_power_cap", "low_clock"};
  batch.pct_of_peak = 12.5;  // what a report derives from the device's peak (peaks.h)
  watched.steady = SteadyRecord{SteadyState::sustained, true};
  watched.clocks = ClockSummary{true, "", 60, 1410, 1755, 1980, 688.25, 71, {"sw_power_cap"}};
  CellResult unread = ok_result(sample_cell("naive", 512), 2.5);
  unread.clocks = ClockSummary{false, "NVML (libnvidia-ml.so.1) not found"};
  for (const CellResult& original :
       {watched, unread, failed_result(sample_cell("naive", 16384), CellStatus::crashed, "signal 11")}) {
    CellResult back;
    back.status = CellStatus::ok;
    for (Column c : all_columns()) read_column(back, c, cell_field(original, c));
    back.cell.tier.name = tier_name(back.cell.tier.shape);  // names are rebuilt from values, not read
    EXPECT_EQ(result_to_json(back).dump(), result_to_json(original).dump());
    EXPECT_EQ(cell_field(back, Column::pct_of_peak), cell_field(original, Column::pct_of_peak));  // not in the record
  }
}

// A row shows one timing: the first, which a form showing one mode puts first.
TEST(Columns, ARowShowsItsFirstTimingAndNamesItsMode) {
  CellResult r = ok_result(sample_cell("k"), 2.0);
  Timing batch = r.timings.front();
  batch.mode = TimingMode::batch;
  batch.time_ms.median = 0.5;
  r.timings.push_back(batch);
  EXPECT_EQ(cell_text(r, Column::mode), "cold");
  EXPECT_EQ(cell_text(r, Column::median_ms), "2");
  const CellResult shown = with_mode_first({r}, TimingMode::batch).front();
  EXPECT_EQ(cell_text(shown, Column::mode), "batch");
  EXPECT_EQ(cell_text(shown, Column::median_ms), "0.5");
  CellResult cold_only = ok_result(sample_cell("k"), 2.0);
  EXPECT_EQ(cell_text(with_mode_first({cold_only}, TimingMode::batch).front(), Column::mode), "cold")
      << "a cell not timed in the mode shown keeps its own, and says so";
  EXPECT_EQ(cell_text(failed_result(sample_cell("k"), CellStatus::oom, "no room"), Column::mode), "");
}

TEST(Columns, ReadingNamesTheRule) {
  EXPECT_EQ(rule_of(Column::head_dim, "6.4"), "'6.4' is not an integer");
  EXPECT_EQ(rule_of(Column::heads, "0"), "must be positive (got 0)");
  EXPECT_EQ(rule_of(Column::batch, ""), "'' is not an integer");
  EXPECT_EQ(rule_of(Column::mean_ms, "fast"), "'fast' is not a number");
  EXPECT_EQ(rule_of(Column::mean_ms, "-0.7"), "a time cannot be negative (got -0.7)");
  EXPECT_EQ(rule_of(Column::mean_ms, "inf"), "'inf' is not a number");
  EXPECT_EQ(rule_of(Column::dtype, "fp64"), "unknown dtype 'fp64' (known: fp32, fp16, bf16, tf32)");
  EXPECT_EQ(rule_of(Column::causal, "yes"), "'yes' is neither causal nor full");
  EXPECT_EQ(rule_of(Column::status, "fine"),
            "unknown status 'fine' (known: ok, oom, unsupported, skipped, wrong, error, crashed, timeout)");
  EXPECT_EQ(rule_of(Column::checked, "1"), "'1' is neither true nor false");
  EXPECT_EQ(rule_of(Column::slices_checked, "0"), "must be positive (got 0)");
  EXPECT_EQ(rule_of(Column::pct_of_peak, "-0.5"), "must not be negative (got -0.5)");
  EXPECT_EQ(rule_of(Column::mode, "warm"), "must be cold, batch or unstated (got 'warm')");
  EXPECT_EQ(rule_of(Column::steady, "hot"), "must be burst or sustained (got 'hot')");
  EXPECT_EQ(rule_of(Column::kernel, ""), "kernel name is empty");
  // Cells that hold no number leave the field unset.
  for (const char* nothing : {"", "n/a", "OOM", "wrong"}) {
    CellResult r;
    read_column(r, Column::median_ms, nothing);
    EXPECT_TRUE(r.timings.empty()) << nothing;
  }
}

// The seed's columns first, in the seed's order, in every form a program reads.
TEST(Columns, TheFormsShowTheirColumns) {
  const std::vector<std::string_view> seed = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                              "heads",  "batch", "avg_ms", "std_ms", "min_ms"};
  for (const auto form : {report_columns(), export_columns()})
    for (std::size_t i = 0; i < seed.size(); ++i) EXPECT_EQ(column_info(form[i]).name, seed[i]) << i;
  const auto report = report_columns();
  EXPECT_EQ(report.back(), Column::message);
  const auto exported = export_columns();
  EXPECT_EQ(std::set<Column>(exported.begin(), exported.end()).size(), static_cast<std::size_t>(Column::count_))
      << "the CSV holds every column once";
  const auto table = table_columns();
  for (Column c : {Column::kernel, Column::status, Column::mode, Column::median_ms, Column::tflops, Column::rel_err,
                   Column::noisy, Column::flagged_samples, Column::message})
    EXPECT_NE(std::find(table.begin(), table.end(), c), table.end()) << column_info(c).name;
  for (Column c : {Column::mode, Column::noisy, Column::flagged_samples})
    EXPECT_NE(std::find(report.begin(), report.end(), c), report.end()) << column_info(c).name;
}

}  // namespace
}  // namespace attnsweep
