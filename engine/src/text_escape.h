#pragma once
// Text from a file as each report form must write it, so a kernel name or a message can never
// break a table or a page.
#include <string>
#include <string_view>

namespace attnsweep {

std::string html_escape(std::string_view s);  // & < > " ' as entities
std::string md_escape(std::string_view s);    // '|' as "\|", line breaks as spaces: one table cell
std::string csv_field(std::string_view s);    // RFC 4180: quoted when it holds a comma, quote or line break

}  // namespace attnsweep
