#include "core/colors.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <span>

namespace attnsweep::gui {

namespace {

// viridis (matplotlib) sampled every 0.1, interpolated linearly.
constexpr std::array<std::array<double, 3>, 9> kViridis = {{
    {0.267004, 0.004874, 0.329415},
    {0.282623, 0.140926, 0.457517},
    {0.253935, 0.265254, 0.529983},
    {0.206756, 0.371758, 0.553117},
    {0.163625, 0.471133, 0.558148},
    {0.127568, 0.566949, 0.550556},
    {0.134692, 0.658636, 0.517649},
    {0.266941, 0.748751, 0.440573},
    {0.477504, 0.821444, 0.318195},
}};
// The last stretch of viridis bends quickly into yellow; sample it separately.
constexpr std::array<std::array<double, 3>, 3> kViridisTail = {{
    {0.477504, 0.821444, 0.318195},
    {0.741388, 0.873449, 0.149561},
    {0.993248, 0.906157, 0.143936},
}};

// RdBu (ColorBrewer, 5 classes), worse to better.
constexpr std::array<std::array<double, 3>, 5> kRedBlue = {{
    {178 / 255.0, 24 / 255.0, 43 / 255.0},
    {239 / 255.0, 138 / 255.0, 98 / 255.0},
    {247 / 255.0, 247 / 255.0, 247 / 255.0},
    {103 / 255.0, 169 / 255.0, 207 / 255.0},
    {33 / 255.0, 102 / 255.0, 172 / 255.0},
}};

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); }

template <std::size_t N>
Rgb lerp_table(const std::array<std::array<double, 3>, N>& table, double t) {
  const double x = t * (N - 1);
  const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(x), N - 2);
  const double f = x - static_cast<double>(i);
  Rgb c;
  c.r = to_byte(table[i][0] + f * (table[i + 1][0] - table[i][0]));
  c.g = to_byte(table[i][1] + f * (table[i + 1][1] - table[i][1]));
  c.b = to_byte(table[i][2] + f * (table[i + 1][2] - table[i][2]));
  return c;
}

}  // namespace

Rgb viridis(double t) {
  if (std::isnan(t)) t = 0;
  t = std::clamp(t, 0.0, 1.0);
  constexpr double split = 0.8;  // 0..0.8 from the first table, the rest from the tail
  if (t <= split) return lerp_table(kViridis, t / split);
  return lerp_table(kViridisTail, (t - split) / (1 - split));
}

Rgb diverging(double t) {
  if (std::isnan(t)) t = 0.5;
  return lerp_table(kRedBlue, std::clamp(t, 0.0, 1.0));
}

std::span<const std::string_view> kernels_with_own_style() {
  // Kernels a picture is likely to show: the built-in ones, the seed's, the torch provider's.
  static constexpr std::string_view kKnown[] = {
      "naive", "cublas", "fused_simt", "flash_mma", "flash_sm90", "cpu_naive", "cpu_flash",
      "scaled_dot_prod_attention", "vectorized_torch", "vectorized_torch_compiled", "flash_attention_triton",
      "torch.sdpa_cudnn", "torch.sdpa_flash", "torch.sdpa_efficient", "torch.sdpa_math"};
  return kKnown;
}

KernelStyle kernel_style(std::string_view kernel) {
  // Tableau 10, then five darker tones: distinct on white, and the seed's four analogues first.
  static constexpr std::array<Rgb, 15> kPalette = {{
      {31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
      {57, 59, 121},  {132, 60, 57},   {99, 121, 57},   {140, 109, 49}, {123, 65, 115},
  }};
  static constexpr std::array<Marker, 6> kMarkers = {Marker::circle,  Marker::square, Marker::triangle,
                                                     Marker::diamond, Marker::star,   Marker::pentagon};
  std::size_t colour = 0, marker = 0;
  const std::span<const std::string_view> known = kernels_with_own_style();
  if (const auto it = std::find(known.begin(), known.end(), kernel); it != known.end()) {
    colour = static_cast<std::size_t>(it - known.begin()) % kPalette.size();
    marker = colour % kMarkers.size();
  } else {
    std::uint32_t h = 2166136261u;  // FNV-1a: the same name, the same style, on every machine
    for (char c : kernel) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    colour = h % kPalette.size();
    marker = (h / kPalette.size()) % kMarkers.size();
  }
  return {kPalette[colour], kMarkers[marker]};
}

Rgb status_color(CellStatus s) {
  switch (s) {
    case CellStatus::ok: return {255, 255, 255};
    case CellStatus::oom: return {228, 228, 232};
    case CellStatus::unsupported: return {243, 243, 245};
    case CellStatus::skipped: return {236, 236, 238};
    case CellStatus::wrong: return {246, 198, 198};
    case CellStatus::error: return {250, 214, 180};
    case CellStatus::crashed: return {232, 170, 170};
    case CellStatus::timeout: return {246, 224, 170};
  }
  return {255, 255, 255};
}

bool prefers_dark_text(Rgb c) {
  // Relative luminance (sRGB approximated by gamma 2.2).
  auto lin = [](std::uint8_t v) { return std::pow(v / 255.0, 2.2); };
  const double y = 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  return y > 0.25;
}

}  // namespace attnsweep::gui
