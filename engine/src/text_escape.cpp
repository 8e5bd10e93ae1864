#include "text_escape.h"

namespace attnsweep {

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
    else out += c;
  }
  return out;
}

namespace {

// A spreadsheet runs a cell that starts with one of these as a formula ("=cmd|' /C calc'!A0").
bool starts_like_formula(std::string_view s) {
  return !s.empty() && std::string_view("=+-@\t\r'").find(s.front()) != std::string_view::npos;
}

}  // namespace

std::string csv_field(std::string_view text) {
  const std::string s = starts_like_formula(text) ? "'" + std::string(text) : std::string(text);
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_unguarded(std::string field) {
  if (field.size() >= 2 && field.front() == '\'' && starts_like_formula(std::string_view(field).substr(1)))
    field.erase(0, 1);
  return field;
}

}  // namespace attnsweep
