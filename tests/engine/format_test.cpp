// The one number formatter of tables, reports and pictures (format.cpp).
#include "attnsweep/engine/format.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "attnsweep/engine/correctness.h"
#include "attnsweep/engine/measure.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/spec.h"
#include "attnsweep/kernels/device.h"
#include "sample_results.h"
#include "support/comma_locale.h"

namespace attnsweep {
namespace {

TEST(Format, FourSignificantDigitsTrailingZerosDropped) {
  EXPECT_EQ(format_number(0.72934), "0.7293");
  EXPECT_EQ(format_number(116.6522), "116.7");
  EXPECT_EQ(format_number(2598.4), "2598");
  EXPECT_EQ(format_number(1234.6), "1235");
  EXPECT_EQ(format_number(123456.0), "123456");
  EXPECT_EQ(format_number(0.012346), "0.01235");
  EXPECT_EQ(format_number(1.5), "1.5");
  EXPECT_EQ(format_number(0.0056), "0.0056");  // a source's digits, not more
  EXPECT_EQ(format_number(9999.6), "10000");   // rounded before the digits are counted
  EXPECT_EQ(format_number(-0.25), "-0.25");
  EXPECT_EQ(format_number(0), "0");
  EXPECT_EQ(format_number(1.2345e-12), "1.235e-12");
  EXPECT_EQ(format_number(2.0, 3), "2");
  EXPECT_EQ(format_number(std::numeric_limits<double>::quiet_NaN()), "n/a");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "n/a");
}

TEST(Format, ErrorsInTwoDigits) {
  EXPECT_EQ(format_sci(3.1e-7), "3.1e-07");
  EXPECT_EQ(format_sci(3.3e-4), "0.00033");
  EXPECT_EQ(format_sci(std::numeric_limits<double>::quiet_NaN()), "n/a");
}

TEST(Format, StatusesAndMasks) {
  EXPECT_EQ(status_label(CellStatus::oom), "OOM");
  EXPECT_EQ(status_label(CellStatus::timeout), "timeout");
  EXPECT_EQ(status_label(CellStatus::ok), "ok");
  EXPECT_EQ(causal_label(true), "causal");
  EXPECT_EQ(causal_label(false), "full");
}

TEST(Format, SizesAndFixedDecimals) {
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(4.0 * (std::uint64_t{1} << 40)), "4 TiB");
  EXPECT_EQ(format_bytes(100), "100 B");
  EXPECT_EQ(format_fixed(1.5, 2), "1.50");
  EXPECT_EQ(format_sci(0.031234, 3), "0.0312");
}

// What a worker, a kernel or a file says reaches a terminal as text: a log line that set the
// window title or cleared the screen is shown, escaped, instead of obeyed.
TEST(Format, PrintableTextEscapesWhatATerminalWouldObey) {
  EXPECT_EQ(printable_text("plain text · µs ✓"), "plain text · µs ✓") << "printable UTF-8 stays";
  EXPECT_EQ(printable_text("\x1b]0;pwned\x07\x1b[2J"), "\\x1b]0;pwned\\x07\\x1b[2J");
  EXPECT_EQ(printable_text("two\nlines\r\tend"), "two\\x0alines\\x0d\\x09end");
  EXPECT_EQ(printable_text("\xc2\x9b" "31m"), "\\xc2\\x9b31m") << "a C1 control (CSI) in UTF-8";
  EXPECT_EQ(printable_text("\xff\xfe\xc3"), "\\xff\\xfe\\xc3") << "bytes that are not UTF-8";
  EXPECT_EQ(printable_text(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable_text("\xed\xa0\x80"), "\\xed\\xa0\\x80") << "an encoded surrogate";
  EXPECT_EQ(printable_text("abcdef", 3), "abc...");
  EXPECT_EQ(printable_lines("| a |\r\n| b\x1b[31m |\n\tend\r"), "| a |\r\n| b\\x1b[31m |\n\tend\\x0d");
}

// Every number written for people or programs is the same under any locale: a German user's
// comma must never turn 0.0013 into 0,0013 (or a CSV's 0.5 into two fields).
TEST(Format, NumbersWeWriteDoNotChangeWithTheLocale) {
  auto everything = [] {
    ResultFile f = testing::sample_result_file();
    CheckResult failed;
    failed.checked = true;
    failed.max_abs_err = 0.0312345;
    failed.tolerance = 0.0013;
    failed.naive_max_abs_err = 0.00061;
    CellResult huge;  // a cell that cannot fit: the oom message names sizes in GiB
    huge.cell = testing::sample_cell("cpu_flash", 1 << 20, 1024, DType::fp32);
    huge.cell.tier.shape.heads = 64;
    huge.cell.tier.name = tier_name(huge.cell.tier.shape);
    auto device = make_cpu_device();
    const CellResult oom = measure_cell(*find_kernel("cpu_flash"), *device, huge.cell, MeasureOptions{});
    const SpecParseResult spec = parse_spec(
        R"({"name":"x","kernels":["cpu_flash"],"dtypes":["fp32"],"tiers":[{"q_n":1048576,"head_dim":1024,"heads":2048,"batch":1}],"timing":{"max_cell_s":1e10}})");
    std::string errors;
    for (const SpecError& e : spec.errors) errors += e.to_string() + "\n";
    // The oom message last: it names the free memory, which changes from call to call.
    return std::vector<std::string>{report_markdown(f), report_csv(f), report_json(f), report_html(f),
                                    describe_failure(failed), errors, format_number(0.0013),
                                    format_fixed(1.5, 2), format_bytes(1536), oom.message};
  };
  const std::vector<std::string> in_c = everything();
  test_support::CommaLocale comma;
  if (!comma.active()) GTEST_SKIP() << test_support::CommaLocale::kWhyNot;
  const std::vector<std::string> in_comma = everything();
  ASSERT_EQ(in_c.size(), in_comma.size());
  for (std::size_t i = 0; i + 1 < in_c.size(); ++i) EXPECT_EQ(in_comma[i], in_c[i]) << "text " << i;
  const std::string& oom = in_comma.back();
  EXPECT_NE(oom.find(" GiB"), std::string::npos) << oom;
  for (std::size_t i = 1; i + 1 < oom.size(); ++i)
    EXPECT_FALSE(oom[i] == ',' && std::isdigit(static_cast<unsigned char>(oom[i - 1])) &&
                 std::isdigit(static_cast<unsigned char>(oom[i + 1])))
        << oom;
  EXPECT_NE(in_c[4].find("0.0312"), std::string::npos) << in_c[4];
}

}  // namespace
}  // namespace attnsweep
