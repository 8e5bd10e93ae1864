// The nearest known word to a mistyped one, for "did you mean" hints.
#include <algorithm>
#include <numeric>
#include <vector>

#include "commands.h"

namespace attnsweep::cli {

namespace {

// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  std::iota(d[0].begin(), d[0].end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = 0;
  for (const std::string& k : known) {
    // A prefix counts as near ("val" for validate); otherwise at most a third of the word may differ.
    const std::size_t d = k.rfind(word, 0) == 0 && !word.empty() ? 1 : edit_distance(word, k);
    if (best.empty() || d < best_distance) {
      best = k;
      best_distance = d;
    }
  }
  if (best.empty() || best_distance > std::max<std::size_t>(1, word.size() / 3)) return "";
  return "did you mean '" + best + "'?";
}

}  // namespace attnsweep::cli
