// A worker for tests: `attnsweep-fake-worker [--mode MODE]`.
//   real           the real worker loop (run_worker) on the CPU device
//   junk           the real loop, but a junk line follows every event and stderr chatters
//   wrong-version  answers hello with protocol version 99, then waits for end of input
//   exit-early     writes a reason to stderr and exits with code 7 before any hello
//   silent         reads its input and never answers
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "attnsweep/engine/worker.h"
#include "attnsweep/engine/worker_protocol.h"

namespace {

// Passes output through and writes one junk line after each line (cycling through kinds of junk
// a broken peer might send), so the driver meets junk while idle and while a cell runs.
class JunkAfterEachLine final : public std::streambuf {
 public:
  explicit JunkAfterEachLine(std::streambuf* out) : out_(out) {}

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    if (out_->sputc(static_cast<char>(c)) == traits_type::eof()) return traits_type::eof();
    if (c == '\n') {
      static const std::string_view kJunk[] = {
          "this is not json",
          "{\"type\":\"cell_res",                       // truncated
          "{\"type\":\"mystery\",\"x\":1}",             // unknown type
          "[1,2,3]",                                    // not an object
          "{\"type\":\"cell_result\",\"seq\":\"seven\"}",  // mistyped field
          "\xff\xfe binary \x01\x02",
      };
      const std::string_view junk = kJunk[n_++ % std::size(kJunk)];
      out_->sputn(junk.data(), static_cast<std::streamsize>(junk.size()));
      out_->sputc('\n');
    }
    return c;
  }
  int sync() override { return out_->pubsync(); }

 private:
  std::streambuf* out_;
  std::size_t n_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "real";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--mode") mode = argv[i + 1];

  attnsweep::WorkerOptions options;
  options.backend = attnsweep::Backend::cpu;
  options.name = "attnsweep-fake-worker";

  if (mode == "real") return attnsweep::run_worker(std::cin, std::cout, options);
  if (mode == "junk") {
    std::cerr << "fake worker: junk mode\n";
    JunkAfterEachLine junk(std::cout.rdbuf());
    std::ostream out(&junk);
    std::cout << "junk before hello\n" << std::flush;
    return attnsweep::run_worker(std::cin, out, options);
  }
  if (mode == "wrong-version") {
    std::string line;
    std::getline(std::cin, line);
    std::cout << R"({"type":"hello","protocol":99,"worker":"fake from the future"})" << std::endl;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }
  if (mode == "exit-early") {
    std::cerr << "fake worker: exiting early on purpose\n";
    return 7;
  }
  if (mode == "silent") {
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    return 0;
  }
  std::cerr << "attnsweep-fake-worker: unknown --mode '" << mode
            << "' (known: real, junk, wrong-version, exit-early, silent)\n";
  return 2;
}
