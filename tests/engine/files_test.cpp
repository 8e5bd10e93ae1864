// Reading and writing files by one set of rules (files.cpp): regular files of bounded size only;
// outputs whole or not at all, never replacing a file unasked.
#include "attnsweep/engine/files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "sample_results.h"

namespace attnsweep {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

std::string read(const std::string& path) { return read_input_file(path, kMaxResultsBytes); }

TEST(Files, ReadsARegularFileWhole) {
  TempDir dir;
  const std::string path = dir.file("a.txt");
  std::ofstream(path, std::ios::binary) << std::string("line 1\nline\0 2", 14);
  EXPECT_EQ(read(path), std::string("line 1\nline\0 2", 14));
  std::ofstream(dir.file("empty.txt")).close();
  EXPECT_EQ(read(dir.file("empty.txt")), "");
}

TEST(Files, RefusesWhatIsNotARegularFileAtOnce) {
  TempDir dir;
  EXPECT_EQ(error_of([&] { read(dir.file("missing")); }), dir.file("missing") + ": no such file");
  EXPECT_NE(error_of([&] { read(dir.file("")); }).find("is a folder"), std::string::npos);
  // Endless (/dev/zero), or blocking until a writer comes (a FIFO): refused before a byte is read.
  EXPECT_NE(error_of([&] { read("/dev/zero"); }).find("/dev/zero: is a device"), std::string::npos);
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(error_of([&] { read(fifo); }).find("is a FIFO"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << "opening the FIFO blocked";
}

TEST(Files, RefusesAFileOverTheLimit) {
  TempDir dir;
  const std::string path = dir.file("big");
  std::ofstream(path) << std::string(2048, 'x');
  EXPECT_EQ(read_input_file(path, 2048).size(), 2048u);
  EXPECT_EQ(error_of([&] { read_input_file(path, 2047); }), path + ": is 2 KiB; files over 2 KiB are not read");
}

TEST(Files, WritesWholeAndReplacesOnlyWhenAsked) {
  TempDir dir;
  const std::string path = dir.file("out.md");
  write_output_file(path, "first", false);
  EXPECT_EQ(read(path), "first");
  EXPECT_EQ(error_of([&] { write_output_file(path, "second", false, "replace it with --force"); }),
            path + ": exists; replace it with --force");
  EXPECT_EQ(read(path), "first");
  write_output_file(path, "second", true);
  EXPECT_EQ(read(path), "second");
  for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path()))
    EXPECT_EQ(entry.path().filename(), "out.md") << "a temporary file was left behind";
}

TEST(Files, NeverWritesOverWhatIsNotARegularFile) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_NE(error_of([&] { write_output_file(fifo, "x", true); }).find("is a FIFO"), std::string::npos);
  EXPECT_NE(error_of([&] { check_output_path("/dev/null", true, ""); }).find("is a device"), std::string::npos);
  EXPECT_NE(error_of([&] { write_output_file(dir.file("no/such/folder/x.md"), "x", true); }).find("cannot create"),
            std::string::npos);
}

}  // namespace
}  // namespace attnsweep
