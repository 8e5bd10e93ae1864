#include "core/sweep_form.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <sstream>

#include "core/views.h"

namespace attnsweep::gui {

namespace {

std::vector<std::string_view> words(std::string_view text, bool commas) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  auto sep = [&](char ch) { return std::isspace(static_cast<unsigned char>(ch)) || (commas && ch == ','); };
  while (i < text.size()) {
    while (i < text.size() && sep(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !sep(text[j])) ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// "2048", "2k", "2K"; positive and small enough to multiply safely.
std::optional<std::int64_t> parse_size(std::string_view w) {
  std::int64_t scale = 1;
  if (!w.empty() && (w.back() == 'k' || w.back() == 'K')) {
    scale = 1024;
    w.remove_suffix(1);
  }
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc() || end != w.data() + w.size() || v <= 0) return std::nullopt;
  if (v > std::numeric_limits<std::int32_t>::max() / scale) return std::nullopt;
  return v * scale;
}

bool runs_here(const CatalogueKernel& k, Backend backend) {
  return k.available && (!k.provider.empty() || k.backend == backend);
}

bool is_checked(const std::vector<std::string>& checked, const std::string& name) {
  return std::find(checked.begin(), checked.end(), name) != checked.end();
}

}  // namespace

SizeList parse_size_list(std::string_view text) {
  SizeList out;
  for (std::string_view w : words(text, true)) {
    const auto v = parse_size(w);
    if (!v) {
      out.error = "'" + std::string(w) + "' is not a positive size (write 512, 2048 or 2k)";
      out.values.clear();
      return out;
    }
    if (std::find(out.values.begin(), out.values.end(), *v) == out.values.end()) out.values.push_back(*v);
  }
  if (out.values.empty()) out.error = "empty: give at least one size";
  return out;
}

TierLines parse_tier_lines(std::string_view text) {
  TierLines out;
  int line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    std::string_view line = text.substr(start, end - start);
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    const auto ws = words(line, true);
    if (!ws.empty()) {
      if (ws.size() != 5) {
        out.error = "line " + std::to_string(line_no) + ": expected 5 numbers (Q_N K_N head_dim heads batch), got " +
                    std::to_string(ws.size());
        out.tiers.clear();
        return out;
      }
      std::int64_t v[5];
      for (int i = 0; i < 5; ++i) {
        const auto x = parse_size(ws[static_cast<std::size_t>(i)]);
        if (!x) {
          out.error = "line " + std::to_string(line_no) + ": '" + std::string(ws[static_cast<std::size_t>(i)]) +
                      "' is not a positive size";
          out.tiers.clear();
          return out;
        }
        v[i] = *x;
      }
      TierShape s{v[0], v[1], v[2], v[3], v[4]};
      if (std::find(out.tiers.begin(), out.tiers.end(), s) == out.tiers.end()) out.tiers.push_back(s);
    }
    start = end + 1;
  }
  return out;
}

std::string tier_lines(const std::vector<TierShape>& tiers) {
  std::ostringstream out;
  for (const TierShape& t : tiers)
    out << t.q_n << ' ' << t.k_n << ' ' << t.head_dim << ' ' << t.heads << ' ' << t.batch << '\n';
  return out.str();
}

std::vector<TierShape> cross_grid(const std::vector<std::int64_t>& q_n, const std::vector<std::int64_t>& k_n,
                                  const std::vector<std::int64_t>& head_dim, const std::vector<std::int64_t>& heads,
                                  const std::vector<std::int64_t>& batch) {
  std::vector<TierShape> out;
  for (std::int64_t d : head_dim)
    for (std::int64_t h : heads)
      for (std::int64_t b : batch)
        for (std::int64_t q : q_n) {
          if (k_n.empty()) {
            out.push_back({q, q, d, h, b});
          } else {
            for (std::int64_t k : k_n) out.push_back({q, k, d, h, b});
          }
        }
  std::stable_sort(out.begin(), out.end(), tier_before);
  return out;
}

bool any_checked_kernel_runs(const std::vector<CatalogueKernel>& catalogue, const std::vector<std::string>& checked,
                             Backend backend) {
  return std::any_of(catalogue.begin(), catalogue.end(),
                     [&](const CatalogueKernel& k) { return is_checked(checked, k.name) && runs_here(k, backend); });
}

std::string kernel_hint(const std::vector<CatalogueKernel>& catalogue, const std::vector<std::string>& checked,
                        Backend backend) {
  std::string idle, why, would, other_backend;
  bool any_runs = false, any_missing = false;
  for (const CatalogueKernel& k : catalogue) {
    if (runs_here(k, backend)) would += (would.empty() ? "" : ", ") + k.name;
    if (!is_checked(checked, k.name)) continue;
    if (runs_here(k, backend)) {
      any_runs = true;
      continue;
    }
    idle += (idle.empty() ? "" : ", ") + k.name;
    any_missing = any_missing || !k.available;
    if (k.available) other_backend = backend_name(k.backend);
    const std::string reason = k.available ? "they run on " + std::string(backend_name(k.backend)) + ", this run on " +
                                                 std::string(backend_name(backend))
                                           : k.why_not;
    if (why.find(reason) == std::string::npos) why += (why.empty() ? "" : "; ") + reason;
  }
  if (idle.empty()) return "";
  if (any_runs) return idle + ": will be skipped here (" + why + ")";
  return "Nothing checked can run here (" + why + "). Check " + (would.empty() ? "another kernel" : would) +
         (any_missing ? ", or run on a machine with a GPU." : ", or choose the " + other_backend + " backend.");
}

std::optional<double> eta_seconds(double elapsed_s, std::size_t done, std::size_t total) {
  if (done == 0 || total < done) return std::nullopt;
  return elapsed_s / static_cast<double>(done) * static_cast<double>(total - done);
}

}  // namespace attnsweep::gui
