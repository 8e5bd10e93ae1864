#include "attnsweep/engine/format.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cmath>

namespace attnsweep {

namespace {

// Past this many decimals plain notation reads worse than scientific ("0.000000001234").
constexpr int kMaxDecimals = 9;

std::string to_text(double v, std::chars_format format, int precision) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format, precision);
  return ec == std::errc() ? std::string(buf, end) : std::string("n/a");
}

}  // namespace

std::string format_number(double v, int significant) {
  if (!std::isfinite(v)) return "n/a";
  if (v == 0) return "0";
  significant = std::max(1, significant);
  // Rounded to the significant digits first, so 9999.6 counts as 1.000e+04.
  const std::string scientific = to_text(v, std::chars_format::scientific, significant - 1);
  const int exponent = std::atoi(scientific.c_str() + scientific.find('e') + 1);
  const int decimals = std::max(0, significant - 1 - exponent);
  if (decimals > kMaxDecimals) return scientific;
  std::string s = to_text(v, std::chars_format::fixed, decimals);
  if (s.find('.') != std::string::npos) {
    s.erase(s.find_last_not_of('0') + 1);
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_sci(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  return to_text(v, std::chars_format::general, std::max(1, digits));
}

std::string format_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "n/a";
  return to_text(v, std::chars_format::fixed, std::max(0, decimals));
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return format_number(bytes, 3) + " " + units[u];
}

std::string status_label(CellStatus s) {
  if (s == CellStatus::oom) return "OOM";
  return std::string(status_name(s));
}

std::string causal_label(bool causal) { return causal ? "causal" : "full"; }

namespace {

// The length of the UTF-8 sequence of a printable character at the start of `s`, or 0 when the
// first byte is a control character, a C1 control (U+0080..U+009F) or not UTF-8.
std::size_t printable_sequence(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b = byte(0);
  if (b < 0x80) return b >= 0x20 && b != 0x7f ? 1 : 0;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range (excludes overlongs and surrogates)
  if (b >= 0xc2 && b <= 0xdf) n = 2;
  else if (b >= 0xe0 && b <= 0xef) n = 3, lo = b == 0xe0 ? 0xa0 : 0x80, hi = b == 0xed ? 0x9f : 0xbf;
  else if (b >= 0xf0 && b <= 0xf4) n = 4, lo = b == 0xf0 ? 0x90 : 0x80, hi = b == 0xf4 ? 0x8f : 0xbf;
  if (n == 0 || s.size() < n || byte(1) < lo || byte(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  if (b == 0xc2 && byte(1) <= 0x9f) return 0;  // U+0080..U+009F: C1 controls (0x9b starts an escape)
  return n;
}

// `lines`: keep line breaks (LF, and CR before LF) and tabs.
std::string escaped(std::string_view text, std::size_t max_bytes, bool lines) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && i < max_bytes) {
    const std::string_view rest = text.substr(i);
    if (const std::size_t n = printable_sequence(rest); n > 0) {
      out.append(rest.substr(0, n));
      i += n;
      continue;
    }
    const char c = rest.front();
    if (lines && (c == '\n' || c == '\t' || (c == '\r' && rest.size() > 1 && rest[1] == '\n'))) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto b = static_cast<unsigned char>(c);
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
    ++i;
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace

std::string printable_text(std::string_view text, std::size_t max_bytes) { return escaped(text, max_bytes, false); }

std::string printable_lines(std::string_view text) { return escaped(text, std::string_view::npos, true); }

}  // namespace attnsweep
