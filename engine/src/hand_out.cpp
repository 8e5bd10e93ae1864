#include "attnsweep/engine/hand_out.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "attnsweep/engine/environment.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/json_input.h"
#include "attnsweep/engine/result_json.h"
#include "attnsweep/engine/schedule.h"

namespace attnsweep {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kReceiveWait = std::chrono::microseconds(200);  // rank 0's longest nap between looks

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string milliseconds_text(double seconds) { return format_fixed(seconds * 1e3, 2); }

// A message from another rank, held to the rules of every JSON input (json_input.h); null when it
// breaks them, which the callers treat as a message that is not one.
json parse_message(const std::string& text) {
  try {
    return parse_json(text);
  } catch (const std::runtime_error&) {
    return json();
  }
}

std::string host_of(const json& hello) {
  const json env = hello.value("environment", json());
  return env.is_object() ? env.value("host", std::string("?")) : "?";
}

std::string rank_name(int rank, const json& hello) { return "rank " + std::to_string(rank) + " on " + host_of(hello); }

bool is_bye(const std::string& message) {
  const json j = parse_message(message);
  return j.is_object() && j.value("kind", std::string()) == "bye";
}

// What each rank told rank 0 when it said bye, summed.
struct WaitTotals {
  std::int64_t waits = 0;  // hand-outs that followed a result
  double seconds = 0;
  double max_seconds = 0;
};

class HandOutExecutor final : public Executor {
 public:
  HandOutExecutor(std::unique_ptr<RankLinks> links, std::vector<json> hellos, std::unique_ptr<Executor> own,
                  SweepSpec spec)
      : links_ptr_(std::move(links)),
        links_(*links_ptr_),
        hellos_(std::move(hellos)),
        own_(std::move(own)),
        spec_(std::move(spec)) {}

  ~HandOutExecutor() override {
    if (!ran_) stop_remote_ranks(links_);
  }

  std::string describe() const override {
    std::set<std::string> hosts;
    for (const json& h : hellos_) hosts.insert(host_of(h));
    const auto n = hellos_.size();
    return "mpi: " + std::to_string(n) + (n == 1 ? " rank" : " ranks") + " on " + std::to_string(hosts.size()) +
           (hosts.size() == 1 ? " host" : " hosts") + "; rank 0: " + own_->describe();
  }
  const Device* device() const override { return own_->device(); }
  DeviceCaps caps() const override { return own_->caps(); }
  json ranks() const override {
    json out = json::array();
    for (const json& h : hellos_)
      out.push_back({{"rank", h.value("rank", 0)},
                     {"node_rank", h.value("node_rank", 0)},
                     {"executor", h.value("executor", std::string())},
                     {"environment", h.value("environment", json())}});
    return out;
  }

  // Tells every other rank to stop and waits for their byes: for a sweep that ends before run().
  static void stop_remote_ranks(RankLinks& links) {
    for (int r = 1; r < links.size(); ++r) links.assign(r, std::nullopt);
    for (int byes = 0; byes < links.size() - 1;) {
      if (const std::optional<RankMessage> m = links.receive(kReceiveWait)) byes += is_bye(m->text);
    }
  }

  bool run(const Plan& plan, const RunOptions& opts, const SweepObserver& obs,
           const std::function<void(const CellResult&)>& sink) override {
    ran_ = true;
    Run run{plan, obs, sink, opts.cancel};
    for (std::size_t i : largest_first(plan))
      if (!opts.done_ids.count(plan.cells[i].id())) run.pending.push_back(i);
    run.ranks.resize(static_cast<std::size_t>(links_.size()));

    std::thread own_thread([&] { serve_cells(links_.own_link(), *own_, spec_, opts.cancel); });
    // However run() ends, rank 0's own thread is told to stop and joined (after its current cell).
    struct JoinOwn {
      RankLinks& links;
      std::thread& thread;
      bool& stopped;
      ~JoinOwn() {
        if (!stopped) links.assign(0, std::nullopt);
        thread.join();
      }
    } join_own{links_, own_thread, run.ranks[0].stop_sent};

    try {
      for (int r = 0; r < links_.size(); ++r) give(run, r);
      while (run.byes < links_.size()) {
        if (run.cancel && run.cancel->load()) run.cancelled = true;
        stop_idle_ranks_when_done(run);
        if (const std::optional<RankMessage> m = links_.receive(kReceiveWait)) on_message(run, *m);
      }
    } catch (...) {
      // The result file failed (or a message could not be sent): every rank stops after its cell,
      // so that all of them end.
      for (int r = 0; r < links_.size(); ++r)
        if (!run.ranks[r].stop_sent) stop(run, r);
      while (run.byes < links_.size())
        if (const std::optional<RankMessage> m = links_.receive(kReceiveWait)) run.byes += is_bye(m->text);
      throw;
    }

    const WaitTotals& w = run.waits;
    if (w.waits > 0 && obs.log)
      obs.log("info", "hand-out: " + std::to_string(w.waits) +
                          " cells handed to a rank right after its result; it waited " +
                          milliseconds_text(w.seconds / w.waits) + " ms for each on average (longest " +
                          milliseconds_text(w.max_seconds) + " ms)");
    if (!run.pending.empty() && !run.cancelled)
      throw std::runtime_error("no rank is left to run the remaining " + std::to_string(run.pending.size()) +
                               " cells; the cells finished so far are in the result file (continue with --resume)");
    return !run.cancelled;
  }

 private:
  struct RankState {
    std::optional<std::size_t> cell;  // the cell it is measuring
    bool stop_sent = false;
    bool retired = false;  // its executor gave up: no more cells
  };
  struct Run {
    const Plan& plan;
    const SweepObserver& obs;
    const std::function<void(const CellResult&)>& sink;
    const std::atomic<bool>* cancel;
    std::deque<std::size_t> pending{};  // plan indices, largest first
    std::vector<RankState> ranks{};
    int byes = 0;
    bool cancelled = false;
    WaitTotals waits{};
  };

  void log(const Run& run, const std::string& level, const std::string& text) const {
    if (run.obs.log) run.obs.log(level, text);
  }

  // The rank's next cell; a rank with nothing to do waits (a busy rank's cell may come back).
  void give(Run& run, int r) {
    RankState& rank = run.ranks[r];
    rank.cell.reset();
    if (rank.retired || run.cancelled || run.pending.empty()) return;
    const std::size_t index = run.pending.front();
    run.pending.pop_front();
    rank.cell = index;
    if (run.obs.cell_started) run.obs.cell_started(index, run.plan.cells[index]);
    links_.assign(r, run.plan.cells[index].id());
  }

  void stop(Run& run, int r) {
    run.ranks[r].stop_sent = true;
    links_.assign(r, std::nullopt);
  }

  void stop_idle_ranks_when_done(Run& run) {
    const bool busy =
        std::any_of(run.ranks.begin(), run.ranks.end(), [](const RankState& s) { return s.cell.has_value(); });
    if (busy) {
      // A cell handed back by a retiring rank goes to a rank that waits.
      for (int r = 0; r < links_.size() && !run.pending.empty() && !run.cancelled; ++r)
        if (!run.ranks[r].cell && !run.ranks[r].stop_sent && !run.ranks[r].retired) give(run, r);
      return;
    }
    for (int r = 0; r < links_.size(); ++r) {
      if (!run.ranks[r].stop_sent && !run.ranks[r].cell) {
        give(run, r);
        if (!run.ranks[r].cell) stop(run, r);
      }
    }
  }

  void on_message(Run& run, const RankMessage& m) {
    const json j = parse_message(m.text);
    const std::string who = rank_name(m.rank, hellos_[m.rank]);
    if (!j.is_object() || !j.contains("kind")) {
      log(run, "error", who + " sent a message that is not one (ignored): " + m.text.substr(0, 160));
      return;
    }
    const std::string kind = j.value("kind", std::string());
    RankState& rank = run.ranks[m.rank];
    if (kind == "log") {
      log(run, j.value("level", std::string("info")),
          "rank " + std::to_string(m.rank) + ": " + j.value("text", std::string()));
    } else if (kind == "bye") {
      ++run.byes;
      run.waits.waits += j.value("waits", std::int64_t{0});
      run.waits.seconds += j.value("wait_s", 0.0);
      run.waits.max_seconds = std::max(run.waits.max_seconds, j.value("max_wait_s", 0.0));
    } else if (!rank.cell || j.value("cell", std::string()) != run.plan.cells[*rank.cell].id()) {
      log(run, "error",
          who + " answered for cell " + j.value("cell", std::string("?")) + ", which it was not given (ignored)");
    } else if (kind == "result") {
      const std::size_t index = *rank.cell;
      CellResult result;
      try {
        // Judged as a worker's answer is (admit_result): impossible times are never recorded as ok.
        result = read_result_json(j.at("record"));
        if (result.cell.id() != run.plan.cells[index].id())
          throw std::runtime_error("its record is for cell " + printable_text(result.cell.id(), 300));
        result = admit_result(std::move(result), who);
      } catch (const std::exception& e) {
        result.cell = run.plan.cells[index];
        result.status = CellStatus::error;
        result.message = who + " sent a result that does not read: " + e.what();
      }
      give(run, m.rank);  // first: the rank measures while this result is written
      run.sink(result);
      if (run.obs.cell_finished) run.obs.cell_finished(index, result);
    } else if (kind == "unfinished") {  // cancelled mid-cell: not written, so --resume runs it
      if (run.cancel && run.cancel->load()) run.cancelled = true;
      if (!run.cancelled) run.pending.push_front(*rank.cell);
      give(run, m.rank);
    } else if (kind == "failed") {
      log(run, "error",
          who + " cannot measure any more (" + j.value("error", std::string()) + "); its cell goes to another rank");
      run.pending.push_front(*rank.cell);
      rank.cell.reset();
      rank.retired = true;
      stop(run, m.rank);
    } else {
      log(run, "error", who + " sent a message of unknown kind '" + kind + "' (ignored)");
    }
  }

  std::unique_ptr<RankLinks> links_ptr_;
  RankLinks& links_;
  std::vector<json> hellos_;
  std::unique_ptr<Executor> own_;
  SweepSpec spec_;
  bool ran_ = false;
};

}  // namespace

void Mailbox::push(RankMessage m) {
  {
    std::lock_guard lock(mutex_);
    messages_.push_back(std::move(m));
  }
  ready_.notify_one();
}

std::optional<RankMessage> Mailbox::pop(std::chrono::microseconds wait) {
  std::unique_lock lock(mutex_);
  if (!ready_.wait_for(lock, wait, [&] { return !messages_.empty(); })) return std::nullopt;
  RankMessage m = std::move(messages_.front());
  messages_.pop_front();
  return m;
}

std::optional<std::string> ThreadLink::next_cell() {
  std::unique_lock lock(mutex_);
  ready_.wait(lock, [&] { return !cells_.empty(); });
  std::optional<std::string> cell = std::move(cells_.front());
  cells_.pop_front();
  return cell;
}

void ThreadLink::assign(const std::optional<std::string>& cell_id) {
  {
    std::lock_guard lock(mutex_);
    cells_.push_back(cell_id);
  }
  ready_.notify_one();
}

void serve_cells(CoordinatorLink& link, Executor& executor, const SweepSpec& spec, const std::atomic<bool>* cancel) {
  const Plan plan = make_plan(spec, executor.caps());
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < plan.cells.size(); ++i) index_of.emplace(plan.cells[i].id(), i);

  SweepObserver observer;
  observer.log = [&](const std::string& level, const std::string& text) {
    link.send(json{{"kind", "log"}, {"level", level}, {"text", text}}.dump());
  };
  RunOptions options;
  options.cancel = cancel;

  std::int64_t cells = 0, waits = 0;
  double wait_s = 0, max_wait_s = 0;
  std::optional<Clock::time_point> answered;  // when the last result went out
  while (const std::optional<std::string> id = link.next_cell()) {
    if (answered) {
      const double waited = seconds_since(*answered);
      ++waits;
      wait_s += waited;
      max_wait_s = std::max(max_wait_s, waited);
    }
    json reply = {{"cell", *id}};
    const auto found = index_of.find(*id);
    if (found == index_of.end()) {
      reply["kind"] = "failed";
      reply["error"] = "cell " + *id + " is not in this rank's plan";
    } else {
      std::optional<CellResult> result;
      try {
        const Plan one{plan.spec, {plan.cells[found->second]}};
        executor.run(one, options, observer, [&](const CellResult& r) { result = r; });
        if (result) {
          reply["kind"] = "result";
          reply["record"] = result_to_json(*result);
        } else {
          reply["kind"] = "unfinished";
        }
      } catch (const std::exception& e) {  // e.g. every worker of this rank given up
        reply["kind"] = "failed";
        reply["error"] = e.what();
      }
    }
    ++cells;
    link.send(reply.dump(-1, ' ', false, json::error_handler_t::replace));
    answered = Clock::now();
  }
  link.send(
      json{{"kind", "bye"}, {"cells", cells}, {"waits", waits}, {"wait_s", wait_s}, {"max_wait_s", max_wait_s}}.dump());
}

std::string hello_message(int rank, int node_rank, const Executor* executor, const std::string& start_error,
                          bool usage_error) {
  json hello = {{"kind", "hello"},
                {"rank", rank},
                {"node_rank", node_rank},
                {"environment", capture_environment(executor ? executor->device() : nullptr)}};
  if (executor) hello["executor"] = executor->describe();
  if (!start_error.empty()) {
    hello["error"] = start_error;
    hello["usage_error"] = usage_error;
  }
  return hello.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::unique_ptr<Executor> make_hand_out_executor(std::unique_ptr<RankLinks> links,
                                                 const std::vector<std::string>& hellos, std::unique_ptr<Executor> own,
                                                 const SweepSpec& spec) {
  std::vector<json> parsed;
  std::vector<std::string> failures;
  bool usage = false;
  for (std::size_t r = 0; r < hellos.size(); ++r) {
    json h = parse_message(hellos[r]);
    if (!h.is_object() || h.value("kind", std::string()) != "hello") {
      failures.push_back("rank " + std::to_string(r) + ": said something other than hello");
      h = json::object();
    } else if (h.contains("error")) {
      failures.push_back(rank_name(static_cast<int>(r), h) + ": " + h.value("error", std::string()));
      usage = usage || h.value("usage_error", false);
    }
    parsed.push_back(std::move(h));
  }
  if (!own && failures.empty()) failures.push_back("rank 0: no executor");
  if (!failures.empty()) {
    HandOutExecutor::stop_remote_ranks(*links);
    std::string text = "the sweep cannot start on every rank:";
    for (const std::string& f : failures) text += "\n  " + f;
    if (usage) throw std::invalid_argument(text);
    throw std::runtime_error(text);
  }
  return std::make_unique<HandOutExecutor>(std::move(links), std::move(parsed), std::move(own), spec);
}

}  // namespace attnsweep
