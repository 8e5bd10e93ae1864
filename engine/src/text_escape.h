#pragma once
// Text from a file as each report form must write it, so a kernel name or a message can never
// break a table or a page.
#include <string>
#include <string_view>

namespace attnsweep {

std::string html_escape(std::string_view s);  // & < > " ' as entities
// One Markdown table cell and nothing more: '|' as "\|" (it would end the cell), & < > as entities
// (HTML such as a <script> would pass through to whoever renders the report), line breaks and
// other control characters as spaces (they would break the line, or reach a terminal).
std::string md_escape(std::string_view s);
// RFC 4180: quoted when it holds a comma, quote or line break. A field a spreadsheet would run as a
// formula (it starts with = + - @ tab or CR) gets a leading apostrophe, which spreadsheets show as
// text; one that starts with an apostrophe gets one more, so csv_unguarded gives back what was given.
std::string csv_field(std::string_view s);
std::string csv_unguarded(std::string field);  // a field read back, without csv_field's guard

}  // namespace attnsweep
