#include "attnsweep/engine/seed_import.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "attnsweep/engine/environment.h"

namespace attnsweep {

namespace {

constexpr std::array<std::string_view, 10> kSeedColumns = {"Kernel", "Tier",  "Q_N",    "K_N",    "head_dim",
                                                           "heads",  "batch", "avg_ms", "std_ms", "min_ms"};

// The seed says neither; these are the honest guesses, and the header says they are guesses.
constexpr DType kAssumedDtype = DType::fp16;
constexpr bool kAssumedCausal = false;

constexpr std::string_view kOomMessage = "0 ms in the seed table: did not run there (out of memory)";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string expected_columns() {
  std::string s;
  for (std::string_view c : kSeedColumns) s += (s.empty() ? "" : " | ") + std::string(c);
  return s;
}

// "| a | b |" -> {"a", "b"}; a "\|" inside a cell is a literal pipe.
std::vector<std::string> split_row(std::string_view line) {
  line = trim(line);
  if (!line.empty() && line.front() == '|') line.remove_prefix(1);
  if (!line.empty() && line.back() == '|' && !(line.size() >= 2 && line[line.size() - 2] == '\\')) line.remove_suffix(1);
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.emplace_back(trim(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  cells.emplace_back(trim(cell));
  return cells;
}

bool is_separator_cell(std::string_view c) {
  if (!c.empty() && c.front() == ':') c.remove_prefix(1);
  if (!c.empty() && c.back() == ':') c.remove_suffix(1);
  return !c.empty() && c.find_first_not_of('-') == std::string_view::npos;
}

class SeedParser {
 public:
  SeedParser(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(std::size_t line, const std::string& rule) const {
    throw std::runtime_error(source_ + ": line " + std::to_string(line) + ": " + rule);
  }
  [[noreturn]] void fail(std::size_t line, std::size_t column, const std::string& rule) const {
    throw std::runtime_error(source_ + ": line " + std::to_string(line) + ", column " + std::to_string(column + 1) +
                             " (" + std::string(kSeedColumns[column]) + "): " + rule);
  }

  std::int64_t positive_integer(const std::string& text, std::size_t line, std::size_t column) const {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty())
      fail(line, column, "'" + text + "' is not an integer");
    if (v < 1) fail(line, column, "must be positive (got " + text + ")");
    return v;
  }

  double milliseconds(const std::string& text, std::size_t line, std::size_t column) const {
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(v))
      fail(line, column, "'" + text + "' is not a number");
    if (v < 0) fail(line, column, "a time cannot be negative (got " + text + ")");
    return v;
  }

 private:
  std::string source_;
};

}  // namespace

ResultFile import_seed_markdown(const std::string& markdown_text, const std::string& source_name) {
  const SeedParser parser(source_name);

  std::vector<std::string_view> lines;
  for (std::size_t begin = 0; begin <= markdown_text.size();) {
    std::size_t end = markdown_text.find('\n', begin);
    if (end == std::string::npos) end = markdown_text.size();
    lines.emplace_back(std::string_view(markdown_text).substr(begin, end - begin));
    begin = end + 1;
  }
  auto is_table_line = [&](std::size_t i) { return i < lines.size() && trim(lines[i]).starts_with('|'); };

  // The title (first "# " heading above the table) names the imported sweep.
  std::string title;
  std::size_t header = 0;
  while (header < lines.size() && !is_table_line(header)) {
    const std::string_view t = trim(lines[header]);
    if (title.empty() && t.starts_with("# ")) title = std::string(trim(t.substr(2)));
    ++header;
  }
  if (header == lines.size())
    throw std::runtime_error(source_name + ": no Markdown table found (expected columns " + expected_columns() + ")");

  const std::vector<std::string> names = split_row(lines[header]);
  if (names.size() != kSeedColumns.size())
    parser.fail(header + 1, std::to_string(names.size()) + " columns, expected " + std::to_string(kSeedColumns.size()) +
                                ": " + expected_columns());
  for (std::size_t c = 0; c < names.size(); ++c)
    if (names[c] != kSeedColumns[c])
      parser.fail(header + 1, c, "column is named '" + names[c] + "'; expected columns " + expected_columns());

  const std::size_t separator = header + 1;
  bool separator_ok = is_table_line(separator);
  if (separator_ok)
    for (const std::string& c : split_row(lines[separator])) separator_ok = separator_ok && is_separator_cell(c);
  if (!separator_ok) parser.fail(separator + 1, "expected the separator row |---|---| under the column names");

  ResultFile file;
  std::map<std::string, std::size_t> line_of_id;
  std::size_t i = separator + 1;
  for (; is_table_line(i); ++i) {
    const std::size_t line = i + 1;
    const std::vector<std::string> v = split_row(lines[i]);
    if (v.size() != kSeedColumns.size())
      parser.fail(line, std::to_string(v.size()) + " cells, expected " + std::to_string(kSeedColumns.size()));
    if (v[0].empty()) parser.fail(line, 0, "kernel name is empty");

    CellResult r;
    r.cell.kernel = v[0];
    // v[1], the seed's tier name, is dropped: it contradicts the row's values. Names come from values.
    TierShape& s = r.cell.tier.shape;
    s.q_n = parser.positive_integer(v[2], line, 2);
    s.k_n = parser.positive_integer(v[3], line, 3);
    s.head_dim = parser.positive_integer(v[4], line, 4);
    s.heads = parser.positive_integer(v[5], line, 5);
    s.batch = parser.positive_integer(v[6], line, 6);
    r.cell.tier.name = tier_name(s);
    r.cell.dtype = kAssumedDtype;
    r.cell.causal = kAssumedCausal;

    const double avg = parser.milliseconds(v[7], line, 7);
    const double std_ms = parser.milliseconds(v[8], line, 8);
    const double min = parser.milliseconds(v[9], line, 9);
    if (avg == 0 && std_ms == 0 && min == 0) {
      r.status = CellStatus::oom;
      r.message = std::string(kOomMessage);
    } else if (avg == 0 || min == 0) {
      parser.fail(line, avg == 0 ? 7 : 9, "0 beside non-zero times: neither a time nor a cell that did not run");
    } else {
      r.status = CellStatus::ok;
      Timing& timing = r.timings.emplace_back();
      timing.mode = TimingMode::unstated;  // the seed does not say how it timed
      SampleStats& t = timing.time_ms;
      constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
      t.samples = 0;  // not stated by the seed: a summary, not samples
      t.mean = avg;
      t.std = std_ms;
      t.min = min;
      t.median = t.max = t.p10 = t.p90 = t.ci_low = t.ci_high = unknown;
      const AttentionProblem p = r.cell.problem();
      timing.tflops = p.flops() / (avg * 1e-3) / 1e12;  // from the mean: the seed has no median
      timing.gbps = p.min_bytes() / (avg * 1e-3) / 1e9;
    }

    const std::string id = r.cell.id();
    if (const auto it = line_of_id.find(id); it != line_of_id.end())
      parser.fail(line, "the same kernel and tier values as line " + std::to_string(it->second));
    line_of_id.emplace(id, line);
    file.results.push_back(std::move(r));
  }
  if (file.results.empty()) parser.fail(separator + 2, "the table has no rows");

  file.header = {
      {"type", "header"},
      {"schema", kResultSchema},
      {"tool", "attnsweep"},
      {"name", title.empty() ? source_name : title},
      {"source", {{"kind", "seed-markdown"}, {"file", source_name}, {"title", title}, {"rows", file.results.size()}}},
      {"assumed",
       {{"dtype", std::string(dtype_name(kAssumedDtype))},
        {"causal", kAssumedCausal},
        {"note",
         "The seed table states neither dtype nor masking. Its rows are PyTorch/Triton runs taken as fp16 "
         "without a causal mask (Triton's FlashAttention runs in fp16/bf16 only). Times are the seed's "
         "avg/std/min; its median, sample count and environment are unknown. Tier names are rebuilt from "
         "each row's values."}}},
      {"imported", utc_now_iso8601()},
  };
  return file;
}

}  // namespace attnsweep
