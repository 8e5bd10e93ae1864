#include "attnsweep/engine/seed_import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "attnsweep/engine/report.h"

namespace attnsweep {
namespace {

// A copy of the table that started the project (seeds/000_44dcfb095d361470.txt).
const std::string kSeedPath = std::string(ATTNSWEEP_SOURCE_DIR) + "/tests/engine/data/seed_000_44dcfb095d361470.md";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// The seed's own rows, read independently of the importer: (kernel, Q_N, head_dim, heads, batch) -> avg is 0.
struct SeedRow {
  std::string kernel;
  std::int64_t n, d, h, b;
  double avg, std_ms, min;
};
std::vector<SeedRow> rows_of(const std::string& text) {
  std::vector<SeedRow> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("| ") || line.starts_with("| Kernel")) continue;
    std::istringstream cells(line);
    std::string kernel, tier, bar;
    SeedRow r;
    std::int64_t k_n;
    cells >> bar >> r.kernel >> bar >> tier >> bar >> r.n >> bar >> k_n >> bar >> r.d >> bar >> r.h >> bar >> r.b >> bar >>
        r.avg >> bar >> r.std_ms >> bar >> r.min;
    rows.push_back(r);
  }
  return rows;
}

TEST(SeedImport, TheRealSeedTable) {
  const std::string text = read_text(kSeedPath);
  ASSERT_FALSE(text.empty()) << kSeedPath;
  const std::vector<SeedRow> seed = rows_of(text);
  ASSERT_EQ(seed.size(), 96u);

  const ResultFile f = import_seed_markdown(text, "seed.md");
  ASSERT_EQ(f.results.size(), 96u);
  std::set<std::string> tiers, kernels;
  int oom = 0;
  for (std::size_t i = 0; i < seed.size(); ++i) {
    const CellResult& r = f.results[i];
    const SeedRow& s = seed[i];
    EXPECT_EQ(r.cell.kernel, s.kernel);
    EXPECT_EQ(r.cell.tier.shape, (TierShape{s.n, s.n, s.d, s.h, s.b}));
    EXPECT_EQ(r.cell.tier.name, tier_name(r.cell.tier.shape));
    if (s.avg == 0) {  // exactly the zero rows become oom, with no time
      ++oom;
      EXPECT_EQ(r.status, CellStatus::oom) << i;
      EXPECT_EQ(r.message, "0 ms in the seed table: did not run there (out of memory)");
      EXPECT_TRUE(r.timings.empty());
    } else {
      ASSERT_EQ(r.status, CellStatus::ok) << i;
      ASSERT_EQ(r.timings.size(), 1u);
      const Timing& t = r.timings[0];
      EXPECT_EQ(t.mode, TimingMode::unstated);  // the seed does not say how it timed
      EXPECT_EQ(t.time_ms.samples, 0);
      EXPECT_DOUBLE_EQ(t.time_ms.mean, s.avg);
      EXPECT_DOUBLE_EQ(t.time_ms.std, s.std_ms);
      EXPECT_DOUBLE_EQ(t.time_ms.min, s.min);
      EXPECT_TRUE(std::isnan(t.time_ms.median));  // the seed has none
      EXPECT_NEAR(t.tflops, r.cell.problem().flops() / (s.avg * 1e-3) / 1e12, 1e-9);
    }
    tiers.insert(r.cell.tier.name);
    kernels.insert(r.cell.kernel);
  }
  EXPECT_EQ(oom, 17);
  EXPECT_EQ(tiers.size(), 24u);
  EXPECT_TRUE(tiers.count("hd64-h12-b1-n512"));  // the seed called it "Long-hd128-12h-1b-512"
  EXPECT_TRUE(tiers.count("hd256-h24-b2-n16k"));
  for (const std::string& t : tiers) EXPECT_EQ(t.find("Long"), std::string::npos) << t;
  EXPECT_EQ(kernels, (std::set<std::string>{"scaled_dot_prod_attention", "vectorized_torch",
                                            "vectorized_torch_compiled", "flash_attention_triton"}));

  // The header says where the cells came from and what was assumed.
  EXPECT_EQ(f.header["type"], "header");
  EXPECT_EQ(f.header["schema"], kResultSchema);
  EXPECT_EQ(f.header["name"], "Attention Forward Benchmark Sweep");
  EXPECT_EQ(f.header["source"]["kind"], "seed-markdown");
  EXPECT_EQ(f.header["source"]["file"], "seed.md");
  EXPECT_EQ(f.header["assumed"]["dtype"], "fp16");
  EXPECT_EQ(f.header["assumed"]["causal"], false);
  EXPECT_FALSE(f.header.contains("spec"));
}

TEST(SeedImport, ReportOfTheSeedShowsOomNotZero) {
  const ResultFile f = import_seed_markdown(read_text(kSeedPath), "seed.md");
  const std::string md = report_markdown(f);
  EXPECT_NE(md.find("| scaled_dot_prod_attention | hd64-h12-b1-n16k | 16384 | 16384 | 64 | 12 | 1 | fp16 | full | OOM | "
                    "OOM | OOM | OOM | OOM |"),
            std::string::npos);
  EXPECT_NE(md.find("| flash_attention_triton | hd256-h24-b2-n16k | 16384 | 16384 | 256 | 24 | 2 | fp16 | full | 2598 | "
                    "0.6678 | 2597 | n/a |"),
            std::string::npos);
  EXPECT_EQ(md.find("| 0 |"), std::string::npos);
  EXPECT_NE(md.find("- **Assumed:** dtype fp16, causal false."), std::string::npos);
  EXPECT_NE(md.find("![Scaling curve](attention_sweep_scaling.png)"), std::string::npos);
}

TEST(SeedImport, BadMarkdownNamesTheLineAndColumn) {
  const std::string head =
      "# t\n\n| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms |\n"
      "|---|---|---|---|---|---|---|---|---|---|\n";
  auto import_error = [](const std::string& text) { return error_of([&] { (void)import_seed_markdown(text, "s.md"); }); };

  EXPECT_EQ(import_error("# nothing here\n"),
            "s.md: no Markdown table found (expected columns Kernel | Tier | Q_N | K_N | head_dim | heads | batch | "
            "avg_ms | std_ms | min_ms)");
  EXPECT_EQ(import_error("| Kernel | Tier | Q_N |\n|---|---|---|\n"),
            "s.md: line 1: 3 columns, expected 10: Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | "
            "std_ms | min_ms");
  EXPECT_EQ(import_error("| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg | std_ms | min_ms |\n"),
            "s.md: line 1, column 8 (avg_ms): column is named 'avg'; expected columns Kernel | Tier | Q_N | K_N | "
            "head_dim | heads | batch | avg_ms | std_ms | min_ms");
  EXPECT_EQ(import_error("| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms |\n| a |\n"),
            "s.md: line 2: expected the separator row |---|---| under the column names");
  EXPECT_EQ(import_error(head), "s.md: line 5: the table has no rows");
  EXPECT_EQ(import_error(head + "| k | t | 512 | 512 | 64 | 12 | 1 | fast | 0.1 | 0.6 |\n"),
            "s.md: line 5, column 8 (avg_ms): 'fast' is not a number");
  EXPECT_EQ(import_error(head + "| k | t | 512 | 512 | 6.4 | 12 | 1 | 0.7 | 0.1 | 0.6 |\n"),
            "s.md: line 5, column 5 (head_dim): '6.4' is not an integer");
  EXPECT_EQ(import_error(head + "| k | t | 512 | 512 | 64 | 0 | 1 | 0.7 | 0.1 | 0.6 |\n"),
            "s.md: line 5, column 6 (heads): must be positive (got 0)");
  EXPECT_EQ(import_error(head + "| k | t | 512 | 512 | 64 | 12 | 1 | -0.7 | 0.1 | 0.6 |\n"),
            "s.md: line 5, column 8 (avg_ms): a time cannot be negative (got -0.7)");
  EXPECT_EQ(import_error(head + "| k | t | 512 | 512 | 64 | 12 | 1 | 0.7 | 0.1 |\n"), "s.md: line 5: 9 cells, expected 10");
  EXPECT_EQ(import_error(head + "| k | t | 512 | 512 | 64 | 12 | 1 | 0 | 0.1 | 0.6 |\n"),
            "s.md: line 5, column 8 (avg_ms): 0 beside non-zero times: neither a time nor a cell that did not run");
  EXPECT_EQ(import_error(head + "| k | a | 512 | 512 | 64 | 12 | 1 | 0.7 | 0.1 | 0.6 |\n"
                                "| k | b | 512 | 512 | 64 | 12 | 1 | 0.8 | 0.1 | 0.6 |\n"),
            "s.md: line 6: the same kernel and tier values as line 5");
}

TEST(SeedImport, QNDifferentFromKNGetsBothInTheName) {
  const std::string text =
      "| Kernel | Tier | Q_N | K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms |\n"
      "|:---|---|---:|---|---|---|---|---|---|---|\n"
      "| k | whatever | 1024 | 4096 | 64 | 12 | 1 | 1.5 | 0.1 | 1.4 |\n";
  const ResultFile f = import_seed_markdown(text, "s.md");
  ASSERT_EQ(f.results.size(), 1u);
  EXPECT_EQ(f.results[0].cell.tier.name, "hd64-h12-b1-q1k-k4k");
  EXPECT_EQ(f.header["name"], "s.md");  // no title: the file names it
}

}  // namespace
}  // namespace attnsweep
